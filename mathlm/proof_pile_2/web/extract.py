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
PRE_TEX = "pre_tex"  # display TeX printed inside a <pre> block (CAS output), kept verbatim there

# Images that are formulas by their class, and blocks whose images are display formulas.
MATH_IMAGE_CLASSES = frozenset(
    {"math", "latex", "tex", "formulaInl", "formulaDsp", "latexcenter", "displayed"}
)
DISPLAY_IMAGE_CLASSES = frozenset({"formulaDsp", "latexcenter", "displayed"})
# The images in (or being) a display-math block: Sphinx's ``div.math``, Doxygen's ``.formulaDsp``.
DISPLAY_MATH_IMAGES = "div.math img, .formulaDsp img, img.formulaDsp"
# The images that may be formulas: a superset of what ``image_fragment`` accepts (its class, a display
# block, a formula service's URL: each LATEX_IMAGE_URL pattern holds "tex", "codecogs" or "chart"; alt or
# title text opening with a delimiter). A page's other images, often most of them, then never become
# Python objects (about 9 us each) nor get looked at.
MATH_IMAGES = ", ".join(
    [
        "img:is({})".format(
            ", ".join(
                [
                    *(f".{name}" for name in sorted(MATH_IMAGE_CLASSES)),
                    "[class*='mwe-math-fallback-image']",
                    "[src*='tex' i]",
                    "[src*='codecogs' i]",
                    "[src*='chart' i]",
                    "[alt*='$']",
                    "[alt*='\\\\']",
                    "[title*='$']",
                    "[title*='\\\\']",
                ]
            )
        ),
        "div.math img",
        ".formulaDsp img",
    ]
)

# One query, so that formulas come back in document order (outer elements before their descendants).
MATH_SELECTOR = ", ".join(
    [
        "script[type^='math/']",
        ".katex-display",
        ".katex",
        "mjx-container",
        ".mwe-math-element",
        "math",
        MATH_IMAGES,
        ".MathJax_Preview",
        ".MathJax",
        ".MathJax_Display",
        ".MathJax_SVG",
        ".MathJax_SVG_Display",
        ".MathJax_CHTML",
        ".MJX_Assistive_MathML",
    ]
)
# MathJax 2 output and previews rendered into a saved page: the source is in the neighbouring <script>.
MATHJAX_RENDERED = frozenset(
    {
        "MathJax_Preview",
        "MathJax",
        "MathJax_Display",
        "MathJax_SVG",
        "MathJax_SVG_Display",
        "MathJax_CHTML",
        "MJX_Assistive_MathML",
    }
)

