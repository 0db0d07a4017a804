"""Everyday English prose for the sample corpus: recipes, travel, sports, products and more.

These articles are the negatives of the math classifier, the "general" side of the KenLM and
language-id tests, and the 5% general data of the training mixture. Sentences come from per-topic
pools with slots filled from word lists, so unrelated articles share few word 5-grams.
"""

from __future__ import annotations

import random

from tools.sample_data.document import Article, Block, paraphrase

Rng = random.Random

WORDS = {
    "dish": [
        "lentil soup",
        "lemon tart",
        "chicken curry",
        "mushroom risotto",
        "banana bread",
        "vegetable stew",
        "apple crumble",
        "fish tacos",
        "pumpkin pie",
        "tomato salad",
        "beef chili",
        "pea and mint pasta",
    ],
    "ingredient": [
        "garlic",
        "fresh thyme",
        "brown sugar",
        "olive oil",
        "red onion",
        "smoked paprika",
        "butter",
        "ginger",
        "coriander",
        "lemon zest",
        "cream",
        "dark chocolate",
        "sea salt",
        "rosemary",
    ],
    "city": [
        "Lisbon",
        "Kyoto",
        "Edinburgh",
        "Valparaiso",
        "Tallinn",
        "Marrakesh",
        "Hobart",
        "Bergen",
        "Oaxaca",
        "Ljubljana",
        "Hanoi",
        "Cork",
        "Porto",
        "Quebec City",
    ],
    "sight": [
        "the old harbour",
        "a hilltop monastery",
        "the covered market",
        "the botanical garden",
        "a tiny railway museum",
        "the cathedral square",
        "the riverside promenade",
        "a sea cave",
    ],
    "team": [
        "the Harbour City Hawks",
        "Riverside United",
        "the Northfield Bears",
        "Eastbrook Rovers",
        "the Valley Comets",
        "Westport Athletic",
        "the Granite Falls Owls",
        "Southgate Wanderers",
    ],
    "player": [
        "Maya Okafor",
        "Tom Brennan",
        "Luis Ortega",
        "Priya Nair",
        "Jonas Berg",
        "Chloe Martin",
        "Sam Whitaker",
        "Aiko Tanaka",
        "Daniel Reyes",
        "Ellie Fraser",
    ],
    "product": [
        "cordless drill",
        "espresso machine",
        "hiking backpack",
        "noise-cancelling headphones",
        "standing desk",
        "electric kettle",
        "robot vacuum",
        "rain jacket",
        "road bike helmet",
    ],
    "feature": [
        "battery life",
        "build quality",
        "the warranty",
        "the carrying case",
        "the companion app",
        "the adjustable strap",
        "the water resistance",
        "the noise level",
        "the price",
    ],
    "plant": [
        "tomatoes",
        "runner beans",
        "lavender",
        "courgettes",
        "strawberries",
        "sweet peas",
        "basil",
        "dahlias",
        "raspberry canes",
        "garlic bulbs",
    ],
    "person": [
        "my grandmother",
        "our neighbour",
        "a friend from college",
        "my sister",
        "the shop owner",
        "an old colleague",
        "my uncle",
        "the tour guide",
    ],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "month": ["January", "March", "April", "May", "June", "July", "September", "October", "November"],
    "adjective": ["wonderful", "surprising", "cosy", "crowded", "peaceful", "charming", "windy", "lively"],
}

