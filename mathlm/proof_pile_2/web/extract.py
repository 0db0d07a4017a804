"""Math-aware HTML -> text: OpenWebMath's stage 2, keeping every formula as LaTeX.

A web page writes math in many ways: MathJax ``<script type="math/tex">`` (inline or display), KaTeX (a TeX
annotation plus rendered glyph spans), MathML, LaTeX images (codecogs, WordPress, Wikipedia fallbacks) and
plain-text delimiters (``$...$``, ``\\(...\\)``). Generic text extraction flattens all of them into glyph
debris ("x2+y2"). This extractor finds each formula in the DOM, swaps it for a placeholder, removes
boilerplate, lets resiliparse's C++ text extraction lay out the rest, then puts the formulas back as
``$...$`` (inline) or ``$$...$$`` (display, on its own line). Placeholders also carry ``<pre>`` blocks
through untouched, so code keeps its indentation.

Malformed markup never raises: the HTML5 parser repairs it, and every math handler treats missing
children or attributes as empty.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.encoding import bytes_to_str, detect_encoding, map_encoding_to_html5
from resiliparse.parse.html import HTMLTree

from mathlm.proof_pile_2.web.mathml import is_display_math, math_to_latex, tex_annotation

# Kinds of math source, the keys of ``ExtractedPage.math_stats``.
MATHJAX = "mathjax_script"
KATEX = "katex"
MATHML = "mathml"
LATEX_IMAGE = "latex_image"
WIKIPEDIA = "wikipedia_image"
TEXT_DELIMITED = "text_delimited"
ASCIIMATH = "asciimath"
CODE = "code"  # a <pre> block carried through verbatim; not math

# One query, so that formulas come back in document order (outer elements before their descendants).
MATH_SELECTOR = ", ".join([
    "script[type^='math/']", ".katex-display", ".katex", "mjx-container", ".mwe-math-element", "math", "img",
    ".MathJax_Preview", ".MathJax", ".MathJax_Display", ".MathJax_SVG", ".MathJax_SVG_Display",
    ".MathJax_CHTML", ".MJX_Assistive_MathML",
])
# MathJax 2 output and previews rendered into a saved page: the source is in the neighbouring <script>.
MATHJAX_RENDERED = frozenset({"MathJax_Preview", "MathJax", "MathJax_Display", "MathJax_SVG",
                              "MathJax_SVG_Display", "MathJax_CHTML", "MJX_Assistive_MathML"})

# Never text: dropped without further checks.
NEVER_TEXT = ("script, style, noscript, template, iframe, svg, canvas, object, embed, button, select, "
              "input, textarea, dialog, link, meta")
# Boilerplate by tag, role or visibility. A <form> that wraps most of the page (ASP.NET) stays.
BOILERPLATE_SELECTOR = ", ".join([
    "nav", "aside", "footer", "header", "form", "menu",
    "[hidden]", "[aria-hidden='true']", "[style*='display:none' i]", "[style*='display: none' i]",
    "[style*='visibility:hidden' i]", "[style*='visibility: hidden' i]",
    "[role='navigation']", "[role='banner']", "[role='contentinfo']", "[role='complementary']",
    "[role='search']", "[role='menu']", "[role='menubar']", "[role='dialog']", "[role='alertdialog']",
])
# class/id words that mark page furniture (unless the element wraps most of the page). A word of a
# class or id matches when it starts or ends with one of these ("site-footer", "mainnav",
# "sidebar-left"), so "unavailable" or "canvas" do not match "nav".
BOILERPLATE_WORDS = (
    "nav", "menu", "footer", "sidebar", "comment", "share", "social", "cookie", "banner", "breadcrumb",
    "related", "widget", "advert", "popup", "modal", "newsletter", "subscribe", "signup", "login",
    "pagination", "pager", "toolbar", "skip", "jump", "editsection", "masthead", "disqus", "sponsor",
    "promo", "consent", "gdpr", "copyright", "byline", "tag", "teaser", "topbar", "vote",
)
# Too short to match inside words ("header", "protocol"): these match as whole words only.
BOILERPLATE_WHOLE_WORDS = frozenset({"ad", "ads", "toc"})
BOILERPLATE_NAME_SELECTOR = ", ".join(
    [f"[class*='{word}' i], [id*='{word}' i]" for word in BOILERPLATE_WORDS]
    + [".ad, .ads, [class^='ad-' i], [class*=' ad-' i], [class^='ad_' i], [id^='ad-' i], [id^='ad_' i]",
       ".toc, #toc"]
)
# A list of at least this many links whose text is at least this share link text is navigation.
LINK_LIST_MIN_LINKS = 3
LINK_LIST_SHARE = 0.9
NAME_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
PROTECTED_TAGS = frozenset({"html", "body", "main", "article"})
# A boilerplate candidate holding more than this share of the page's text is a layout wrapper
# ("page-with-sidebar", an ASP.NET <form> around everything), not furniture.
WRAPPER_TEXT_SHARE = 0.6

LATEX_IMAGE_URL = re.compile(
    r"codecogs\.com|latex\.php\?|mimetex|mathtex|chart\.apis\.google\.com/chart\?.*cht=tx|"
    r"latex\.artofproblemsolving\.com|/latex\?|tex2img|\.latex\?", re.I)
RENDER_DIRECTIVES = re.compile(
    r"^(?:\s*\\(?:dpi\{\d+\}|bg_\w+|bg\{\w+\}|fn_\w+|inline|normalsize|normal|large|Large|LARGE|huge|Huge|"
    r"small|tiny|displaystyle)(?![A-Za-z]))+\s*")
DISPLAYSTYLE_WRAPPER = re.compile(r"^\{\\(?:displaystyle|textstyle)\s*(.*)\}$", re.S)
CDATA_WRAPPER = re.compile(r"^\s*(?:%\s*)?<!\[CDATA\[|(?:%\s*)?\]\]>\s*$")
PLACEHOLDER_OPEN, PLACEHOLDER_CLOSE = "\ue000", "\ue001"
PLACEHOLDER = re.compile(f"{PLACEHOLDER_OPEN}(\\d+){PLACEHOLDER_CLOSE}")
BULLET = re.compile(r"^[ \t]*[•◦▪][ \t]*", re.M)
TEXT_MATH = re.compile(
    r"(?=[$\\])"  # every delimiter starts with one of these: a cheap test before the alternatives
    r"(?:\$\$(?P<dd>.+?)\$\$"
    r"|\\\[(?P<bd>.+?)\\\]"
    r"|\\\((?P<bi>.+?)\\\)"
    r"|(?P<env>\\begin\{(?P<name>equation|align|gather|multline|eqnarray|displaymath)\*?\}.+?\\end\{(?P=name)\*?\})"
    r"|(?<![\\$\w])\$(?=[^\s$])(?P<di>[^$\n]{1,400}?)(?<=[^\s\\])\$(?!\d))",
    re.S,
)
ASCIIMATH_TEXT = re.compile(r"`([^`\n]{1,300})`")


@dataclass
class ExtractedPage:
    """What the extractor made of one page.

    ``found_math`` says the page had math markup (or delimited math in its text); the pipeline's
    math-score threshold depends on it. ``math_fragments`` are the LaTeX strings kept in ``text``, in
    order; ``math_stats`` counts them per source kind.
    """

    text: str
    title: str = ""
    math_fragments: list[str] = field(default_factory=list)
    found_math: bool = False
    math_stats: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Fragment:
    """A piece lifted out of the DOM and put back after text extraction."""

    content: str
    kind: str
    display: bool = False

    @property
    def is_block(self) -> bool:
        """Display math and code stand on their own lines."""
        return self.kind == CODE or (self.display and self.kind != ASCIIMATH)

    def render(self) -> str:
        if self.kind == CODE:
            return "\n\n" + self.content + "\n\n"
        if self.kind == ASCIIMATH:
            return "`" + self.content + "`"
        if self.display:
            return "\n$$" + self.content + "$$\n"
        return "$" + " ".join(self.content.split()) + "$"


class FragmentTable:
    """Fragments by placeholder index; the placeholder is text that survives resiliparse unchanged."""

    def __init__(self) -> None:
        self.fragments: list[Fragment] = []
        self.found_math = False

    def placeholder(self, fragment: Fragment) -> str:
        self.fragments.append(fragment)
        return f"{PLACEHOLDER_OPEN}{len(self.fragments) - 1}{PLACEHOLDER_CLOSE}"


def decode_html(raw: bytes, content_type: str | None = None) -> str:
    """Bytes of a page -> str: the HTTP charset when it names a real encoding, else the page's own
    ``<meta charset>``, else detection from the bytes.

    Undecodable bytes are dropped rather than raising, so one broken page never stops a shard.
    """
    encoding = None
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type or "", re.I)
    if match:
        encoding = map_encoding_to_html5(match.group(1), fallback_utf8=False)
    encoding = encoding or detect_encoding(raw, from_html_meta=True) or "utf-8"
    return bytes_to_str(raw, encoding, errors="ignore")


def extract_math_text(html: str, url: str | None = None) -> ExtractedPage:
    """Extract the main text of an HTML page, every formula kept as LaTeX between ``$``/``$$``."""
    tree = parse_html(html)
    if tree.body is None:
        return ExtractedPage(text="", title=tree.title or "")
    table = FragmentTable()
    asciimath = uses_asciimath(tree)
    lift_math(tree, table)
    lift_code_blocks(tree, table)
    remove_boilerplate(tree)
    raw_text = extract_plain_text(tree, preserve_formatting=True, main_content=False, list_bullets=True,
                                  alt_texts=False, links=False, form_fields=False, noscript=False,
                                  comments=False)
    page = assemble(tidy_lines(raw_text), table, asciimath)
    page.title = (tree.title or "").strip()
    return page


def parse_html(html: str) -> HTMLTree:
    """Parse, replacing lone surrogates (left by a lossy upstream decode) instead of raising.

    The page's own placeholder delimiters (private-use characters, as icon fonts use) are dropped
    first, so that no text of the page can pose as a placeholder.
    """
    if PLACEHOLDER_OPEN in html or PLACEHOLDER_CLOSE in html:
        html = html.replace(PLACEHOLDER_OPEN, "").replace(PLACEHOLDER_CLOSE, "")
    try:
        return HTMLTree.parse(html)
    except UnicodeEncodeError:
        return HTMLTree.parse(html.encode("utf-8", "replace").decode("utf-8"))


# --- math in the DOM ---------------------------------------------------------------------------------

def lift_math(tree: HTMLTree, table: FragmentTable) -> None:
    """Replace every math element with a placeholder (or remove its rendered debris), in document order."""
    for node in outermost(tree.body.query_selector_all(MATH_SELECTOR).values()):
        if node.tag != "mjx-container" and MATHJAX_RENDERED.intersection(node.class_list.values()):
            table.found_math = True
            node.remove()
            continue
        fragment = math_fragment(node)
        if fragment is None:
            continue
        table.found_math = True
        if fragment.content:
            node.outer_html = table.placeholder(fragment)
        else:
            node.remove()


def math_fragment(node) -> Fragment | None:
    """The formula an element stands for; None when it is not math (an ordinary image)."""
    tag = node.tag
    if tag == "script":
        return script_fragment(node)
    if tag == "img":
        return image_fragment(node)
    if tag == "math":
        return Fragment(math_to_latex(node), MATHML, is_display_math(node))
    if tag == "mjx-container":
        return mathjax3_fragment(node)
    classes = node.class_list.values()
    if "mwe-math-element" in classes:
        return wikipedia_fragment(node)
    return katex_fragment(node)


def script_fragment(node) -> Fragment:
    """MathJax 2 source: ``math/tex`` (``; mode=display`` for display), ``math/mml``, ``math/asciimath``."""
    kind = (node.getattr("type") or "").lower()
    source = CDATA_WRAPPER.sub("", node.text or "").strip()
    if kind.startswith("math/mml"):
        math = HTMLTree.parse(source).body.query_selector("math")
        if math is None:
            return Fragment("", MATHML)
        return Fragment(math_to_latex(math), MATHML, is_display_math(math))
    if kind.startswith("math/asciimath"):
        return Fragment(source, ASCIIMATH)
    return Fragment(source, MATHJAX, "mode=display" in kind.replace(" ", ""))


def katex_fragment(node) -> Fragment:
    """KaTeX: the TeX annotation (or its MathML); the ``.katex-html`` glyph spans go with the node."""
    display = "katex-display" in node.class_list.values()
    latex = tex_annotation(node)
    if latex is None:
        math = node.query_selector("math")
        latex = math_to_latex(math) if math is not None else ""
    return Fragment(latex, KATEX, display)


def mathjax3_fragment(node) -> Fragment:
    """MathJax 3 output keeps the formula as assistive MathML next to the rendered glyphs."""
    math = node.query_selector("math")
    display = node.getattr("display") == "true" or (math is not None and is_display_math(math))
    return Fragment(math_to_latex(math) if math is not None else "", MATHML, display)


def wikipedia_fragment(node) -> Fragment:
    """Wikipedia/MediaWiki: hidden MathML with a TeX annotation plus a fallback image with TeX alt text."""
    image = node.query_selector("img")
    latex = tex_annotation(node)
    if latex is None and image is not None:
        latex = image.getattr("alt") or ""
    display = image is not None and "display" in (image.class_name or "")
    math = node.query_selector("math")
    display = display or (math is not None and is_display_math(math))
    return Fragment(strip_displaystyle(latex or ""), WIKIPEDIA, display)


def image_fragment(node) -> Fragment | None:
    """LaTeX rendered as an image: the source is in the alt text and, for formula services, the URL."""
    classes = node.class_list.values()
    alt = (node.getattr("alt") or "").strip()
    if any(name.startswith("mwe-math-fallback-image") for name in classes):
        return Fragment(strip_displaystyle(alt), WIKIPEDIA, any("display" in name for name in classes))
    src = node.getattr("src") or ""
    from_service = bool(LATEX_IMAGE_URL.search(src))
    if not from_service and "latex" not in classes and "tex" not in classes:
        return None
    latex, display = unwrap_delimiters(alt)
    if not looks_like_latex(latex) and from_service:
        latex = latex_from_url(src)
    display = display or "latexcenter" in classes or "displayed" in classes
    return Fragment(RENDER_DIRECTIVES.sub("", latex).strip(), LATEX_IMAGE, display)


def latex_from_url(src: str) -> str:
    """The TeX in a formula-service URL: a ``latex``/``chl`` parameter, or the whole query string."""
    query = urlsplit(src).query
    params = parse_qs(query)
    for key in ("latex", "chl", "tex", "formula"):
        if params.get(key):
            return params[key][0]
    return unquote(query).replace("&space;", " ")  # codecogs' editor writes spaces as "&space;"


def unwrap_delimiters(text: str) -> tuple[str, bool]:
    """Alt text that carries its own ``$``/``$$``/``\\[``/``\\(`` delimiters (AoPS): strip, note display."""
    for opening, closing, display in (("$$", "$$", True), ("\\[", "\\]", True), ("$", "$", False),
                                      ("\\(", "\\)", False)):
        if len(text) > len(opening) + len(closing) and text.startswith(opening) and text.endswith(closing):
            return text[len(opening):-len(closing)].strip(), display
    return text, False


def looks_like_latex(text: str) -> bool:
    return bool(text) and any(char in text for char in "\\^_{}=+-<>|/()0123456789") and len(text) < 2000


def strip_displaystyle(latex: str) -> str:
    """MediaWiki wraps every formula in ``{\\displaystyle ...}``: drop the wrapper, keep the formula."""
    latex = latex.strip()
    match = DISPLAYSTYLE_WRAPPER.match(latex)
    return match.group(1).strip() if match else latex


def uses_asciimath(tree: HTMLTree) -> bool:
    """Whether the page configures MathJax's AsciiMath input, which makes backtick spans math."""
    for script in tree.document.query_selector_all("script").values():
        if "asciimath" in (script.getattr("src") or "").lower() or "AM_" in (script.getattr("src") or ""):
            return True
        if not script.getattr("src") and "asciimath" in (script.text or "").lower():
            return True
    return False


# --- the rest of the DOM -----------------------------------------------------------------------------

def lift_code_blocks(tree: HTMLTree, table: FragmentTable) -> None:
    """``<pre>`` blocks go through as placeholders so their whitespace survives text extraction.

    A block holding a formula stays in the DOM (its placeholder must reach the text to be put back).
    """
    for pre in outermost(tree.body.get_elements_by_tag_name("pre").values()):
        code = (pre.text or "").strip("\n")
        if code.strip() and PLACEHOLDER_OPEN not in code:
            pre.outer_html = table.placeholder(Fragment(code, CODE))


def remove_boilerplate(tree: HTMLTree) -> None:
    """Drop non-text elements, then navigation, sidebars, footers, comments, banners and hidden parts."""
    for node in outermost(tree.document.query_selector_all(NEVER_TEXT).values()):
        node.remove()
    page_chars = len(tree.body.text or "")
    for selector, by_name in ((BOILERPLATE_SELECTOR, False), (BOILERPLATE_NAME_SELECTOR, True)):
        removed = None  # removal only detaches, so a removed node can still tell what was inside it
        for node in tree.body.query_selector_all(selector).values():
            if (removed is None or not removed.contains(node)) and is_boilerplate(node, by_name, page_chars):
                node.remove()
                removed = node
    remove_link_lists(tree)


def remove_link_lists(tree: HTMLTree) -> None:
    """Lists whose text is almost all link text (menus, tag clouds, tables of contents) are navigation."""
    removed = None
    for listing in tree.body.query_selector_all("ul, ol").values():
        if removed is not None and removed.contains(listing):
            continue
        links = listing.get_elements_by_tag_name("a")
        if len(links) < LINK_LIST_MIN_LINKS:
            continue
        link_chars = sum(len("".join((link.text or "").split())) for link in links.values())
        if link_chars >= LINK_LIST_SHARE * len("".join((listing.text or "").split())):
            listing.remove()
            removed = listing


def is_boilerplate(node, by_name: bool, page_chars: int) -> bool:
    """Whether a candidate the selector found is furniture (by_name: it matched a class/id substring)."""
    if node.tag in PROTECTED_TAGS or (by_name and not has_boilerplate_name(node)):
        return False
    if node.tag == "header" and node.closest("article, main") is not None:
        return False  # an article's own header holds its title
    if by_name or node.tag == "form":
        return not is_wrapper(node, page_chars)
    return True


def has_boilerplate_name(node) -> bool:
    """Whether a word of the element's class or id starts or ends with a boilerplate word."""
    names = f"{node.class_name or ''} {node.id or ''}".lower()
    for word in NAME_WORD_SPLIT.split(names):
        if word in BOILERPLATE_WHOLE_WORDS or any(
                word.startswith(stem) or word.endswith(stem) for stem in BOILERPLATE_WORDS):
            return True
    return False


def is_wrapper(node, page_chars: int) -> bool:
    """Whether the element holds most of the page's text, so dropping it would drop the page."""
    return page_chars > 0 and len(node.text or "") > WRAPPER_TEXT_SHARE * page_chars


def outermost(nodes: list) -> list:
    """The nodes (in document order) that are not inside an earlier one.

    Computed before the DOM changes, so that replacing or removing one of them never leaves another
    pointing into a subtree that is gone.
    """
    kept = []
    for node in nodes:
        if not kept or not kept[-1].contains(node):
            kept.append(node)
    return kept


# --- text --------------------------------------------------------------------------------------------

def tidy_lines(text: str) -> str:
    """List bullets as ``- ``, one tab between table cells, no blank-line runs, no edge whitespace."""
    text = BULLET.sub("- ", text)
    text = re.sub(r"\t+", "\t", text)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def assemble(text: str, table: FragmentTable, asciimath: bool) -> ExtractedPage:
    """Put the lifted fragments back and list the formulas in reading order."""
    pieces: list[str] = []
    fragments: list[str] = []
    stats: Counter[str] = Counter()
    after_block = False
    for index, part in enumerate(PLACEHOLDER.split(text)):
        if index % 2 == 0:
            pieces.append(part.lstrip(" \t") if after_block else part)
            for kind, latex in text_math(part, asciimath):
                fragments.append(latex)
                stats[kind] += 1
            continue
        fragment = table.fragments[int(part)]
        if fragment.kind != CODE:
            fragment.content = clean_latex(fragment.content)
            fragments.append(fragment.content)
            stats[fragment.kind] += 1
        after_block = fragment.is_block
        if after_block:
            pieces[-1] = pieces[-1].rstrip(" \t")
        pieces.append(fragment.render())
    out = re.sub(r"\n{3,}", "\n\n", "".join(pieces)).strip()
    return ExtractedPage(text=out, math_fragments=fragments, found_math=table.found_math or bool(fragments),
                         math_stats=dict(stats))


def text_math(text: str, asciimath: bool) -> list[tuple[str, str]]:
    """Formulas written with delimiters in the page's own text, which stay as they are."""
    found = [(TEXT_DELIMITED, latex) for latex, _display in delimited_math(text)]
    if asciimath:
        found.extend((ASCIIMATH, match.group(1).strip()) for match in ASCIIMATH_TEXT.finditer(text))
    return found


def delimited_math(text: str) -> list[tuple[str, bool]]:
    """(LaTeX, display) of each ``$..$``, ``$$..$$``, ``\\(..\\)``, ``\\[..\\]`` or equation environment."""
    found = []
    for match in TEXT_MATH.finditer(text):
        latex = next(group for group in (match.group("dd"), match.group("bd"), match.group("bi"),
                                         match.group("env"), match.group("di")) if group is not None)
        found.append((latex.strip(), match.group("di") is None and match.group("bi") is None))
    return found


def clean_latex(latex: str) -> str:
    """No blank lines inside a formula (TeX ends a paragraph there) and no edge whitespace."""
    return re.sub(r"\n\s*\n", "\n", latex).strip()