# Never text: dropped without further checks.
NEVER_TEXT_TAGS = frozenset(
    """
    script style noscript template iframe svg canvas object embed button select input textarea dialog link meta
""".split()
)
NEVER_TEXT_SELECTOR = ", ".join(sorted(NEVER_TEXT_TAGS))
# Boilerplate by tag, role or visibility: what the page itself declares as furniture. The style and role
# tests sit behind ``[style]`` / ``[role]``, so that the many elements without one fail on the first test
# (about a third of the query's time).
HIDING_STYLES = ["display:none", "display: none", "visibility:hidden", "visibility: hidden"]
FURNITURE_ROLES = [
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "menu",
    "menubar",
    "dialog",
    "alertdialog",
]
BOILERPLATE_SELECTOR = ", ".join(
    [
        "nav",
        "aside",
        "footer",
        "header",
        "form",
        "menu",
        "address",
        "[hidden]",
        "[aria-hidden='true']",
        "[style]:is({})".format(", ".join(f"[style*='{style}' i]" for style in HIDING_STYLES)),
        "[role]:is({})".format(", ".join(f"[role='{role}']" for role in FURNITURE_ROLES)),
        "body > a[href^='#']",  # "Skip to content" links: an in-page jump outside any text block
    ]
)
# Block elements judged on their structure (link density, size). Of inline elements only spans are, and
# only named, link-only ones, so that a link is never cut out of the middle of a sentence.
BLOCK_TAGS = frozenset(
    {
        "div",
        "section",
        "p",
        "ul",
        "ol",
        "dl",
        "table",
        "tbody",
        "tr",
        "td",
        "center",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "span",
    }
)
BLOCK_SELECTOR = ", ".join(sorted(BLOCK_TAGS))
# How many levels above a link its text counts towards an element's link density.
LINK_LEVELS = 3
# class/id words that name page furniture. A class or id counts when one of its words (split at
# non-alphanumerics: "site-footer", "sidebar_left") IS one of these; and even then the element goes only
# when its structure agrees (it is link-dense or small, see ``is_named_furniture``).
FURNITURE_WORDS = frozenset(
    """
    nav navbar navigation menu mainmenu footer sidebar sidebarwrapper sphinxsidebar comment comments share
    social cookie cookies banner breadcrumb breadcrumbs related widget advert advertisement ad ads popup
    modal newsletter subscribe signup login pagination pager toolbar skip editsection masthead disqus
    sponsor promo consent gdpr copyright byline tags teaser topbar vote toc navpath header
""".split()
)
NAME_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
CLASS_VALUE = re.compile(r"""class=["']([^"']*)""")
ID_VALUE = re.compile(r"""id=["']([^"']*)""")
# A block whose text is at least this share link text, with at least LINK_BLOCK_MIN_LINKS links (or one
# link that is all its text), is navigation: menus, chapter bars, "Next: / Previous: / Up:" headers.
LINK_DENSITY = 0.6
LINK_BLOCK_MIN_LINKS = 2
# ...or at least half link text with many links.
MANY_LINKS = 5
MANY_LINKS_DENSITY = 0.45
# Position: a direct child of <body> among the first or last EDGE_BLOCKS, with a link and at most
# EDGE_BLOCK_CHARS characters, is a banner or a credit line ("generated by ...", a survey banner).
EDGE_BLOCKS = 3
EDGE_BLOCK_CHARS = 200
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
EDGE_KEEP_TAGS = HEADING_TAGS | {"main", "article", "pre", "table"}
# A named block goes only if it is at least this link-dense, or holds less text than SMALL_BLOCK_CHARS.
NAMED_LINK_DENSITY = 0.3
SMALL_BLOCK_CHARS = 300
# Never drop a block holding more than this share of the page's prose (text outside links): that is the
# main content, whatever it looks like. And if all removals together would leave less than
# MIN_KEPT_SHARE of the prose, structural removal is skipped for the page.
MAIN_CONTENT_SHARE = 0.3
MIN_KEPT_SHARE = 0.3
PROTECTED_TAGS = frozenset({"html", "body", "main", "article"})
# Judged on their links only when their class or id names furniture.
INLINE_OR_HEADING = HEADING_TAGS | {"span"}

