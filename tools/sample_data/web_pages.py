"""HTML pages for the sample crawl: an article rendered in one math style inside one site layout.

A layout is the page chrome real crawls are full of (navigation, sidebars, share buttons, comment
threads, cookie banners, footers); the extractor must drop it and keep the article. A math style is
how the page carries LaTeX (see :mod:`tools.sample_data.math_markup`).
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from tools.sample_data import math_markup as mm
from tools.sample_data.document import Article, Block, Math, Segment

Rng = random.Random

MATH_STYLES = [
    "mathjax_script",
    "mathjax_dollar",
    "mathjax_paren",
    "katex",
    "mathml",
    "codecogs",
    "wikipedia",
    "wordpress",
    "latex_no_mathjax",
]
_HEAD_SCRIPTS = {
    "mathjax_script": '<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.9/MathJax.js?config=TeX-AMS-MML_HTMLorMML"></script>',
    "mathjax_dollar": (
        '<script type="text/x-mathjax-config">MathJax.Hub.Config({tex2jax: {inlineMath: '
        "[['$','$']], displayMath: [['$$','$$']], processEscapes: true}});</script>\n"
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.9/MathJax.js?config=TeX-AMS_CHTML"></script>'
    ),
    "mathjax_paren": '<script src="https://cdn.jsdelivr.net/npm/mathjax@2.7.9/MathJax.js?config=TeX-AMS_HTML"></script>',
    "katex": (
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/katex@0.16.9/dist/katex.min.css">\n'
        '<script defer src="https://cdn.jsdelivr.net/npm/katex@0.16.9/dist/katex.min.js"></script>'
    ),
    "asciimath": (
        '<script type="text/x-mathjax-config">MathJax.Hub.Config({asciimath2jax: {delimiters: '
        "[['`','`']]}});</script>\n"
        '<script src="https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.9/MathJax.js?config=AM_CHTML"></script>'
    ),
}
_WORDS = (
    "math",
    "proof",
    "lemma",
    "vector",
    "prime",
    "integral",
    "tangent",
    "matrix",
    "orbit",
    "cosine",
    "kitchen",
    "garden",
    "travel",
    "pitch",
    "gadget",
    "daily",
    "notes",
    "corner",
    "hub",
    "world",
)
_TLDS = ("com", "net", "org", "io", "blog", "co.uk", "edu", "info")
_NAMES = (
    "Alice",
    "Bob",
    "Chen",
    "Dmitri",
    "Esther",
    "Farid",
    "Grace",
    "Hiro",
    "Ingrid",
    "Jamal",
    "Kasia",
    "Leon",
    "Mina",
    "Noor",
    "Oscar",
    "Paula",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
)
_COMMENTS = (
    "Thanks, this cleared things up for me.",
    "I think there is a small typo in the second example.",
    "Could you do a follow-up post with harder exercises?",
    "Great explanation, bookmarked!",
    "My teacher explained this completely differently, but your way makes more sense.",
    "Is there a reason you did not use the other method here?",
    "Saved me before my exam, much appreciated.",
    "Nice write-up. The last part went a bit fast though.",
    "Where can I find more problems like these?",
)


@dataclass
class Site:
    """A made-up website: its domain and name, and the menu its pages share."""

    domain: str
    name: str
    menu: list[str]


def make_site(rng: Rng, theme: str) -> Site:
    words = rng.sample(_WORDS, 2)
    domain = (
        f"{'www.' if rng.random() < 0.5 else ''}{words[0]}{words[1]}{rng.randint(1, 99)}.{rng.choice(_TLDS)}"
    )
    menu = rng.sample(
        [
            "Home",
            "About",
            "Archive",
            "Topics",
            "Contact",
            "Courses",
            "Forum",
            "Shop",
            "Newsletter",
            "Tutorials",
            "Events",
            "Resources",
            "Blog",
            "Help",
            "Donate",
        ],
        6,
    )
    return Site(domain, f"{words[0].title()} {words[1].title()} {theme.title()}", menu)


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "page"


# ------------------------------------------------------------------ article body
def render_segments(segments: list[Segment], style: str, seed: int) -> str:
    """Inline HTML for text and formulas, the formulas in ``style``."""
    out = []
    for index, segment in enumerate(segments):
        if isinstance(segment, str):
            out.append(html.escape(segment, quote=False))
        else:
            out.append(render_math(segment, style, seed + index))
    return "".join(out)


def render_math(math: Math, style: str, seed: int) -> str:
    tex, display = math.tex, math.display
    if style == "mathjax_script":
        return mm.mathjax_script(tex, display)
    if style == "katex":
        return mm.katex_html(tex, display)
    if style == "mathml":
        return mm.to_mathml(tex, display) or mm.delimited(tex, display, "dollar")
    if style == "codecogs":
        return mm.codecogs_img(tex, display)
    if style == "wordpress":
        return mm.wordpress_img(tex, display)
    if style == "wikipedia":
        return mm.wikipedia_math(tex, display, seed)
    return mm.delimited(tex, display, "paren" if style == "mathjax_paren" else "dollar")


def render_block(block: Block, style: str, seed: int) -> str:
    inner = render_segments(block.segments(), style, seed)
    if block.kind == "h2":
        return f"<h2>{inner}</h2>"
    if block.kind in ("theorem", "proof"):
        return f'<div class="{block.kind}"><p>{inner}</p></div>'
    return f"<p>{inner}</p>"


def render_blocks(blocks: list[Block], style: str, seed: int) -> str:
    return "\n".join(render_block(block, style, seed + 1000 * i) for i, block in enumerate(blocks))


# ------------------------------------------------------------------ chrome pieces
def _links(items: list[str], css: str) -> str:
    return (
        f'<ul class="{css}">'
        + "".join(f'<li><a href="/{slug(i)}/">{html.escape(i)}</a></li>' for i in items)
        + "</ul>"
    )


def _header(site: Site) -> str:
    return (
        f'<header class="site-header"><a class="logo" href="/">{html.escape(site.name)}</a>'
        f'<nav class="main-nav">{_links(site.menu, "menu")}</nav>'
        '<form class="search" action="/search"><input type="text" name="q" placeholder="Search"></form></header>'
    )


def _footer(rng: Rng, site: Site) -> str:
    year = rng.randint(2012, 2023)
    return (
        f'<footer class="site-footer">{_links(["Privacy policy", "Terms of use", "Imprint", "Sitemap"], "legal")}'
        f"<p>&copy; {year} {html.escape(site.name)}. All rights reserved.</p></footer>"
    )


def _cookie_banner() -> str:
    return (
        '<div id="cookie-consent" class="cookie-banner"><p>We use cookies to improve your experience and '
        "to show personalised ads. By continuing you accept our cookie policy.</p>"
        '<button class="accept">Accept all</button><button class="reject">Manage settings</button></div>'
    )


def _share_buttons(url: str) -> str:
    nets = ["Twitter", "Facebook", "Reddit", "LinkedIn", "Email"]
    return (
        '<div class="share-buttons"><span>Share this:</span>'
        + "".join(
            f'<a class="share-{n.lower()}" href="https://share.example/{n.lower()}?u={html.escape(url)}">{n}</a>'
            for n in nets
        )
        + "</div>"
    )


def _comments(rng: Rng) -> str:
    items = []
    for _ in range(rng.randint(1, 4)):
        who, when = (
            rng.choice(_NAMES),
            f"{rng.choice(['March', 'June', 'October'])} {rng.randint(1, 28)}, {rng.randint(2015, 2023)}",
        )
        items.append(
            f'<li class="comment"><div class="comment-author">{who}</div><div class="comment-date">{when}'
            f'</div><div class="comment-body"><p>{rng.choice(_COMMENTS)}</p></div>'
            '<a class="reply" href="#respond">Reply</a></li>'
        )
    return (
        f'<section id="comments" class="comments-area"><h3>{len(items)} Responses</h3><ol class="comment-list">'
        + "".join(items)
        + '</ol><div id="respond"><h3>Leave a Reply</h3><form><textarea name="comment">'
        "</textarea><button>Post Comment</button></form></div></section>"
    )


def _sidebar(rng: Rng, teasers: list[str]) -> str:
    tags = rng.sample(
        [
            "algebra",
            "calculus",
            "exams",
            "tips",
            "geometry",
            "homework",
            "proofs",
            "puzzles",
            "news",
            "reviews",
            "recipes",
            "travel",
        ],
        6,
    )
    return (
        '<aside class="sidebar"><div class="widget"><h4>Recent posts</h4>'
        + _links(teasers, "recent")
        + '</div><div class="widget tags"><h4>Tags</h4>'
        + " ".join(f'<a href="/tag/{t}/">{t}</a>' for t in tags)
        + '</div><div class="widget newsletter"><h4>Newsletter</h4><p>Get new posts by email.</p>'
        '<input type="email" placeholder="you@example.com"><button>Subscribe</button></div></aside>'
    )


def _head(title: str, style: str) -> str:
    scripts = _HEAD_SCRIPTS.get(style, "")
    return (
        f'<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>\n"
        '<link rel="stylesheet" href="/static/css/site.css">\n'
        f"{scripts}\n<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}"
        " gtag('js', new Date()); gtag('config', 'UA-000000-1');</script></head>"
    )


def _document(head: str, body: str, lang: str = "en") -> str:
    return f'<!DOCTYPE html>\n<html lang="{lang}">\n{head}\n<body>\n{body}\n</body>\n</html>\n'


# ------------------------------------------------------------------ layouts
@dataclass
class PageInput:
    """What a layout needs: the article, its math style, where it lives and a few teaser titles."""

    article: Article
    style: str
    site: Site
    url: str
    teasers: list[str]
    seed: int
    lang: str = "en"


def layout_blog(rng: Rng, page: PageInput) -> str:
    art = page.article
    meta = f'<div class="post-meta">Posted by {rng.choice(_NAMES)} on {rng.randint(1, 28)} {rng.choice(["May", "July", "December"])} {rng.randint(2011, 2023)}</div>'
    body = (
        _header(page.site) + '<div class="container"><main><article class="post">'
        f'<h1 class="entry-title">{html.escape(art.title)}</h1>{meta}<div class="entry-content">'
        + render_blocks(art.blocks, page.style, page.seed)
        + "</div>"
        + _share_buttons(page.url)
        + "</article>"
        + _comments(rng)
        + "</main>"
        + _sidebar(rng, page.teasers)
        + "</div>"
        + _footer(rng, page.site)
        + _cookie_banner()
    )
    return _document(_head(art.title, page.style), body, page.lang)


def layout_forum(rng: Rng, page: PageInput) -> str:
    """StackExchange-like: the first block is the question, each later paragraph an answer."""
    art = page.article
    paragraphs = [b for b in art.blocks if b.kind == "p"]
    question, answers = paragraphs[0], paragraphs[1:] or paragraphs[:1]
    tags = "".join(
        f'<a class="post-tag" href="/questions/tagged/{t}">{t}</a>'
        for t in rng.sample(
            ["homework", art.topic.replace("_", "-"), "proof-writing", "solution-verification"], 2
        )
    )
    posts = [
        f'<div class="question" id="question"><div class="votecell"><span class="vote-count">{rng.randint(-2, 40)}</span></div>'
        f'<div class="postcell"><div class="s-prose js-post-body">{render_block(question, page.style, page.seed)}</div>'
        f'<div class="post-taglist">{tags}</div><div class="user-info">asked by {rng.choice(_NAMES)}</div></div>'
        f'<ul class="comments-list"><li class="comment">{rng.choice(_COMMENTS)}</li></ul></div>',
        f'<h2 class="answers-header">{len(answers)} Answer{"s" if len(answers) > 1 else ""}</h2>',
    ]
    for index, answer in enumerate(answers):
        accepted = " accepted-answer" if index == 0 else ""
        posts.append(
            f'<div class="answer{accepted}"><div class="votecell"><span class="vote-count">{rng.randint(0, 60)}</span></div>'
            f'<div class="answercell"><div class="s-prose js-post-body">{render_block(answer, page.style, page.seed + index)}</div>'
            f'<div class="user-info">answered by {rng.choice(_NAMES)}</div></div></div>'
        )
    related = _links(page.teasers, "related")
    body = (
        _header(page.site)
        + f'<div id="content"><div id="question-header"><h1>{html.escape(art.title)}</h1></div>'
        '<div id="mainbar">'
        + "".join(posts)
        + '<div class="your-answer"><h2>Your Answer</h2><textarea></textarea>'
        '<button>Post Your Answer</button></div></div><div id="sidebar"><div class="module"><h4>Related</h4>'
        f'{related}</div><div class="module hot-network"><h4>Hot Network Questions</h4>{related}</div></div></div>'
        + _footer(rng, page.site)
        + _cookie_banner()
    )
    return _document(_head(art.title, page.style), body, page.lang)


def layout_lecture(rng: Rng, page: PageInput) -> str:
    art = page.article
    number = rng.randint(1, 24)
    body = (
        f'<div class="nav-top"><a href="../index.html">Course home</a> | <a href="lec{number - 1:02d}.html">'
        f'Previous</a> | <a href="lec{number + 1:02d}.html">Next</a></div><h1>Lecture {number}: '
        f"{html.escape(art.title)}</h1>"
        + render_blocks(art.blocks, page.style, page.seed)
        + f"<hr><address>Last modified: {rng.randint(1, 28)}/{rng.randint(1, 12)}/{rng.randint(2004, 2020)}</address>"
    )
    return _document(_head(art.title, page.style), body, page.lang)


def layout_wiki(rng: Rng, page: PageInput) -> str:
    art = page.article
    headings = [b.text for b in art.blocks if b.kind == "h2"]
    toc = (
        '<div id="toc" class="toc"><h2>Contents</h2><ol>'
        + "".join(f"<li>{html.escape(h)}</li>" for h in headings)
        + "</ol></div>"
    )
    content = render_blocks(art.blocks, page.style, page.seed).replace(
        "</h2>", '<span class="mw-editsection">[<a href="?action=edit">edit</a>]</span></h2>'
    )
    refs = "".join(
        f"<li>{rng.choice(_NAMES)}, <i>Lectures on {art.topic.replace('_', ' ')}</i>, {rng.randint(1960, 2020)}.</li>"
        for _ in range(rng.randint(2, 4))
    )
    body = (
        '<div id="mw-navigation"><div id="p-navigation">'
        + _links(["Main page", "Contents", "Random article", "About", "Contact us"], "vector-menu")
        + f'</div></div><div id="content" class="mw-body"><h1 id="firstHeading">{html.escape(art.title)}</h1>'
        f'<div id="siteSub">From {html.escape(page.site.name)}, the free encyclopedia</div>{toc}'
        f'<div class="mw-parser-output">{content}<h2>References</h2><ol class="references">{refs}</ol></div>'
        f'<div id="catlinks">Categories: <a href="#">{art.topic.replace("_", " ").title()}</a></div></div>'
        '<div id="footer">Text is available under the Creative Commons Attribution-ShareAlike License.</div>'
    )
    return _document(_head(art.title, page.style), body, page.lang)


def layout_portal(rng: Rng, page: PageInput) -> str:
    """Boilerplate-heavy: mega menu, breadcrumbs, ad slots, teaser grids and a link-farm footer."""
    art = page.article
    sections = rng.sample(
        [
            "News",
            "Education",
            "Science",
            "Lifestyle",
            "Sport",
            "Travel",
            "Food",
            "Tech",
            "Money",
            "Health",
            "Culture",
            "Opinion",
        ],
        8,
    )
    mega = "".join(
        f'<li class="mega">{s}{_links([f"{s} {w}" for w in rng.sample(["today", "latest", "guides", "video", "archive", "top 10", "podcasts", "live", "weekly", "deals"], 6)], "sub")}</li>'
        for s in sections
    )
    teasers = "".join(
        f'<div class="teaser"><a href="/{slug(t)}/">{html.escape(t)}</a><span class="tag">Sponsored</span></div>'
        for t in page.teasers * 2
    )
    columns = "".join(
        f'<div class="footer-col"><h5>{s}</h5>{_links([f"{s} {i}" for i in range(1, 6)], "fl")}</div>'
        for s in sections[:4]
    )
    body = (
        f'<div class="topbar">{_links(["Subscribe", "Sign in", "Edition: International"], "top")}</div>'
        f'<header><a class="logo" href="/">{html.escape(page.site.name)}</a><ul class="megamenu">{mega}</ul></header>'
        f'<div class="breadcrumbs"><a href="/">Home</a> &rsaquo; <a href="/{sections[0].lower()}/">{sections[0]}</a></div>'
        '<div class="ad-slot" data-ad="leaderboard">Advertisement</div>'
        f"<main><article><h1>{html.escape(art.title)}</h1>"
        + render_blocks(art.blocks, page.style, page.seed)
        + f'</article>{_share_buttons(page.url)}<div class="ad-slot" data-ad="mpu">Advertisement</div>'
        f'<section class="more"><h3>You may also like</h3>{teasers}</section></main>'
        f"<footer>{columns}<p>&copy; {rng.randint(2015, 2023)} {html.escape(page.site.name)} Media Group</p></footer>"
        + _cookie_banner()
    )
    return _document(_head(art.title, page.style), body, page.lang)


def layout_product(rng: Rng, page: PageInput) -> str:
    art = page.article
    price = f"{rng.randint(19, 899)}.{rng.choice(['00', '49', '99'])}"
    specs = "".join(
        f"<tr><th>{k}</th><td>{v}</td></tr>"
        for k, v in [
            ("Weight", f"{rng.randint(2, 40) / 10} kg"),
            ("Colour", rng.choice(["Black", "Grey", "Blue", "Red"])),
            ("Warranty", f"{rng.randint(1, 5)} years"),
            ("Model", f"X{rng.randint(100, 999)}"),
        ]
    )
    body = (
        _header(page.site) + f'<div class="breadcrumb">Home / Shop / {html.escape(art.title)}</div>'
        f'<div class="product"><h1 class="product-title">{html.escape(art.title)}</h1>'
        f'<div class="price">${price}</div><button class="add-to-cart">Add to cart</button>'
        f'<table class="specs">{specs}</table><div class="reviews"><h2>Customer review</h2>'
        + render_blocks(art.blocks, page.style, page.seed)
        + "</div></div>"
        + _sidebar(rng, page.teasers)
        + _footer(rng, page.site)
        + _cookie_banner()
    )
    return _document(_head(art.title, page.style), body, page.lang)


LAYOUTS: dict[str, Callable[[Rng, PageInput], str]] = {
    "blog": layout_blog,
    "forum": layout_forum,
    "lecture": layout_lecture,
    "wiki": layout_wiki,
    "portal": layout_portal,
    "product": layout_product,
}