POOLS = {
    "recipe": [
        "This {dish} has been a family favourite ever since {person} first made it for us.",
        "Start by warming two tablespoons of {ingredient} in a heavy pan over medium heat.",
        "Add the {ingredient} and stir for about {n} minutes, until the kitchen smells {adjective}.",
        "If you cannot find {ingredient}, a pinch of {ingredient2} works almost as well.",
        "Let the mixture simmer gently for {n2} minutes and taste it before adding more salt.",
        "Serve the {dish} warm with crusty bread, or keep it in the fridge for up to {n} days.",
        "The secret, according to {person}, is to be patient and never rush the onions.",
        "I usually double the quantities and freeze half for a busy {day} evening.",
        "Preheat the oven to {temp} degrees and line a tin with baking paper.",
        "Readers tell me the {dish} also works with {ingredient} instead of {ingredient2}.",
        "Whisk the eggs with the sugar until pale and fluffy, then fold in the flour.",
        "Leftovers make an excellent lunch the next day, so do not throw anything away.",
    ],
    "travel": [
        "We arrived in {city} on a {adjective} {day} in {month}, just as the shops were opening.",
        "The first thing everyone recommends is a walk to {sight}, and they are right.",
        "Getting around {city} is easy: the trams run every {n} minutes and tickets are cheap.",
        "Our guesthouse was a ten-minute walk from {sight}, run by {person} who made breakfast every morning.",
        "If you only have {n} days, skip the big museums and spend an afternoon at {sight} instead.",
        "The food in {city} deserves a trip of its own; try the local bakery near {sight}.",
        "It rained for most of the second day, so we took the ferry and watched the coastline go by.",
        "Prices were higher than we expected, around {price} euros for a simple dinner for two.",
        "On our last evening we climbed up to {sight} and watched the sunset over the rooftops.",
        "I would go back to {city} in {month} again, when the weather is mild and the crowds are thin.",
        "Pack comfortable shoes: the old town is all steep lanes and uneven cobblestones.",
    ],
    "sports": [
        "{team} beat {team2} on {day} night in front of a {adjective} home crowd.",
        "{player} opened the scoring in the {n2}th minute with a low shot into the far corner.",
        "The visitors pressed hard after the break but could not find a way past the goalkeeper.",
        "Coach {player} said afterwards that the team had finally shown the character the fans wanted.",
        "It was the {n}th win in a row for {team}, who now sit at the top of the table.",
        "Injuries have been a problem all season, and {player} is expected to miss the next {n} games.",
        "Tickets for the derby against {team2} sold out within hours of going on sale.",
        "The second half was scrappy, with more fouls than chances and very little rhythm.",
        "Supporters stayed long after the final whistle, singing and waving scarves.",
        "Next {day} the squad travels to face {team2}, a side they have not beaten in years.",
    ],
    "product": [
        "I have been using this {product} every day for about {n} months now.",
        "Out of the box, {feature} is the first thing you notice, and it does not disappoint.",
        "Setup took less than ten minutes, although the manual could be clearer.",
        "Compared with my old {product}, {feature} is a clear step up.",
        "My only real complaint is {feature}, which feels like an afterthought at this price.",
        "At {price} dollars it is not cheap, but it feels built to last.",
        "Customer support answered my question within a day, which I appreciated.",
        "If you need something for occasional use, a cheaper model will probably do.",
        "After a few weeks of heavy use there are no scratches and nothing has come loose.",
        "Overall I would recommend it, with the caveat that {feature} could be better.",
    ],
    "garden": [
        "This year I finally gave the {plant} a proper bed in the sunniest corner of the garden.",
        "Sow the seeds in {month}, about {n} centimetres apart, and keep the soil moist.",
        "Slugs are the main enemy; {person} swears by a ring of crushed eggshells.",
        "By {month} the {plant} were taller than the fence and still flowering.",
        "Water in the evening rather than at midday, so less is lost to evaporation.",
        "A thick layer of compost in autumn does more good than any fertiliser from the shop.",
        "I grew {plant} next to the {plant2}, and both seemed happier for it.",
        "The harvest was smaller than last year, probably because of the {adjective} spring.",
    ],
    "history": [
        "The town grew up around {sight} in the late middle ages, when trade along the river flourished.",
        "Records from {year} describe a market held every {day} in the square.",
        "A great fire in {year} destroyed most of the wooden houses near the harbour.",
        "Local tradition credits {person} with saving the town charter from the flames.",
        "The railway arrived in {year2}, and with it a wave of new factories and workers.",
        "Many of the old warehouses have since been turned into flats and small galleries.",
        "Visitors can still see the original stone bridge, rebuilt twice but never replaced.",
        "The museum's collection of letters gives a vivid picture of daily life at the time.",
    ],
}
TOPIC_TITLES = {
    "recipe": ["Easy {dish} for weeknights", "My grandmother's {dish}", "The best {dish} you will ever make"],
    "travel": ["Three days in {city}", "A slow weekend in {city}", "What to see in {city} in {month}"],
    "sports": [
        "{team} edge past {team2}",
        "Match report: {team} v {team2}",
        "Late drama as {team} win again",
    ],
    "product": [
        "Review: a {product} worth the money?",
        "Six months with a {product}",
        "Is this {product} any good?",
    ],
    "garden": ["Growing {plant} in a small garden", "Notes from the vegetable patch", "A year of {plant}"],
    "history": ["A short history of {city}", "How {city} got its market", "Walking through old {city}"],
}
GENERAL_TOPICS = sorted(POOLS)


def _fill(rng: Rng, template: str) -> str:
    """Fill ``{slot}`` fields from the word lists and with random numbers."""
    values = {key: rng.choice(options) for key, options in WORDS.items()}
    for key in ("ingredient", "team", "plant"):
        values[key + "2"] = rng.choice([w for w in WORDS[key] if w != values[key]])
    values.update(
        n=rng.randint(2, 9),
        n2=rng.randint(11, 89),
        temp=rng.choice([160, 175, 180, 190, 200, 220]),
        price=rng.randint(12, 480),
        year=rng.randint(1420, 1790),
        year2=rng.randint(1830, 1905),
    )
    return template.format(**values)


def general_sentences(rng: Rng, topic: str, count: int) -> list[str]:
    """``count`` distinct sentences of ``topic``'s pool (fewer if the pool is smaller), slots filled."""
    pool = POOLS[topic]
    return [paraphrase(rng, _fill(rng, s)) for s in rng.sample(pool, k=min(count, len(pool)))]


def general_article(rng: Rng, topic: str | None = None, sentences: int | None = None) -> Article:
    """A non-math article on ``topic`` (random when None): distinct pool sentences in 2-3 paragraphs."""
    topic = topic or rng.choice(GENERAL_TOPICS)
    lines = general_sentences(rng, topic, sentences or rng.randint(5, 8))
    cut = sorted(rng.sample(range(1, len(lines)), k=min(2, len(lines) - 1)))
    parts = [lines[i:j] for i, j in zip([0, *cut], [*cut, len(lines)], strict=True)]
    blocks = [Block("p", " ".join(part)) for part in parts]
    return Article(_fill(rng, rng.choice(TOPIC_TITLES[topic])), topic, blocks, is_math=False)
