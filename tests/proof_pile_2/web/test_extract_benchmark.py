"""The pure-Python parts of ``benchmarks/extract_html.py``: ground truth, scoring, OWM's fixed config."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from mathlm.proof_pile_2.web.extract import extract_math_text

BENCHMARK = Path(__file__).resolve().parents[3] / "benchmarks" / "extract_html.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("extract_html_benchmark", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_ground_truth_enumerates_the_markup_formulas(bench):
    html = (BENCHMARK.parent.parent / "tests/proof_pile_2/web/fixtures/katex_notes.html").read_text()
    fragments = bench.markup_fragments(html)
    assert [(fragment.latex, fragment.kind, fragment.display) for fragment in fragments] == [
        (r"I = \int_{-\infty}^{\infty} e^{-x^2}\,dx", "katex", False),
        (r"I^2 = \int_0^{2\pi}\int_0^\infty e^{-r^2} r\,dr\,d\theta = \pi", "katex", True),
        (r"I = \sqrt{\pi}", "katex", False),
        ("I > 0", "katex", False),
        ("x^2+y^2", "mathml", False),
    ]
    assert "x2+y2" in bench.glyph_debris(html)


def test_scoring_counts_kept_display_and_debris(bench):
    fragments = [bench.MarkupFragment(r"\frac{a}{b}", "mathjax_script", True),
                 bench.MarkupFragment(r"x \leq y", "katex", False),
                 bench.MarkupFragment("z^2", "katex", False)]
    text = "We have $$\\frac {a}{b}$$ and $x\\le y$, and x2+y2 too."
    result = bench.score(fragments, text)
    assert (result["kept"], result["display_kept"]) == (2, 1)
    assert [fragment.latex for fragment in result["lost"]] == ["z^2"]
    assert bench.has_debris(["x2+y2"], text)
    assert not bench.has_debris(["x2+y2"], "We have $x2+y2$ inside math only.")


def test_owm_config_is_fixed_to_its_likeliest_choices(bench):
    randomized = {"markdown_headings": [[0.9, True], [0.1, False]], "remove_buttons": True,
                  "boilerplate_config": {"ratio_threshold": [[0.1, 0.30], [0.9, 0.18]],
                                         "enable": [[0.95, True], [0.05, False]]},
                  "table_config": {"min_rows": 2, "format": "plain"}}
    assert bench.most_likely(randomized) == {
        "markdown_headings": True, "remove_buttons": True,
        "boilerplate_config": {"ratio_threshold": 0.18, "enable": True},
        "table_config": {"min_rows": 2, "format": "plain"},
    }


def test_our_extractor_keeps_every_fixture_formula_outside_boilerplate(bench):
    pages = [page for page in bench.load_pages() if page.page_set == "fixtures"]
    lost = []
    for page in pages:
        result = bench.score(bench.markup_fragments(page.html), extract_math_text(page.html).text)
        lost += [(page.name, fragment.latex) for fragment in result["lost"]]
    # The only one: the "Is $\pi$ irrational?" link in a related-posts box.
    assert lost == [("text_delimiters.html", r"\pi")]