LATEX_IMAGE_URL = re.compile(
    r"codecogs\.com|latex\.php\?|mimetex|mathtex|chart\.apis\.google\.com/chart\?.*cht=tx|"
    r"latex\.artofproblemsolving\.com|/latex\?|tex2img|\.latex\?",
    re.I,
)
RENDER_DIRECTIVES = re.compile(
    r"^(?:\s*\\(?:dpi\{\d+\}|bg_\w+|bg\{\w+\}|fn_\w+|inline|normalsize|normal|large|Large|LARGE|huge|Huge|"
    r"small|tiny|displaystyle)(?![A-Za-z]))+\s*"
)
DISPLAYSTYLE_WRAPPER = re.compile(r"^\{\\(?:displaystyle|textstyle)\s*(.*)\}$", re.S)
CDATA_WRAPPER = re.compile(r"^\s*(?:%\s*)?<!\[CDATA\[|(?:%\s*)?\]\]>\s*$")
PLACEHOLDER_OPEN, PLACEHOLDER_CLOSE = "\ue000", "\ue001"
PLACEHOLDER = re.compile(f"{PLACEHOLDER_OPEN}(\\d+){PLACEHOLDER_CLOSE}")
# A <pre> element needs this in the source (tag names are ASCII case-insensitive).
PRE_TAG = re.compile("<pre", re.I)
BLANK_LINES_INSIDE = re.compile(r"\n\s*\n")
BULLETS = "•◦▪"
# Inside a formula: any character but a blank line (TeX ends a paragraph there, so a delimiter across one
# is not a pair). ``$$`` spans also hold no ``$``, so one unpaired literal ``$$`` cannot pair with the
# opening ``$$`` of a later formula and swallow the text between them.
_IN_MATH = r"(?:[^\n]|\n(?![ \t]*\n))"
TEXT_MATH = re.compile(
    r"(?=[$\\])"  # every delimiter starts with one of these: a cheap test before the alternatives
    r"(?:\$\$(?P<dd>(?:[^$\n]|\n(?![ \t]*\n)){1,4000}?)\$\$"
    rf"|\\\[(?P<bd>{_IN_MATH}{{1,4000}}?)\\\]"
    rf"|\\\((?P<bi>{_IN_MATH}{{1,2000}}?)\\\)"
    rf"|(?P<env>\\begin\{{(?P<name>equation|align|gather|multline|eqnarray|displaymath)\*?\}}{_IN_MATH}+?"
    r"\\end\{(?P=name)\*?\})"
    r"|(?<![\\$\w])\$(?=[^\s$])(?P<di>[^$\n]{1,400}?)(?<=[^\s\\])\$(?!\d))",
)
# ``$...$`` or ``$$...$$`` whose inside reads as prose ("$PREFIX/share is in your path ($") is two
# literal dollars.
PROSE_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
TEX_SIGN = re.compile(r"[\\^_{}=]")
PROSE_MIN_WORDS = 5
LITERAL_DOLLAR = re.compile(r"(?<!\\)\$")
ASCIIMATH_TEXT = re.compile(r"`([^`\n]{1,300})`")
BACKTICK_REFERENCE = re.compile(r"&(?:#0*96(?![0-9])|#[xX]0*60(?![0-9a-fA-F])|grave;|DiacriticalGrave;)")


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
    """Extract the main text of an HTML page, every formula kept as LaTeX between ``$``/``$$``.

    The page's own placeholder delimiters (private-use characters, as icon fonts use) are dropped first,
    so that no text of the page can pose as a placeholder.
    """
    if PLACEHOLDER_OPEN in html or PLACEHOLDER_CLOSE in html:
        html = html.replace(PLACEHOLDER_OPEN, "").replace(PLACEHOLDER_CLOSE, "")
    tree = parse_html(html)
    if tree.body is None:
        return ExtractedPage(text="", title=tree.title or "")
    table = FragmentTable()
    # AsciiMath input only changes how backtick spans read: without a backtick the scripts need no look.
    asciimath = may_show_backticks(html) and uses_asciimath(tree)
    lift_math(tree, table)
    if PRE_TAG.search(html):  # a cheap test of the source spares a walk over the tree
        lift_code_blocks(tree, table)
    remove_boilerplate(tree, furniture_words(html))
    raw_text = extract_plain_text(
        tree,
        preserve_formatting=True,
        main_content=False,
        list_bullets=True,
        alt_texts=False,
        links=False,
        form_fields=False,
        noscript=False,
        comments=False,
    )
    page = assemble(tidy_lines(raw_text), table, asciimath)
    page.title = (tree.title or "").strip()
    return page


def parse_html(html: str) -> HTMLTree:
    """Parse, replacing lone surrogates (left by a lossy upstream decode) instead of raising."""
    try:
        return HTMLTree.parse(html)
    except UnicodeEncodeError:
        return HTMLTree.parse(html.encode("utf-8", "replace").decode("utf-8"))


# --- math in the DOM ---------------------------------------------------------------------------------


