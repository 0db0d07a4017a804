"""MathPrefilter on raw HTML: math markers and LaTeX let a page through, everything else is dropped."""

from __future__ import annotations

import re

from datatrove.data import Document

from mathlm.proof_pile_2.web.prefilter import (
    LATEX_COMMANDS,
    MATH_MARKERS,
    MathPrefilter,
    has_math_marker,
    strip_tags,
)

MATHJAX = (
    '<html><head><script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
    "</head><body><p>Solve $x^2=2$.</p></body></html>"
)
KATEX = (
    '<html><body><span class="katex"><annotation encoding="application/x-tex">a+b</annotation></span>'
    "</body></html>"
)
MATHML = "<html><body><p>The root <math><msqrt><mi>x</mi></msqrt></math> is real.</p></body></html>"
RECIPE = "<html><body><h1>Pancakes</h1><p>Mix 2 cups of flour with milk and fry.</p></body></html>"
LATEX_IN_TEXT = r"<html><body><p>We get \frac{1}{2} + \sqrt{2} as the answer.</p></body></html>"
CODE_ONLY = (
    r"<html><body><pre>C:\Users\alice\Documents\report.txt</pre>"
    r'<script>var s = "\\nothing";</script></body></html>'
)


def run(prefilter: MathPrefilter, pages: list[str]) -> list[str]:
    docs = [Document(text=page, id=str(i)) for i, page in enumerate(pages)]
    return [doc.id for doc in prefilter.run(iter(docs))]


def test_math_markup_and_latex_pass_other_pages_are_dropped_with_a_reason() -> None:
    prefilter = MathPrefilter()
    kept = run(prefilter, [MATHJAX, KATEX, MATHML, RECIPE, LATEX_IN_TEXT, CODE_ONLY])
    assert kept == ["0", "1", "2", "4"]
    assert prefilter.stats["dropped_no_math"].total == 2
    assert prefilter.stats["math_marker"].total == 3
    assert prefilter.stats["latex_command"].total == 1


def test_long_mathematical_text_without_listed_commands_passes_on_its_math_score() -> None:
    worked = " ".join(
        f"We have {k} + {k} = {2 * k} and {k}^2 = {k * k}, so the equation holds." for k in range(40)
    )
    page = rf"<html><body><p>\mycustommacro {worked}</p></body></html>"
    short = r"<html><body><p>\mycustommacro 1 + 1 = 2</p></body></html>"
    prefilter = MathPrefilter()
    assert run(prefilter, [page, short]) == ["0"]
    assert prefilter.stats["math_score"].total == 1


def test_markers_match_in_any_case() -> None:
    assert all(marker == marker.lower() for marker in MATH_MARKERS)  # the page is lowercased, not the markers
    assert has_math_marker("<script>MathJax.Hub.Config({tex2jax: {}})</script>")
    assert has_math_marker('<script type="Math/TeX">x^2</script>')
    assert not has_math_marker("<p>Mathematics department news</p>")


def test_strip_tags_removes_scripts_styles_and_tags() -> None:
    html = (
        "<html><style>p {color: red}</style><script>var x = '\\frac';</script><p>kept <b>text</b></p></html>"
    )
    assert strip_tags(html).split() == ["kept", "text"]


def test_latex_command_list_has_no_merged_entries() -> None:
    """A missing comma in the tuple would glue two names into one ("frac" "sqrt" -> "fracsqrt").

    Every entry must be a command that TeX math really has: matplotlib's mathtext tables name ~1,000
    of them; the few macros they lack (fractions, fonts, ``\\operatorname``...) are listed here.
    """
    from matplotlib import _mathtext, _mathtext_data

    known = set(_mathtext_data.tex2uni)
    for table in vars(_mathtext.Parser).values():
        if isinstance(table, (set, frozenset, dict)):
            known |= {name.lstrip("\\") for name in table if isinstance(name, str)}
    known |= {
        "frac",
        "dfrac",
        "tfrac",
        "sqrt",
        "le",
        "ge",
        "mathbb",
        "mathcal",
        "mathrm",
        "mathbf",
        "operatorname",
        "binom",
        "overline",
        "displaystyle",
        "mod",
        "pmod",
        "over",  # TeX primitive fraction, as Maxima and MathJax pages write it
        "choose",
        "left",
        "right",
    }
    assert len(LATEX_COMMANDS) == len(set(LATEX_COMMANDS)) >= 85
    assert all(re.fullmatch(r"[A-Za-z]+", name) for name in LATEX_COMMANDS)
    assert [name for name in LATEX_COMMANDS if name not in known] == []
