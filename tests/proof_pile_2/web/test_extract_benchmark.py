"""The pure-Python parts of ``benchmarks/extract_html.py``: corpus loading, expectations, ground truth."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[3] / "benchmarks" / "extract_html.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("extract_html_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_ground_truth_enumerates_the_markup_formulas(bench):
    fragments = bench.markup_fragments((FIXTURES / "katex_notes.html").read_text())
    assert [(fragment.latex, fragment.kind) for fragment in fragments] == [
        (r"I = \int_{-\infty}^{\infty} e^{-x^2}\,dx", "katex"),
        (r"I^2 = \int_0^{2\pi}\int_0^\infty e^{-r^2} r\,dr\,d\theta = \pi", "katex"),
        (r"I = \sqrt{\pi}", "katex"),
        ("I > 0", "katex"),
        ("x^2+y^2", "mathml"),
    ]


def test_ground_truth_reads_formula_images_of_sphinx_and_doxygen(bench):
    html = (
        '<p>Let <img class="math" src="_images/math/a.png" alt="\\alpha_1"> be</p>'
        '<div class="math"><p><img src="_images/math/b.png" alt="\\sum_k x_k"></p></div>'
        '<p><img class="formulaInl" alt="$N_0/2$" src="form_1.png"> and '
        '<img class="formulaDsp" alt="\\[ x^2 \\]" src="form_2.png"></p><img src="logo.png" alt="Logo">'
    )
    assert [fragment.latex for fragment in bench.markup_fragments(html)] == [
        r"\alpha_1",
        r"\sum_k x_k",
        "N_0/2",
        "x^2",
    ]


def test_expectations_compare_formulas_modulo_spacing_and_text_exactly(bench):
    page = bench.RealPage(
        id="p",
        family="f",
        math=True,
        latex=True,
        html="",
        must_math=[r"\frac{a}{b}", "z^2"],
        must_text=["Main prose here."],
        must_not=["Next: Chapter 2"],
    )
    text = "Main prose  here. We have $$\\frac {a}{b}$$ and z^2 outside math.\nNext: Chapter 2"
    assert bench.check_expectations(page, text) == [
        ("must_math", r"\frac{a}{b}", True),
        ("must_math", "z^2", False),
        ("must_text", "Main prose here.", True),
        ("must_not", "Next: Chapter 2", False),
    ]


def test_owm_config_is_fixed_to_its_likeliest_choices(bench):
    randomized = {
        "markdown_headings": [[0.9, True], [0.1, False]],
        "remove_buttons": True,
        "boilerplate_config": {
            "ratio_threshold": [[0.1, 0.30], [0.9, 0.18]],
            "enable": [[0.95, True], [0.05, False]],
        },
        "table_config": {"min_rows": 2, "format": "plain"},
    }
    assert bench.most_likely(randomized) == {
        "markdown_headings": True,
        "remove_buttons": True,
        "boilerplate_config": {"ratio_threshold": 0.18, "enable": True},
        "table_config": {"min_rows": 2, "format": "plain"},
    }


def test_family_table_counts_held_expectations_and_kept_formulas(bench):
    pages = [
        bench.RealPage(
            id="a",
            family="sphinx",
            math=True,
            latex=True,
            html='<p><img class="math" alt="x^2"> and <img class="math" alt="y"></p>',
            must_math=["x^2"],
            must_not=["Quick search"],
        ),
        bench.RealPage(
            id="b", family="news", math=False, latex=False, html="<p>Hello</p>", must_text=["Hello"]
        ),
    ]
    tallies = bench.family_tallies(pages, ["We have $x^2$ and y.\nQuick search", "Hello"])
    assert (tallies["sphinx"].held, tallies["sphinx"].expectations) == (1, 2)
    assert (tallies["sphinx"].kept, tallies["sphinx"].formulas, tallies["sphinx"].boilerplate) == (1, 2, 1)
    assert (tallies["all"].held, tallies["all"].expectations, tallies["all"].pages) == (2, 3, 2)


def test_normalize_tells_a_line_break_before_a_space_from_a_control_space(bench):
    # Text extraction flattens "\\<newline>" to "\\ ": still the same line break, not "\" + control space.
    flattened, verbatim = "T_1 & T_2 \\\\ 0 & 0", "T_1 & T_2 \\\\\n0 & 0"
    assert bench.normalize(flattened) == bench.normalize(verbatim) == r"T_1&T_2\\0&0"
    assert bench.normalize(r"a\ b") == "ab"
    assert bench.normalize("a\\\\\\ b") == r"a\\b"
    text = "\\[ T = \\left[ \\begin{array}{cc} T_1 & T_2 \\\\ 0 & 0 \\end{array} \\right] \\]"
    latex = "T = \\left[ \\begin{array}{cc}\n  T_1 & T_2 \\\\\n  0 & 0\n\\end{array} \\right]"
    fragment = bench.MarkupFragment(latex, "x")
    assert bench.formulas_kept([fragment], text) == 1


def test_ground_truth_pairs_text_delimiters_within_one_block(bench):
    # The markdown-it-texmath test page: a source cell ending in a literal ``$$`` beside a rendered cell
    # that starts with one. The pair across the two cells is no formula; the rendered cell's is.
    html = (
        "<table><tr><td>some text\n $\\$a+b=c$$</td><td><p>some text\n$$a+b=c$$</p></td></tr>"
        "<tr><td>$x$ and</td><td>$y$</td></tr></table><p>Inline <em>$z$</em> stays one $w^2$.</p>"
    )
    assert [fragment.latex for fragment in bench.markup_fragments(html)] == ["a+b=c", "x", "y", "z", "w^2"]
