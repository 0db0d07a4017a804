"""The math-aware extractor on handwritten real-world pages: every math source, boilerplate, bad input."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from mathlm.proof_pile_2.web.extract import ExtractedPage, decode_html, extract_math_text

FIXTURES = Path(__file__).parent / "fixtures"


def extract_fixture(name: str, url: str | None = None) -> ExtractedPage:
    return extract_math_text(decode_html((FIXTURES / name).read_bytes()), url=url)


def assert_absent(text: str, *needles: str) -> None:
    for needle in needles:
        assert needle not in text, f"{needle!r} leaked into the text:\n{text}"


def test_mathjax_scripts_keep_inline_and_display_mode():
    page = extract_fixture("mathjax_blog.html")
    assert page.title == "The Cauchy-Schwarz inequality, three ways | Notes on Analysis"
    assert page.found_math
    assert "For vectors $u, v \\in \\mathbb{R}^n$ the inequality states" in page.text
    # Display math stands on its own line between $$, as OpenWebMath's published extractor does not keep.
    assert "\n$$|\\langle u, v \\rangle| \\le \\|u\\| \\, \\|v\\|$$\n" in page.text
    # "mode = display" with spaces and a CDATA-wrapped body are still display math, without the wrapper.
    assert "\n$$4\\langle u,v\\rangle^2 - 4\\|u\\|^2\\|v\\|^2 \\le 0$$\n" in page.text
    assert page.math_fragments == [
        r"u, v \in \mathbb{R}^n",
        r"|\langle u, v \rangle| \le \|u\| \, \|v\|",
        "u",
        "v",
        r"p(t) = \|u + t v\|^2 \ge 0",
        r"p(t) = \|v\|^2 t^2 + 2 \langle u, v \rangle t + \|u\|^2 .",
        r"4\langle u,v\rangle^2 - 4\|u\|^2\|v\|^2 \le 0",
    ]
    assert page.math_stats == {"mathjax_script": 7}


def test_mathjax_page_drops_previews_rendered_output_and_wordpress_furniture():
    text = extract_fixture("mathjax_blog.html").text
    assert_absent(
        text,
        "u,v the",
        "|u⋅v",
        "Skip to content",
        "Real analysis",
        "About",
        "Recent Posts",
        "Nice proof",
        "Post Comment",
        "Proudly powered",
        "cookies",
        "Previous: Jensen",
        "Tagged",
        "MathJax.Hub",
        "line-height",
    )
    assert "Proof by a quadratic" in text
    # <pre> keeps its indentation.
    assert "def dot(u, v):\n    return sum(a * b for a, b in zip(u, v))" in text


def test_code_block_keeps_its_indentation_whatever_the_tag_case():
    for tag in ("pre", "PRE", "Pre"):
        page = extract_math_text(f"<p>Code:</p><{tag}>if x:\n    y = 1</{tag}>")
        assert page.text == "Code:\n\nif x:\n    y = 1", tag


def test_formula_images_in_display_blocks_stand_on_their_own_lines():
    page = extract_math_text(
        '<p>Let <img class="math" src="a.png" alt="\\alpha"> be given; then</p>'
        '<div class="math"><p><img src="b.png" alt="\\sum_k a_k"></p></div>'
        '<p>and by Doxygen <img class="formulaDsp" src="c.png" alt="\\[ x^2 \\]"></p>'
        '<div class="formulaDsp"><img src="d.png" alt="y_1"></div>'
        '<div class="figure"><img src="plot.png" alt="a plot"></div>'
    )
    assert page.text == (
        "Let $\\alpha$ be given; then\n\n$$\\sum_k a_k$$\n\nand by Doxygen\n$$x^2$$\n\n$$y_1$$"
    )
    assert page.math_fragments == ["\\alpha", "\\sum_k a_k", "x^2", "y_1"]


def test_formula_inside_a_code_block_is_still_put_back():
    page = extract_math_text('<pre>x = 1\n<script type="math/tex">\\alpha</script></pre>')
    assert page.text == "x = 1\n$\\alpha$"
    assert page.math_fragments == [r"\alpha"]


def test_katex_keeps_annotation_and_drops_glyph_spans():
    page = extract_fixture("katex_notes.html")
    assert page.math_fragments == [
        r"I = \int_{-\infty}^{\infty} e^{-x^2}\,dx",
        r"I^2 = \int_0^{2\pi}\int_0^\infty e^{-r^2} r\,dr\,d\theta = \pi",
        r"I = \sqrt{\pi}",
        "I > 0",
        "x^2+y^2",  # no annotation: converted from KaTeX's MathML
    ]
    assert "We want to compute $I = \\int_{-\\infty}^{\\infty} e^{-x^2}\\,dx$. Squaring" in page.text
    assert "\n$$I^2 = \\int_0^{2\\pi}\\int_0^\\infty e^{-r^2} r\\,dr\\,d\\theta = \\pi$$\n" in page.text
    assert "so $I = \\sqrt{\\pi}$ because $I > 0$." in page.text
    assert "still has its MathML: $x^2+y^2$." in page.text
    assert_absent(page.text, "x2+y2", "−x2", "∫02π", "e−r2", "Iπ", "Tweet", "Lectures")
    assert page.math_stats == {"katex": 5}


def test_presentation_mathml_becomes_latex():
    page = extract_fixture("mathml_page.html")
    assert page.math_fragments == [
        r"\varphi=\frac{1+\sqrt{5}}{2}",
        r"\sqrt[3]{2}",
        "a_n=2^{n+1}",
        "T_{ij}^k",
        "f'(x)",
        r"\sum_{k=1}^n k=\frac{n(n+1)}{2}",
        r"\lim_{x\to0}\frac{\sin x}{x}=1",
        r"\overline{x}\leq\alpha\ \text{almost surely}",
        r"A=\begin{bmatrix}1 & 2 \\ 3 & 4\end{bmatrix},\quad "
        r"\det A=\begin{vmatrix}1 & 2 \\ 3 & 4\end{vmatrix}=-2",
        r"\left( a,b \right)\subset\mathbb{R}",
    ]
    assert "The golden ratio is $\\varphi=\\frac{1+\\sqrt{5}}{2}$ and the cube root" in page.text
    assert "\n$$\\lim_{x\\to0}\\frac{\\sin x}{x}=1$$\n" in page.text
    assert_absent(page.text, "Home | Examples", "Copyright 2021", "φ=1+52")


def test_mathjax3_assistive_mathml_is_converted_and_glyphs_dropped():
    page = extract_fixture("mathjax3_rendered.html")
    assert page.math_fragments == ["A", r"\lambda^2-\operatorname{tr}(A)\lambda+\det(A)=0"]
    assert "The characteristic polynomial of $A$ is\n\n$$\\lambda^2" in page.text


def test_wikipedia_math_from_annotation_and_fallback_images():
    page = extract_fixture("wikipedia_article.html")
    assert page.math_fragments == [r"e^{i\pi }+1=0", "e", "i^{2}=-1", r"x=\pi"]
    assert (
        "is the equality\n$$e^{i\\pi }+1=0$$\nwhere $e$ is Euler's number and $i^{2}=-1$ defines" in page.text
    )
    assert_absent(
        page.text,
        "displaystyle",
        "Jump to content",
        "Navigation menu",
        "Create account",
        "Contents",
        "[edit]",
        "Categories",
        "last edited",
    )
    assert page.math_stats == {"wikipedia_image": 4}


def test_latex_images_from_alt_text_and_formula_urls():
    page = extract_fixture("latex_images.html")
    assert page.math_fragments == [
        r"\int u\,dv = uv - \int v\,du",  # codecogs alt text
        r"u=x,\;dv=e^x\,dx",  # codecogs URL: alt says "formula", render directives stripped
        r"\int x e^x\,dx = (x-1)e^x + C",  # codecogs URL, percent-encoded, empty alt
        r"\frac{d}{dx}(uv)=u'v+uv'",  # WordPress img.latex
        r"\sin^2\theta+\cos^2\theta=1",  # AoPS alt with its own $ delimiters
        r"\sum_{n=1}^\infty \frac{1}{n^2} = \frac{\pi^2}{6}",  # AoPS display (\[...\])
    ]
    assert "\n$$\\sum_{n=1}^\\infty \\frac{1}{n^2} = \\frac{\\pi^2}{6}$$\n" in page.text
    assert_absent(page.text, "Site logo", "next", "&space;", "dpi", "Index")


def test_text_delimiters_stay_intact_and_are_counted():
    page = extract_fixture("text_delimiters.html")
    assert (
        "Suppose \\(\\sqrt{2} = p/q\\) with \\(\\gcd(p,q)=1\\). Then $$p^2 = 2q^2,$$ so $p$ is even."
        in page.text
    )
    assert "then \\[4k^2 = 2q^2 \\implies q^2 = 2k^2,\\] so $q$ is even" in page.text
    assert "\\begin{equation} p \\mid a^2 \\implies p \\mid a. \\end{equation}" in page.text
    # Prices and shell prompts are not math: their dollars come out escaped.
    assert (
        r"(This costs \$5 in the bookstore, or \$10 with shipping; the shell prompt is \$ ls.)" in page.text
    )
    assert page.math_fragments == [
        r"\sqrt{2}",
        r"\sqrt{2} = p/q",
        r"\gcd(p,q)=1",
        "p^2 = 2q^2,",
        "p",
        "p = 2k",
        r"4k^2 = 2q^2 \implies q^2 = 2k^2,",
        "q",
        r"\sqrt{p}",
        "p",
        r"\begin{equation} p \mid a^2 \implies p \mid a. \end{equation}",
    ]
    assert page.found_math
    assert_absent(page.text, "Log in", "Similar threads", "vBulletin", "Number theory")


def test_boilerplate_heavy_page_keeps_only_the_article():
    page = extract_fixture("boilerplate_heavy.html")
    assert page.text == (
        "What is a group homomorphism?\n\n"
        "A map $\\varphi\\colon G \\to H$ between groups is a homomorphism when\n\n"
        "$$\\varphi(ab) = \\varphi(a)\\varphi(b) \\quad \\text{for all } a, b \\in G.$$\n\n"
        "Its kernel is a normal subgroup of G, and the image is a subgroup of H.\n\n"
        "- Example: the determinant from invertible matrices to the nonzero reals.\n"
        "- Example: the sign of a permutation.\n\n"
        "The first isomorphism theorem identifies the image with the quotient by the kernel."
    )


def test_hidden_and_role_furniture_goes_whatever_its_tag():
    prose = "The Sylow theorems count p-subgroups of a finite group and bound how many there are."
    furniture = {
        "role-nav": '<div role="navigation">{}</div>',
        "role-banner": '<p role="banner">{}</p>',
        "role-search": '<section role="search">{}</section>',
        "role-dialog": '<div role="alertdialog">{}</div>',
        "hidden-attr": "<p hidden>{}</p>",
        "aria-hidden": '<p aria-hidden="true">{}</p>',
        "display-none": '<p style="color: red; DISPLAY: NONE">{}</p>',
        "visibility": '<div style="visibility:hidden">{}</div>',
    }
    body = "".join(markup.format(f"Leftover {name}") for name, markup in furniture.items())
    kept = f'<div role="main"><p style="color: red">{prose}</p><p role="note">Kept note.</p></div>'
    page = extract_math_text(f"<html><body>{body}{kept}</body></html>")
    assert page.text == prose + "\n\nKept note."


def test_broken_html_never_raises_and_keeps_its_math():
    page = extract_fixture("broken.html")
    assert page.title == "Lecture notes (draft)"
    assert page.math_fragments[:4] == [
        r"\sum_{n\ge1} \frac1n",
        r"\sum_{n\ge1} \frac{(-1)^{n+1}}{n} = \ln 2",
        r"\frac{1}{1-r}",  # <mrow> never closed
        "|r|<1",  # <math> never closed
    ]
    assert "n\tpartial sum\n1\t1\n2\t0.5" in page.text  # table rows as lines, cells tab-separated


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "<",
        "</p></div>",
        "<html><body></body></html>",
        "<math><mfrac></mfrac></math>",
        "<script type='math/tex'>",
        "\x00\x01",
        "<p>lone \ud800 surrogate</p>",
        "<katex class='katex'>",
        "<p>icon font glyphs \ue0007\ue001 look like placeholders</p>",
    ],
)
def test_degenerate_input_gives_a_page_not_an_error(html):
    page = extract_math_text(html)
    assert isinstance(page.text, str)


def test_non_utf8_page_is_decoded_from_its_meta_charset():
    raw = (FIXTURES / "latin1.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    page = extract_math_text(decode_html(raw, content_type="text/html"))
    assert page.title == "Théorème de Pythagore"
    assert "le carré de l'hypoténuse est égal à la somme" in page.text
    assert "l'angle droit fait 90°." in page.text
    assert page.math_fragments == ["a^2 + b^2 = c^2", "a^2 + b^2 = c^2"]


def test_http_charset_wins_then_meta_then_fallbacks():
    assert decode_html("π ≤ 4".encode(), "text/html; charset=UTF-8") == "π ≤ 4"
    assert decode_html("côté".encode("cp1252"), "text/html; charset=windows-1252") == "côté"
    # A server that says UTF-8 for cp1252 bytes: the bytes do not decode, so the cp1252 fallback does.
    assert decode_html("Théorème".encode("cp1252"), "text/html; charset=utf-8") == "Théorème"
    assert decode_html(b"<p>plain ascii</p>", None) == "<p>plain ascii</p>"
    cyrillic = '<html><head><meta charset="windows-1251"></head><body><p>Производная</p></body></html>'
    assert "Производная" in decode_html(cyrillic.encode("cp1251"), "text/html")


def test_asciimath_backticks_count_only_where_the_page_configures_asciimath():
    page = extract_fixture("asciimath.html")
    assert "To simplify `sqrt(50)`, factor out" in page.text
    assert "Likewise `sqrt(18) = 3sqrt(2)`." in page.text
    assert page.math_fragments == ["sqrt(50)", "sqrt(50) = sqrt(25*2) = 5sqrt(2)", "sqrt(18) = 3sqrt(2)"]
    plain = extract_math_text("<p>Run `make test` first.</p>")
    assert plain.math_fragments == [] and not plain.found_math
    # Backticks written as character references are backticks too (the scripts are read only when the
    # page can show one).
    configured = '<script src="/js/ASCIIMathML.js"></script>'
    referenced = extract_math_text(
        f"<html><head>{configured}</head><p>Here &#96;x^2&#x60; and &grave;y&grave;</p>"
    )
    assert referenced.math_fragments == ["x^2", "y"]
    no_backtick = extract_math_text(f"<html><head>{configured}</head><p>No backtick, $x$.</p>")
    assert no_backtick.math_fragments == ["x"]


def test_page_without_math_is_not_math():
    page = extract_math_text(
        "<html><head><title>Recipes</title></head><body><h1>Pancakes</h1>"
        "<p>Mix 2 eggs with 300 ml milk.</p><ol><li>Whisk</li><li>Fry</li></ol>"
        "</body></html>"
    )
    assert page == ExtractedPage(
        text="Pancakes\n\nMix 2 eggs with 300 ml milk.\n\n1. Whisk\n2. Fry",
        title="Recipes",
        math_fragments=[],
        found_math=False,
        math_stats={},
    )


def test_layout_wrapper_with_a_boilerplate_name_is_not_dropped():
    html = (
        "<body><div id='page' class='page-with-sidebar'><p>"
        + "Real content about primes. " * 20
        + "</p><div class='sidebar'>Archives</div></div></body>"
    )
    text = extract_math_text(html).text
    assert text.startswith("Real content about primes.")
    assert "Archives" not in text


def test_truncated_and_corrupted_pages_never_raise():
    """Crawls cut pages off mid-tag and garble bytes; extraction must still return a page."""
    rng = random.Random(0)
    for path in sorted(FIXTURES.glob("*.html")):
        html = decode_html(path.read_bytes())
        step = max(1, len(html) // 25)
        for cut in range(0, len(html), step):
            for variant in (html[:cut], html[cut:], html[:cut] + html[cut + step // 2 :]):
                assert isinstance(extract_math_text(variant).text, str)
        for _ in range(10):
            chars = list(html)
            for _ in range(30):
                chars[rng.randrange(len(chars))] = rng.choice("<>/\"'=&;$\\{}")
            assert isinstance(extract_math_text("".join(chars)).text, str)


def test_section_titles_that_link_back_to_the_contents_are_kept():
    # docutils writes each title as a link back to its contents entry; the contents list itself is a menu.
    html = (
        "<html><body><main><h1>Notes</h1>"
        "<nav class='contents'><ul><li><a href='#one'>1 Groups</a></li><li><a href='#two'>2 Rings</a></li>"
        "<li><a href='#three'>3 Fields</a></li></ul></nav>"
        "<section id='one'><h2><a class='toc-backref' href='#toc-1'>1 Groups</a></h2>"
        "<p>A group is a set with an associative operation, a unit and inverses.</p></section>"
        "<section id='two'><h2><a class='toc-backref' href='#toc-2'>2 Rings</a></h2>"
        "<p>A ring adds a second operation that distributes over the first one.</p></section>"
        "</main></body></html>"
    )
    text = extract_math_text(html).text
    assert "1 Groups\n\nA group is a set" in text
    assert "2 Rings\n\nA ring adds" in text
    assert "3 Fields" not in text


def test_footnotes_written_as_asides_are_content_and_sidebars_are_not():
    html = (
        "<html><body><main><p>The map is a homomorphism.<a href='#fn1' role='doc-noteref'>[1]</a></p>"
        "<aside class='footnote-list brackets'><aside class='footnote brackets' id='fn1' role='doc-footnote'>"
        "<p>Here <math><semantics><mi>f</mi><annotation encoding='application/x-tex'>f(ab)=f(a)f(b)</annotation>"
        "</semantics></math> for all a and b.</p></aside></aside></main>"
        "<aside class='sidebar'><p>Popular posts this week</p></aside></body></html>"
    )
    text = extract_math_text(html).text
    assert "Here $f(ab)=f(a)f(b)$ for all a and b." in text
    assert "Popular posts" not in text