def lift_math(tree: HTMLTree, table: FragmentTable) -> None:
    """Replace every math element with a placeholder (or remove its rendered debris), in document order."""
    display_images = DisplayImages(tree.body)
    for node in outermost(tree.body.query_selector_all(MATH_SELECTOR).values()):
        if node.tag != "mjx-container" and MATHJAX_RENDERED.intersection(node.class_list.values()):
            table.found_math = True
            node.remove()
            continue
        fragment = math_fragment(node, display_images)
        if fragment is None:
            continue
        table.found_math = True
        if fragment.content:
            node.outer_html = table.placeholder(fragment)
        else:
            node.remove()


class DisplayImages:
    """The images inside display-math blocks, found with one query when first asked about.

    Asking each image for its ``closest`` block parses the selector and walks the ancestors every time
    (about 25 us an image; Sphinx pages hold hundreds of formula images). Replacing other formulas never
    changes an image's ancestors, so the answer stays right while the math is lifted.
    """

    def __init__(self, body) -> None:
        self.body = body
        self.images: set | None = None

    def __contains__(self, image) -> bool:
        if self.images is None:
            self.images = set(self.body.query_selector_all(DISPLAY_MATH_IMAGES).values())
        return image in self.images


def math_fragment(node, display_images: DisplayImages) -> Fragment | None:
    """The formula an element stands for; None when it is not math (an ordinary image)."""
    tag = node.tag
    if tag == "script":
        return script_fragment(node)
    if tag == "img":
        return image_fragment(node, node in display_images)
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


def image_fragment(node, in_display_block: bool) -> Fragment | None:
    """LaTeX rendered as an image: the source is in its alt (or title) text, for a formula service the URL.

    An image is a formula when its class says so (Sphinx imgmath ``img.math``, Doxygen ``formulaInl`` /
    ``formulaDsp``, ``latex``/``tex`` plugins), when it sits in a display-math block (Sphinx's
    ``div.math > p > img``, Doxygen's ``.formulaDsp``), when a formula service rendered it, or when its alt
    text carries its own TeX delimiters (``$x^2$``, ``\\[..\\]``) around something that looks like LaTeX.
    """
    classes = node.class_list.values()
    alt = (node.getattr("alt") or node.getattr("title") or "").strip()
    if classes and any(name.startswith("mwe-math-fallback-image") for name in classes):
        return Fragment(strip_displaystyle(alt), WIKIPEDIA, any("display" in name for name in classes))
    src = node.getattr("src") or ""
    from_service = bool(LATEX_IMAGE_URL.search(src))
    latex, delimited_display = unwrap_delimiters(alt)
    named = in_display_block or not MATH_IMAGE_CLASSES.isdisjoint(classes)
    if not (from_service or named or (latex != alt and looks_like_latex(latex))):
        return None
    if not looks_like_latex(latex) and from_service:
        latex = latex_from_url(src)
    display = delimited_display or in_display_block or not DISPLAY_IMAGE_CLASSES.isdisjoint(classes)
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
    if text[:1] not in ("$", "\\"):
        return text, False  # most alt text: no delimiter can open it
    for opening, closing, display in (
        ("$$", "$$", True),
        ("\\[", "\\]", True),
        ("$", "$", False),
        ("\\(", "\\)", False),
    ):
        if len(text) > len(opening) + len(closing) and text.startswith(opening) and text.endswith(closing):
            return text[len(opening) : -len(closing)].strip(), display
    return text, False


def looks_like_latex(text: str) -> bool:
    """Whether alt text could be a formula (a letter alone is, in a math image: Sphinx writes ``alt="n"``)."""
    return (
        bool(text)
        and len(text) < 2000
        and (len(text) <= 2 or any(char in text for char in "\\^_{}=+-<>|/()0123456789"))
    )


def strip_displaystyle(latex: str) -> str:
    """MediaWiki wraps every formula in ``{\\displaystyle ...}``: drop the wrapper, keep the formula."""
    latex = latex.strip()
    match = DISPLAYSTYLE_WRAPPER.match(latex)
    return match.group(1).strip() if match else latex


