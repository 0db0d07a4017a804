"""The document model of the sample corpus: articles made of blocks whose text carries LaTeX.

Math is written inline as ``$...$`` and displayed as ``$$...$$``; :func:`split_math` turns that markup
into segments, so one article can be rendered in any of the math markup styles web pages use.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Math:
    """One formula: LaTeX source and whether it is displayed on its own line."""

    tex: str
    display: bool = False


Segment = str | Math
_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<!\\)\$(.+?)(?<!\\)\$", re.S)


def split_math(text: str) -> list[Segment]:
    """Text with ``$``/``$$`` markup as alternating plain strings and :class:`Math` segments."""
    segments: list[Segment] = []
    last = 0
    for match in _MATH.finditer(text):
        if match.start() > last:
            segments.append(text[last : match.start()])
        display, inline = match.groups()
        segments.append(Math(display if display is not None else inline, display is not None))
        last = match.end()
    if last < len(text):
        segments.append(text[last:])
    return segments


@dataclass
class Block:
    """A heading (``h2``), paragraph (``p``), ``theorem`` or ``proof`` of an article."""

    kind: str
    text: str

    def segments(self) -> list[Segment]:
        return split_math(self.text)


@dataclass
class Article:
    """A titled sequence of blocks on one topic; ``is_math`` says whether it is math exposition."""

    title: str
    topic: str
    blocks: list[Block] = field(default_factory=list)
    is_math: bool = True

    def plain_text(self) -> str:
        """The article as plain text with its LaTeX kept between dollar signs."""
        return "\n\n".join([self.title] + [block.text for block in self.blocks])


# Interchangeable words and phrases: each occurrence is swapped independently, so two articles built from
# the same template still differ every few words (few shared 5-grams) while reading naturally.
_SYNONYMS = [
    ("gives", "yields", "produces"),
    ("exactly", "precisely"),
    ("Since", "Because", "As"),
    ("therefore", "hence", "thus"),
    ("obtain", "get", "arrive at"),
    ("Consider", "Take", "Look at"),
    ("For example", "For instance", "As an example"),
    ("easy", "simple", "straightforward"),
    ("equals", "is equal to", "comes to"),
    ("shows", "proves", "demonstrates"),
    ("always", "invariably"),
    ("number", "quantity"),
    ("natural", "obvious", "standard"),
    ("classical", "well-known", "familiar"),
    ("we may use", "we can apply", "one can use"),
    ("immediately", "at once", "right away"),
    ("every", "each"),
    ("little", "small"),
    ("very", "quite", "really"),
    ("great", "excellent", "superb"),
    ("first", "initial"),
    ("usually", "normally", "typically"),
    ("recommend", "suggest"),
    ("about", "roughly", "around"),
    ("finally", "at last", "eventually"),
    ("which", "and this"),
    ("large", "big", "sizeable"),
    ("nice", "pleasant", "lovely"),
    ("said", "remarked", "noted"),
]
_SYNONYM_PATTERN = re.compile(
    r"\b("
    + "|".join(sorted({re.escape(w) for group in _SYNONYMS for w in group}, key=len, reverse=True))
    + r")\b"
)
_SYNONYM_GROUP = {word: group for group in _SYNONYMS for word in group}


def paraphrase(rng: random.Random, text: str) -> str:
    """Swap listed words for random synonyms outside the math of ``text``."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if word == "which" and match.string[max(0, match.start() - 2) : match.start()].strip() != ",":
            return word
        return rng.choice(_SYNONYM_GROUP[word])

    return "".join(
        _SYNONYM_PATTERN.sub(swap, part) if isinstance(part, str) else _as_markup(part)
        for part in split_math(text)
    )


def _as_markup(math: Math) -> str:
    return f"$${math.tex}$$" if math.display else f"${math.tex}$"
