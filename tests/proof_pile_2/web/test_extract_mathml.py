"""MathML -> LaTeX on the markup that real pages and MathML generators write."""

from __future__ import annotations

from pathlib import Path

import pytest
from resiliparse.parse.html import HTMLTree, NodeType

from mathlm.proof_pile_2.web.mathml import (
    MathNode,
    is_display_math,
    markup_tex_annotation,
    math_to_latex,
    parse_math,
    tex_annotation,
)

REAL_PAGES = Path(__file__).resolve().parents[2] / "data" / "real_pages" / "pages"


def latex_of(markup: str) -> str:
    return math_to_latex(HTMLTree.parse(markup).body.query_selector("math"))


@pytest.mark.parametrize(
    ("markup", "latex"),
    [
        ("<math><mfrac><mi>a</mi><mi>b</mi></mfrac></math>", r"\frac{a}{b}"),
        ("<math><mfrac linethickness='0'><mi>n</mi><mi>k</mi></mfrac></math>", r"\binom{n}{k}"),
        ("<math><msqrt><mi>x</mi><mo>+</mo><mn>1</mn></msqrt></math>", r"\sqrt{x+1}"),
        ("<math><mroot><mi>x</mi><mn>5</mn></mroot></math>", r"\sqrt[5]{x}"),
        ("<math><msup><mi>e</mi><mrow><mi>i</mi><mi>θ</mi></mrow></msup></math>", r"e^{i\theta}"),
        ("<math><msub><mi>x</mi><mn>10</mn></msub></math>", "x_{10}"),
        ("<math><msubsup><mo>∫</mo><mn>0</mn><mn>1</mn></msubsup></math>", r"\int_0^1"),
        (
            "<math><msup><mrow><mo>(</mo><mi>a</mi><mo>+</mo><mi>b</mi><mo>)</mo></mrow><mn>2</mn></msup></math>",
            "(a+b)^2",
        ),
        ("<math><msup><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow><mn>2</mn></msup></math>", "{a+b}^2"),
        ("<math><mi>sin</mi><mo>&ApplyFunction;</mo><mi>x</mi></math>", r"\sin x"),
        ("<math><mi>span</mi></math>", r"\mathrm{span}"),
        (
            "<math><mo>&le;</mo><mo>&ne;</mo><mo>&infin;</mo><mo>&rarr;</mo><mo>&isin;</mo></math>",
            r"\leq\neq\infty\to\in",
        ),
        ("<math><mi>&Gamma;</mi><mo>(</mo><mi>s</mi><mo>)</mo></math>", r"\Gamma(s)"),
        ("<math><mi>a</mi><mo>&InvisibleTimes;</mo><mi>b</mi></math>", "ab"),
        ("<math><mo>{</mo><mi>x</mi><mo>}</mo><mo>%</mo></math>", r"\{x\}\%"),
        (
            "<math><munderover><mo>∑</mo><mrow><mi>i</mi><mo>=</mo><mn>0</mn></mrow><mi>∞</mi></munderover>"
            "<msub><mi>a</mi><mi>i</mi></msub></math>",
            r"\sum_{i=0}^\infty a_i",
        ),
        (
            "<math><munder><mo>lim</mo><mrow><mi>n</mi><mo>→</mo><mi>∞</mi></mrow></munder></math>",
            r"\lim_{n\to\infty}",
        ),
        ("<math><mover><mi>v</mi><mo>→</mo></mover></math>", r"\vec{v}"),
        (
            "<math><mover><mrow><mi>z</mi><mo>+</mo><mi>w</mi></mrow><mo>¯</mo></mover></math>",
            r"\overline{z+w}",
        ),
        ("<math><mover><mi>x</mi><mo>^</mo></mover></math>", r"\hat{x}"),
        ("<math><mover><mo>=</mo><mtext>def</mtext></mover></math>", r"\overset{\text{def}}{=}"),
        ("<math><munder><mrow><mi>a</mi><mi>b</mi></mrow><mo>⏟</mo></munder></math>", r"\underbrace{ab}"),
        ("<math><mtext>if </mtext><mi>x</mi><mo>&gt;</mo><mn>0</mn></math>", r"\text{if }x>0"),
        ("<math><mi>x</mi><mspace width='2em'/><mi>y</mi></math>", r"x\quad y"),
        (
            "<math><mtable><mtr><mtd><mi>a</mi></mtd><mtd><mi>b</mi></mtd></mtr>"
            "<mtr><mtd><mi>c</mi></mtd><mtd><mi>d</mi></mtd></mtr></mtable></math>",
            r"\begin{matrix}a & b \\ c & d\end{matrix}",
        ),
        (
            "<math><mrow><mo>(</mo><mtable><mtr><mtd><mn>1</mn></mtd></mtr><mtr><mtd><mn>2</mn></mtd></mtr>"
            "</mtable><mo>)</mo></mrow></math>",
            r"\begin{pmatrix}1 \\ 2\end{pmatrix}",
        ),
        ("<math><mfenced open='{' close=''><mi>a</mi><mi>b</mi></mfenced></math>", r"\left\{ a,b \right."),
        (
            "<math><mfenced separators=';'><mi>x</mi><mi>y</mi><mi>z</mi></mfenced></math>",
            r"\left( x;y;z \right)",
        ),
        (
            "<math><mi mathvariant='double-struck'>Z</mi><mo>/</mo><mi mathvariant='fraktur'>p</mi></math>",
            r"\mathbb{Z}/\mathfrak{p}",
        ),
        ("<math><menclose notation='box'><mi>x</mi></menclose></math>", r"\boxed{x}"),
        # Styled letters written as Unicode math alphanumerics (docutils' and MathML Core's output).
        ("<math><mi>𝐌</mi><mo>=</mo><mi>𝑋</mi><mo>∈</mo><mi>ℱ</mi></math>", r"\mathbf{M}=X\in\mathcal{F}"),
        (
            "<math><mi>𝛂</mi><mo>+</mo><mi>𝔑</mi><mo>+</mo><mn>𝟑</mn></math>",
            r"\boldsymbol{\alpha}+\mathfrak{N}+\mathbf{3}",
        ),
        # Accents as docutils writes them: spacing acute/grave/macron and a run of dots.
        (
            "<math><mover><mi>a</mi><mo>´</mo></mover><mover><mi>t</mi><mo>˙˙˙</mo></mover></math>",
            r"\acute{a}\dddot{t}",
        ),
        ("<math><mover><mi>ı</mi><mo>ˉ</mo></mover></math>", r"\bar{\imath}"),
        (
            "<math><mmultiscripts><mi>F</mi><mi>i</mi><none/><mprescripts/><mn>2</mn><none/></mmultiscripts></math>",
            "{}_2F_i",
        ),
        ("<math><mphantom><mi>x</mi></mphantom><mi>y</mi></math>", "y"),
        # The TeX annotation, when present, wins over the conversion.
        (
            "<math><semantics><mrow><mi>x</mi></mrow><annotation encoding='application/x-tex'>\\mathbf{x}"
            "</annotation></semantics></math>",
            r"\mathbf{x}",
        ),
        (
            "<math><semantics><mi>y</mi><annotation-xml encoding='MathML-Content'><ci>y</ci></annotation-xml>"
            "</semantics></math>",
            "y",
        ),
    ],
)
def test_mathml_to_latex(markup: str, latex: str):
    assert latex_of(markup) == latex