def may_show_backticks(html: str) -> bool:
    """Whether the page's text can hold a backtick: a literal one, or a character reference to one."""
    return "`" in html or ("&" in html and BACKTICK_REFERENCE.search(html) is not None)


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

    A block holding a formula element stays in the DOM (its placeholder must reach the text to be put
    back). A block with display TeX in its text (a CAS printing ``$$...$$``) is math: the page counts as
    having math, and its formulas are counted in ``assemble``.
    """
    for pre in outermost(tree.body.get_elements_by_tag_name("pre").values()):
        code = (pre.text or "").strip("\n")
        if code.strip() and PLACEHOLDER_OPEN not in code:
            fragment = Fragment(code, CODE)
            if display_tex(code):
                table.found_math = True
            pre.outer_html = table.placeholder(fragment)


def remove_boilerplate(tree: HTMLTree, named: frozenset[str] = FURNITURE_WORDS) -> None:
    """Drop non-text elements and page furniture, judged on the page's structure.

    1. Elements the page declares as furniture: ``nav``, ``aside``, ``footer``, page-level ``header``,
       ``form``, ``address``, ARIA navigation/banner roles, hidden elements.
    2. Link-dense blocks: menus, tables of contents, chapter bars, texinfo "Next: / Previous: / Up:" lines.
    3. Blocks whose class or id names furniture ("sidebar", "footer", "comments"), when small or link-dense;
       ``named`` are the furniture words the page uses at all (see ``furniture_words``).

    Steps 2 and 3 never drop a block with a formula in it, nor one holding the bulk of the page's prose,
    and they are skipped when together they would leave little of the page (the main content is never
    emptied).
    """
    # Only the body's: the text extraction never reads the head, and the head's scripts, styles and
    # metadata are most of these elements. One query finds both kinds (each query walks the whole
    # tree); the never-text elements go first, so that what is judged below sees the page without them.
    body = tree.body
    declared = body.query_selector_all(f"{NEVER_TEXT_SELECTOR}, {BOILERPLATE_SELECTOR}").values()
    for node in outermost([node for node in declared if node.tag in NEVER_TEXT_TAGS]):
        node.remove()
    for node in declared:
        # Removal only detaches: what went with an element removed before is no longer in the body.
        if node.tag not in NEVER_TEXT_TAGS and body.contains(node) and is_declared_furniture(node):
            node.remove()
    links = LinkStats(body)
    page_prose = len(body.text or "") - links.total_chars
    edges = edge_furniture(body, links)
    found = [
        node
        for node in (*links.blocks(), *named_blocks(body, named))
        if is_structural_furniture(node, links, page_prose) and not inside_any(node, edges)
    ]
    candidates = edges + outermost_of(found)
    dropped_prose = sum(map(links.prose, candidates))
    if page_prose and page_prose - dropped_prose < MIN_KEPT_SHARE * page_prose:
        return
    for node in candidates:
        node.remove()


class LinkStats:
    """Link text per element for the few levels above each link, in one pass over the page's links.

    Navigation sits within LINK_LEVELS levels of its links (``ul > li > a``, ``div > p > a``, a texinfo
    header ``div > p > a``), so only those ancestors are counted: asking every block of the page for its
    links would walk the whole subtree once per block. Lengths are characters, whitespace included.
    """

    def __init__(self, root) -> None:
        self.chars: dict = {}
        self.count: dict = {}
        self.texts: dict = {}
        self.total_chars = 0
        # ``.parent`` builds a new node object, the costliest step here. So the walk goes up level by level,
        # with each level's elements and the link text and links below them summed first: one ``.parent``
        # per element and level, however many links share it (a menu's ``li``s share their ``ul``).
        level: dict = {}
        for link in root.get_elements_by_tag_name("a").values():
            chars = len(link.text or "")
            self.total_chars += chars
            parent = link.parent
            counted = level.get(parent)
            level[parent] = (chars, 1) if counted is None else (counted[0] + chars, counted[1] + 1)
        for levels_left in range(LINK_LEVELS, 0, -1):
            above: dict = {}
            for node, (chars, count) in level.items():
                if node is None or node.tag in PROTECTED_TAGS:
                    continue
                self.chars[node] = self.chars.get(node, 0) + chars
                self.count[node] = self.count.get(node, 0) + count
                if levels_left > 1:
                    parent = node.parent
                    counted = above.get(parent)
                    above[parent] = (
                        (chars, count) if counted is None else (counted[0] + chars, counted[1] + count)
                    )
            level = above

    def blocks(self) -> list:
        """The counted elements that are blocks (or spans), the candidates for link-dense navigation."""
        return [node for node in self.count if node.tag in BLOCK_TAGS]

    def links(self, node) -> int:
        return self.count.get(node, 0)

    def link_chars(self, node) -> int:
        return self.chars.get(node, 0)

    def text(self, node) -> str:
        """The element's text, built once: judging a block and tallying what goes both read it."""
        text = self.texts.get(node)
        if text is None:
            text = self.texts[node] = node.text or ""
        return text

    def prose(self, node) -> int:
        """Characters of text outside links (links deeper than LINK_LEVELS count as prose)."""
        return len(self.text(node)) - self.chars.get(node, 0)