@pytest.mark.parametrize(
    "markup",
    [
        "<math><mfrac><mi>a</mi></mfrac></math>",
        "<math><msup></msup></math>",
        "<math><munderover><mo>∑</mo></munderover></math>",
        "<math><mtable><mtd>1</mtd></mtable></math>",
        "<math></math>",
        "<math><mroot/></math>",
        "<math><mmultiscripts/></math>",
    ],
)
def test_malformed_mathml_converts_without_error(markup: str):
    assert isinstance(latex_of(markup), str)


def test_display_attribute():
    tree = HTMLTree.parse("<math display='block'><mi>x</mi></math><math><mi>y</mi></math>")
    block, inline = tree.body.query_selector_all("math").values()
    assert is_display_math(block) and not is_display_math(inline)


def assert_same_tree(mine: MathNode | str, dom) -> None:
    """The converter's tree of an element equals resiliparse's DOM of it: tags, attributes, text, order."""
    if isinstance(mine, str):
        assert dom.type == NodeType.TEXT and mine == dom.text
        return
    assert mine.tag == dom.tag
    assert mine.attributes == {name: dom.getattr(name) for name in dom.attrs}
    assert mine.text == dom.text
    children = [
        child for child in dom.child_nodes.values() if child.type in (NodeType.ELEMENT, NodeType.TEXT)
    ]
    assert len(mine.children) == len(children)
    for child, dom_child in zip(mine.children, children, strict=True):
        assert_same_tree(child, dom_child)


TRICKY = (
    "<math display='block'><!-- a comment --><mspace width='1em'/><mi mathvariant=normal>x&amp;&lt;&nbsp;y</mi>"
    '<mtext>a<br>b "q" &gt; c</mtext><mi title=\'a&quot;b\'>z</mi><mo>&#x2212;</mo><mi class="x y">w</mi>'
    "<semantics><mi>t</mi><annotation encoding='application/x-tex'>a &lt; b<!-- c --></annotation></semantics>"
    "</math>"
)


@pytest.mark.parametrize(
    "page", ["docutils-math-experiments-mathml.html", "docutils-mathematics-mathml-pandoc.html", None]
)
def test_parsed_markup_matches_the_dom(page: str | None):
    """The conversion walks a tree parsed from ``node.html``: it must read exactly what the DOM holds, on real
    MathML (docutils' own MathML pages, one with TeX annotations) and on entities, comments, void elements
    and quoted attributes."""
    html = (REAL_PAGES / page).read_text(encoding="utf-8") if page else TRICKY
    maths = HTMLTree.parse(html).body.query_selector_all("math").values()
    assert maths
    for math in maths:
        assert_same_tree(parse_math(math.html), math)
        assert markup_tex_annotation(math.html) == tex_annotation(math)