def furniture_words(html: str) -> frozenset[str]:
    """The furniture words used in the page's ``class="..."`` and ``id="..."`` values.

    Two regular expressions with a literal prefix are far cheaper than parsing every attribute or testing
    each furniture word against the whole page. Other spellings (unquoted, upper case) are missed:
    those blocks are then judged on their links and position only.
    """
    values = set(CLASS_VALUE.findall(html))  # a site repeats its few class names all over the page
    values.update(ID_VALUE.findall(html))
    return FURNITURE_WORDS.intersection(NAME_WORD_SPLIT.split(" ".join(values).lower()))


def named_blocks(body, named: frozenset[str]) -> list:
    """Blocks whose class or id has one of the ``named`` furniture words in it (whole words checked later)."""
    if not named:
        return []
    # Only blocks are asked for: the words match as substrings ("header" in Sphinx's "headerlink" on every
    # heading's link), and each element handed out costs a Python object.
    names = ", ".join(f"[class*='{word}' i], [id*='{word}' i]" for word in sorted(named))
    return body.query_selector_all(f":is({names}):is({BLOCK_SELECTOR})").values()


def outermost_of(nodes: list) -> list:
    """The nodes not inside another one of them (a node listed twice stays twice), in no particular order.

    Comparing each node with the outermost ones found so far, not with all the others: nested blocks
    are the rule (``td > div > p``), so that list stays short.
    """
    kept: list = []
    for node in nodes:
        if not any(other is not node and other.contains(node) for other in kept):
            kept = [other for other in kept if other is node or not node.contains(other)]
            kept.append(node)
    return kept


def inside_any(node, containers: list) -> bool:
    """Whether one of the containers holds the node."""
    return any(container.contains(node) for container in containers) if containers else False


def edge_furniture(body, links: LinkStats) -> list:
    """Short blocks with links at the very start or end of the page: banners, "generated by" credits.

    Only direct children of ``body`` are looked at, up to EDGE_BLOCKS from each end, and the walk stops at
    the first block that is not small, has no link, is a heading or holds a formula.
    """
    found: list = []
    for node, step in (
        (body.first_element_child, "next_element_sibling"),
        (body.last_element_child, "previous_element_sibling"),
    ):
        looked = 0
        while node is not None and looked < EDGE_BLOCKS:
            text = links.text(node).strip()
            if text:
                looked += 1
                if (
                    node.tag in EDGE_KEEP_TAGS
                    or len(text) > EDGE_BLOCK_CHARS
                    or PLACEHOLDER_OPEN in text
                    or not links.links(node)
                ):
                    break
                if not any(node is kept for kept in found):
                    found.append(node)
            node = getattr(node, step)
    return found


def is_declared_furniture(node) -> bool:
    """Whether an element that the page marks as navigation, header, footer or hidden is furniture."""
    if node.tag in PROTECTED_TAGS:
        return False
    if node.tag == "header" and node.closest("article, main") is not None:
        return False  # an article's own header holds its title
    if node.tag == "aside" and "footnote" in f"{node.class_name or ''} {node.getattr('role') or ''}":
        return False  # docutils and Sphinx write footnotes (``role="doc-footnote"``) as asides: content
    if node.tag == "form":  # ASP.NET pages wrap everything in one <form>
        return (
            len(node.text or "") < MAIN_CONTENT_SHARE * len(node.parent.text or "") if node.parent else True
        )
    return True


def is_structural_furniture(node, links: LinkStats, page_prose: int) -> bool:
    """Whether a block is navigation by its links, or named furniture that is small or link-dense."""
    count = links.links(node)
    tag = node.tag
    span = tag == "span"
    inline_or_heading = tag in INLINE_OR_HEADING
    # The name is read only where it decides: reading class and id costs more than the link checks.
    named = has_furniture_name(node) if not count or inline_or_heading else None
    if not (count or named) or (inline_or_heading and not named):
        # cheap exits first: most blocks have neither links nor a furniture name. A heading is never a
        # menu by its links alone: docutils and Sphinx make section titles links back to the contents.
        return False
    text = links.text(node)
    if PLACEHOLDER_OPEN in text:
        return False  # a formula is content
    chars = len(text.strip())
    if not chars:
        return False
    link_chars = links.link_chars(node)
    if page_prose and len(text) - link_chars > MAIN_CONTENT_SHARE * page_prose:
        return False
    density = min(1.0, link_chars / chars)
    if count >= MANY_LINKS and density >= MANY_LINKS_DENSITY:
        return True  # a chapter bar: "Goto Chapter: Top 1 2 3 ... Bib Ind"
    if span:  # inline: only a named, link-only piece such as MediaWiki's "[edit]"
        return density >= LINK_DENSITY
    if density >= LINK_DENSITY and (count >= LINK_BLOCK_MIN_LINKS or density >= 0.99):
        return True
    if named is None:
        named = has_furniture_name(node)
    return named and (density >= NAMED_LINK_DENSITY or chars < SMALL_BLOCK_CHARS)


def has_furniture_name(node) -> bool:
    """Whether a word of the element's class or id is a furniture word."""
    names = f"{node.class_name or ''} {node.id or ''}".lower()
    return not FURNITURE_WORDS.isdisjoint(NAME_WORD_SPLIT.split(names))


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
    """List bullets as ``- ``, one tab between table cells, no blank-line runs, no edge whitespace.

    Line by line with string methods: a few hundred lines per page, where per-match regex callbacks
    cost more than the rest of the text handling together.
    """
    text = squeeze(text, "\t", 1)
    lines = text.split("\n")
    for number, line in enumerate(lines):
        line = line.strip(" \t")
        if line and line[0] in BULLETS:
            line = ("- " + line[1:].lstrip(" \t")).rstrip(" \t")
        lines[number] = line
    return squeeze("\n".join(lines), "\n", 2).strip()


def squeeze(text: str, char: str, most: int) -> str:
    """Runs of ``char`` longer than ``most`` cut to ``most``.

    With ``str.replace`` until none is left: each pass shortens every run by a third or more, and a pass
    is a fast search over the text, where a regular expression stops at every single newline or tab.
    """
    longer, kept = char * (most + 1), char * most
    while longer in text:
        text = text.replace(longer, kept)
    return text


def assemble(text: str, table: FragmentTable, asciimath: bool) -> ExtractedPage:
    """Put the lifted fragments back and list the formulas in reading order.

    Literal dollars in the prose (outside any formula) are escaped as ``\\$``, so that no reader of the
    text pairs a price with a later formula's ``$``. Code blocks stay verbatim; their display TeX counts.
    """
    pieces: list[str] = []
    fragments: list[str] = []
    stats: Counter[str] = Counter()
    after_block = False
    for index, part in enumerate(PLACEHOLDER.split(text)):
        if index % 2 == 0:
            part = escape_literal_dollars(part)
            pieces.append(part.lstrip(" \t") if after_block else part)
            for kind, latex in text_math(part, asciimath):
                fragments.append(latex)
                stats[kind] += 1
            continue
        fragment = table.fragments[int(part)]
        if fragment.kind == CODE:
            for latex in display_tex(fragment.content):
                fragments.append(latex)
                stats[PRE_TEX] += 1
        else:
            fragment.content = clean_latex(fragment.content)
            fragments.append(fragment.content)
            stats[fragment.kind] += 1
        after_block = fragment.is_block
        if after_block:
            pieces[-1] = pieces[-1].rstrip(" \t")
        pieces.append(fragment.render())
    out = squeeze("".join(pieces), "\n", 2).strip()
    return ExtractedPage(
        text=out,
        math_fragments=fragments,
        found_math=table.found_math or bool(fragments),
        math_stats=dict(stats),
    )


def text_math(text: str, asciimath: bool) -> list[tuple[str, str]]:
    """Formulas written with delimiters in the page's own text, which stay as they are."""
    found = [(TEXT_DELIMITED, latex) for latex, _display in delimited_math(text)]
    if asciimath:
        found.extend((ASCIIMATH, match.group(1).strip()) for match in ASCIIMATH_TEXT.finditer(text))
    return found


def math_matches(text: str) -> list[re.Match]:
    """The delimited formulas of a text, less ``$...$`` pairs whose inside reads as prose."""
    if "$" not in text and "\\" not in text:
        return []  # every delimiter starts with one of them; the regex scan is the costly part
    return [
        match
        for match in TEXT_MATH.finditer(text)
        if not reads_as_prose(match.group("di") or match.group("dd"))
    ]


def reads_as_prose(inside: str | None) -> bool:
    """Whether the inside of a ``$`` or ``$$`` pair is words without any TeX sign, or holds a URL: then its
    dollars are literal ones (prices, shell variables, a table of links)."""
    if inside is None:
        return False
    return "://" in inside or (
        len(PROSE_WORD.findall(inside)) >= PROSE_MIN_WORDS and not TEX_SIGN.search(inside)
    )


def delimited_math(text: str) -> list[tuple[str, bool]]:
    """(LaTeX, display) of each ``$..$``, ``$$..$$``, ``\\(..\\)``, ``\\[..\\]`` or equation environment."""
    found = []
    for match in math_matches(text):
        dd, bd, bi, env, di = match.group("dd", "bd", "bi", "env", "di")
        latex = dd or bd or bi or env or di  # one alternative matched, and each matches >= 1 character
        found.append((latex.strip(), di is None and bi is None))
    return found


def display_tex(code: str) -> list[str]:
    """The display formulas (``$$..$$``, ``\\[..\\]``, environments) printed in a code block: CAS output.

    Inline ``$...$`` in code is left alone: there it is far more often a shell or Perl variable.
    """
    return [latex for latex, display in delimited_math(code) if display and latex]


def escape_literal_dollars(text: str) -> str:
    """``$`` outside every formula of the text becomes ``\\$``; formulas keep their delimiters."""
    if "$" not in text:
        return text
    pieces, position = [], 0
    for match in math_matches(text):
        pieces.append(LITERAL_DOLLAR.sub(r"\\$", text[position : match.start()]))
        pieces.append(match.group(0))
        position = match.end()
    pieces.append(LITERAL_DOLLAR.sub(r"\\$", text[position:]))
    return "".join(pieces)


def clean_latex(latex: str) -> str:
    """No blank lines inside a formula (TeX ends a paragraph there) and no edge whitespace."""
    if "\n" not in latex:
        return latex.strip()
    return BLANK_LINES_INSIDE.sub("\n", latex).strip()
