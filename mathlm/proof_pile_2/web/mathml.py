"""Presentation MathML -> LaTeX.

Pages that render math server-side (MathJax 3 assistive MathML, KaTeX without its TeX annotation, hand
written ``<math>``) carry no TeX source; the model should still see LaTeX, the notation it will be asked to
write, rather than the flattened glyphs ("x2+y2") that plain-text extraction of MathML gives. The
converter covers the presentation elements that real pages use; an element it does not know contributes
the LaTeX of its children, so nothing inside it is lost.

The walk is over a small tree of our own (``MathNode``), parsed from the element's serialised HTML, not
over resiliparse's nodes: every resiliparse node handed to Python costs an object and a weak-reference
entry (about 9 us), and a page of MathML holds thousands of them (docutils' MathML pages spent 90% of
their extraction time there). lexbor's serialisation is regular (every attribute double-quoted, every
non-void element closed, text escaped), so a tokenizer of two regular expressions reads it back exactly.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

TEX_ANNOTATION_ENCODINGS = frozenset(
    {"application/x-tex", "tex", "latex", "application/x-latex", "text/latex"}
)

GREEK = {
    "α": r"\alpha",
    "β": r"\beta",
    "γ": r"\gamma",
    "δ": r"\delta",
    "ε": r"\varepsilon",
    "ϵ": r"\epsilon",
    "ζ": r"\zeta",
    "η": r"\eta",
    "θ": r"\theta",
    "ϑ": r"\vartheta",
    "ι": r"\iota",
    "κ": r"\kappa",
    "λ": r"\lambda",
    "μ": r"\mu",
    "ν": r"\nu",
    "ξ": r"\xi",
    "π": r"\pi",
    "ϖ": r"\varpi",
    "ρ": r"\rho",
    "ϱ": r"\varrho",
    "σ": r"\sigma",
    "ς": r"\varsigma",
    "τ": r"\tau",
    "υ": r"\upsilon",
    "φ": r"\varphi",
    "ϕ": r"\phi",
    "χ": r"\chi",
    "ψ": r"\psi",
    "ω": r"\omega",
    "Γ": r"\Gamma",
    "Δ": r"\Delta",
    "Θ": r"\Theta",
    "Λ": r"\Lambda",
    "Ξ": r"\Xi",
    "Π": r"\Pi",
    "Σ": r"\Sigma",
    "Υ": r"\Upsilon",
    "Φ": r"\Phi",
    "Ψ": r"\Psi",
    "Ω": r"\Omega",
}

SYMBOLS = {
    "±": r"\pm",
    "∓": r"\mp",
    "×": r"\times",
    "÷": r"\div",
    "·": r"\cdot",
    "⋅": r"\cdot",
    "∗": "*",
    "∘": r"\circ",
    "−": "-",
    "–": "-",
    "≤": r"\leq",
    "≥": r"\geq",
    "≠": r"\neq",
    "≈": r"\approx",
    "≡": r"\equiv",
    "∼": r"\sim",
    "≃": r"\simeq",
    "≅": r"\cong",
    "∝": r"\propto",
    "≪": r"\ll",
    "≫": r"\gg",
    "∞": r"\infty",
    "∂": r"\partial",
    "∇": r"\nabla",
    "∑": r"\sum",
    "∏": r"\prod",
    "∐": r"\coprod",
    "∫": r"\int",
    "∬": r"\iint",
    "∭": r"\iiint",
    "∮": r"\oint",
    "√": r"\surd",
    "∈": r"\in",
    "∉": r"\notin",
    "∋": r"\ni",
    "⊂": r"\subset",
    "⊆": r"\subseteq",
    "⊃": r"\supset",
    "⊇": r"\supseteq",
    "⊊": r"\subsetneq",
    "∪": r"\cup",
    "∩": r"\cap",
    "⋃": r"\bigcup",
    "⋂": r"\bigcap",
    "∅": r"\emptyset",
    "∀": r"\forall",
    "∃": r"\exists",
    "∄": r"\nexists",
    "¬": r"\neg",
    "∧": r"\wedge",
    "∨": r"\vee",
    "→": r"\to",
    "←": r"\leftarrow",
    "↔": r"\leftrightarrow",
    "⇒": r"\Rightarrow",
    "⇐": r"\Leftarrow",
    "⇔": r"\Leftrightarrow",
    "↦": r"\mapsto",
    "⟶": r"\longrightarrow",
    "⟹": r"\Longrightarrow",
    "⟺": r"\Longleftrightarrow",
    "↑": r"\uparrow",
    "↓": r"\downarrow",
    "…": r"\ldots",
    "⋯": r"\cdots",
    "⋮": r"\vdots",
    "⋱": r"\ddots",
    "′": "'",
    "″": "''",
    "‴": "'''",
    "∣": r"\mid",
    "∥": r"\parallel",
    "⟨": r"\langle",
    "〈": r"\langle",
    "⟩": r"\rangle",
    "〉": r"\rangle",
    "⌊": r"\lfloor",
    "⌋": r"\rfloor",
    "⌈": r"\lceil",
    "⌉": r"\rceil",
    "ℝ": r"\mathbb{R}",
    "ℕ": r"\mathbb{N}",
    "ℤ": r"\mathbb{Z}",
    "ℚ": r"\mathbb{Q}",
    "ℂ": r"\mathbb{C}",
    "ℙ": r"\mathbb{P}",
    "ℓ": r"\ell",
    "℘": r"\wp",
    "ı": r"\imath",
    "ȷ": r"\jmath",
    "ℏ": r"\hbar",
    "ℵ": r"\aleph",
    "°": r"^\circ",
    "⊕": r"\oplus",
    "⊗": r"\otimes",
    "⊥": r"\perp",
    "∠": r"\angle",
    "△": r"\triangle",
    "∖": r"\setminus",
    "⊢": r"\vdash",
    "⊨": r"\models",
    "≺": r"\prec",
    "≻": r"\succ",
    "∴": r"\therefore",
    "∵": r"\because",
    "⋆": r"\star",
    "†": r"\dagger",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "#": r"\#",
    "&": r"\&",
    "$": r"\$",
    "\\": r"\backslash",
    "_": r"\_",
    "|": "|",
    "‖": r"\|",
}
# Function application, invisible times/separator/plus: present in MathML, silent in LaTeX.
INVISIBLE = {"\u2061": "", "\u2062": "", "\u2063": "", "\u2064": "", "\u200b": ""}
TO_LATEX = {**GREEK, **SYMBOLS, **INVISIBLE}
FUNCTION_NAMES = frozenset(
    "sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh coth log ln lg exp lim liminf limsup "
    "max min sup inf det dim ker deg gcd arg hom Pr".split()
)
LARGE_OPERATORS = frozenset(
    r"\sum \prod \coprod \int \iint \iiint \oint \bigcup \bigcap \lim \max \min \sup \inf \liminf "
    r"\limsup".split()
)
ACCENTS_OVER = {
    "¯": r"\overline",
    "‾": r"\overline",
    "―": r"\overline",
    "^": r"\hat",
    "ˆ": r"\hat",
    "~": r"\tilde",
    "˜": r"\tilde",
    "→": r"\vec",
    "⃗": r"\vec",
    "˙": r"\dot",
    "¨": r"\ddot",
    "⏞": r"\overbrace",
    "︷": r"\overbrace",
    "ˇ": r"\check",
    "˘": r"\breve",
    "´": r"\acute",
    "ˊ": r"\acute",
    "`": r"\grave",
    "ˋ": r"\grave",
    "ˉ": r"\bar",
    "˚": r"\mathring",
    "˙˙˙": r"\dddot",
    "⃛": r"\dddot",
    "˙˙˙˙": r"\ddddot",
    "⃜": r"\ddddot",
}
ACCENTS_UNDER = {
    "_": r"\underline",
    "¯": r"\underline",
    "‾": r"\underline",
    "⏟": r"\underbrace",
    "︸": r"\underbrace",
}
MATRIX_FENCES = {
    ("(", ")"): "pmatrix",
    ("[", "]"): "bmatrix",
    ("|", "|"): "vmatrix",
    ("‖", "‖"): "Vmatrix",
    ("{", "}"): "Bmatrix",
}
# MathML writes a binomial as ( <mfrac linethickness="0"> ); \binom already draws the parentheses.
PARENTHESIZED_BINOMIAL = re.compile(r"\((\\binom\{[^{}]*\}\{[^{}]*\})\)")
ASCII_ALNUM = frozenset(string.ascii_letters + string.digits)
# Styled letters as Unicode writes them ("MATHEMATICAL BOLD CAPITAL M", "SCRIPT CAPITAL F"): docutils,
# Temml and MathML Core output write \mathbf{M} as U+1D40C instead of <mi mathvariant="bold">M</mi>.
# Longest style names first, so that "BOLD ITALIC" is not read as "BOLD".
LETTER_STYLES = (
    ("MATHEMATICAL SANS-SERIF BOLD ITALIC ", r"\mathsf"),
    ("MATHEMATICAL SANS-SERIF BOLD ", r"\mathsf"),
    ("MATHEMATICAL SANS-SERIF ITALIC ", r"\mathsf"),
    ("MATHEMATICAL SANS-SERIF ", r"\mathsf"),
    ("MATHEMATICAL BOLD ITALIC ", r"\boldsymbol"),
    ("MATHEMATICAL BOLD SCRIPT ", r"\mathcal"),
    ("MATHEMATICAL BOLD FRAKTUR ", r"\mathfrak"),
    ("MATHEMATICAL BOLD ", r"\mathbf"),
    ("MATHEMATICAL ITALIC ", ""),
    ("MATHEMATICAL SCRIPT ", r"\mathcal"),
    ("MATHEMATICAL FRAKTUR ", r"\mathfrak"),
    ("MATHEMATICAL DOUBLE-STRUCK ", r"\mathbb"),
    ("MATHEMATICAL MONOSPACE ", r"\mathtt"),
    ("DOUBLE-STRUCK ", r"\mathbb"),
    ("SCRIPT ", r"\mathcal"),
    ("BLACK-LETTER ", r"\mathfrak"),
)
MATH_VARIANTS = {
    "double-struck": r"\mathbb",
    "bold": r"\mathbf",
    "fraktur": r"\mathfrak",
    "script": r"\mathcal",
    "bold-italic": r"\boldsymbol",
    "sans-serif": r"\mathsf",
    "monospace": r"\mathtt",
}


def math_to_latex(math) -> str:
    """The LaTeX of a ``<math>`` element: its TeX annotation when it carries one, else the conversion.

    Both read the element's serialised markup, which costs less than one query of the DOM.
    """
    markup = math.html
    annotation = markup_tex_annotation(markup)
    if annotation is not None:
        return annotation
    return PARENTHESIZED_BINOMIAL.sub(r"\1", convert(parse_math(markup)).strip())


def is_display_math(math) -> bool:
    """Whether a ``<math>`` element is display (block) math."""
    return (math.getattr("display") or "").lower() == "block" or (math.getattr("mode") or "") == "display"


def tex_annotation(node) -> str | None:
    """The TeX source a ``<semantics>`` block carries next to the presentation MathML, if any."""
    for annotation in node.get_elements_by_tag_name("annotation").values():
        if (annotation.getattr("encoding") or "").lower() in TEX_ANNOTATION_ENCODINGS:
            return annotation.text.strip()
    return None


def markup_tex_annotation(markup: str) -> str | None:
    """``tex_annotation`` of an element given as its serialised markup (resiliparse's ``node.html``).

    Found with ``str.find``: a regular expression's lazy ``.*?`` tests every character on the way.
    """
    start = markup.find("<annotation")
    while start >= 0:
        name_end = start + len("<annotation")
        open_end = markup.find(">", name_end)
        close = markup.find("</annotation>", open_end) if open_end >= 0 else -1
        if close < 0:
            return None
        attributes = markup[name_end:open_end]
        if (attributes[:1].isspace() or not attributes) and (
            parse_attributes(attributes).get("encoding") or ""
        ).lower() in TEX_ANNOTATION_ENCODINGS:
            inside = markup[open_end + 1 : close]
            if "<" in inside:  # markup inside: its text, as the DOM's textContent
                inside = parse_math(f"<annotation>{inside}</annotation>").text
            elif "&" in inside:
                inside = html.unescape(inside)
            return inside.strip()
        start = markup.find("<annotation", name_end)
    return None


# --- the element tree the conversion walks ---------------------------------------------------------------


class MathNode:
    """One element: its tag, attributes and children (elements, or text as ``str``)."""

    __slots__ = ("tag", "attributes", "children")

    def __init__(self, tag: str, attributes: dict[str, str]) -> None:
        self.tag = tag
        self.attributes = attributes
        self.children: list[MathNode | str] = []

    @property
    def text(self) -> str:
        """All the text inside, as the DOM's ``textContent``."""
        return "".join(child if isinstance(child, str) else child.text for child in self.children)

    def getattr(self, name: str, default: str | None = None) -> str | None:
        return self.attributes.get(name, default)


# Groups: end-tag slash, tag name, attributes, text. A comment matches with all four empty.
MARKUP = re.compile(r"<(/)?([A-Za-z][^\s/>]*)([^>]*)>|<!--.*?-->|([^<]+|<)", re.S)
ATTRIBUTE = re.compile(r'([^\s="/>]+)(?:="([^"]*)")?')
# HTML elements without an end tag, which an HTML island inside ``<mtext>`` may hold (``<br>``).
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


def parse_math(markup: str) -> MathNode:
    """The tree of a serialised element (resiliparse's ``node.html``); its root is that element."""
    root = MathNode("", {})
    stack = [root]
    for end, tag, attributes, text in MARKUP.findall(markup):
        if text:
            stack[-1].children.append(html.unescape(text) if "&" in text else text)
        elif not tag:
            continue  # a comment: no text, no element
        elif end:
            tag = tag.lower()
            for depth in range(len(stack) - 1, 0, -1):  # close the nearest open element of that name
                if stack[depth].tag == tag:
                    del stack[depth:]
                    break
        else:
            node = MathNode(tag.lower(), parse_attributes(attributes) if attributes else {})
            stack[-1].children.append(node)
            if node.tag not in VOID_TAGS:
                stack.append(node)
    elements = [child for child in root.children if isinstance(child, MathNode)]
    return elements[0] if elements else root


def parse_attributes(source: str) -> dict[str, str]:
    return {
        name.lower(): html.unescape(value) if "&" in value else value
        for name, value in ATTRIBUTE.findall(source)
    }


# --- conversion ------------------------------------------------------------------------------------------


def convert(node: MathNode | str) -> str:
    """LaTeX for one MathML node (element or text)."""
    if isinstance(node, str):
        return symbol_text(node.strip())
    handler = HANDLERS.get(node.tag, convert_children)
    return handler(node)


def elements(node: MathNode) -> list[MathNode]:
    """Element children only: whitespace text between MathML elements carries no meaning."""
    return [child for child in node.children if isinstance(child, MathNode)]


def join(pieces: Iterable[str]) -> str:
    """Concatenate LaTeX pieces, adding a space only where a control word would swallow a letter."""
    out = ""
    for piece in pieces:
        if not piece:
            continue
        if out and out[-1] in ASCII_ALNUM and swallows(out, piece[0]):
            out += " "
        out += piece
    return out


def swallows(out: str, first: str) -> bool:
    """Whether ``first`` written right after ``out`` would join its last token: a control word (``\\pi``
    then ``r``) or a one-character script (``^n`` then ``k`` would read as ``^{nk}`` to a person).

    Only the end of ``out`` is looked at: a regular expression anchored at ``$`` scans the whole string,
    which made joining quadratic in a formula's length.
    """
    if not first.isalnum():
        return False
    if len(out) >= 2 and out[-2] in "^_":
        return True
    if first.isalpha():
        word = out.rstrip(string.ascii_letters)
        return len(word) < len(out) and word.endswith("\\")
    return False


def convert_children(node: MathNode) -> str:
    return join(convert(child) for child in node.children)


def symbol_text(text: str) -> str:
    """Map each character with a LaTeX name (Greek, operators, reserved characters, styled letters)."""
    return join(TO_LATEX[char] if char in TO_LATEX else styled_letter(char) for char in text)


@lru_cache(maxsize=4096)
def styled_letter(char: str) -> str:
    """A styled letter or digit as its LaTeX (``𝐌`` -> ``\\mathbf{M}``, ``ℱ`` -> ``\\mathcal{F}``); other
    characters unchanged."""
    if char.isascii():
        return char
    name = unicodedata.name(char, "")
    for prefix, command in LETTER_STYLES:
        if name.startswith(prefix):
            plain = plain_letter(name[len(prefix) :])
            if plain is None:
                return char
            latex = TO_LATEX.get(plain, plain)
            if command == r"\mathbf" and latex.startswith("\\"):
                command = r"\boldsymbol"  # \mathbf does not embolden Greek
            return command + "{" + latex + "}" if command else latex
    return char


def plain_letter(rest: str) -> str | None:
    """The unstyled character a styled one's name describes ("CAPITAL M", "SMALL ALPHA", "DIGIT THREE")."""
    kind, _, letter = rest.partition(" ")
    candidates = {
        # Greek first: Latin has an "ALPHA" (U+0251) too, while Greek has no one-letter names.
        "CAPITAL": (f"GREEK CAPITAL LETTER {letter}", f"LATIN CAPITAL LETTER {letter}"),
        "SMALL": (f"GREEK SMALL LETTER {letter}", f"LATIN SMALL LETTER {letter}"),
        "DIGIT": (f"DIGIT {letter}",),
    }.get(kind, ())
    for candidate in candidates:
        try:
            return unicodedata.lookup(candidate)
        except KeyError:
            continue
    return None


def group(latex: str) -> str:
    """A LaTeX argument: bare when it is one character or one control word, braced otherwise."""
    if len(latex) == 1 or re.fullmatch(r"\\[A-Za-z]+", latex):
        return latex
    return "{" + latex + "}"


def base(latex: str) -> str:
    """A script base: braced unless it is one atom (character, command, or a closed group)."""
    if len(latex) <= 1 or re.fullmatch(r"\\[A-Za-z]+|\\[A-Za-z]+\{[^{}]*\}|\{.*\}|\\?[A-Za-z]+'*", latex):
        return latex
    if latex.endswith((")", "]", r"\}", "|", r"\rangle", r"\right)", r"\right]")):
        return latex
    return "{" + latex + "}"


def convert_mi(node) -> str:
    text = node.text.strip()
    variant = MATH_VARIANTS.get(node.getattr("mathvariant") or "")
    if variant and text:
        return variant + "{" + symbol_text(text) + "}"
    if len(text) <= 1:
        latex = symbol_text(text)
        upright = node.getattr("mathvariant") == "normal" and text.isalpha()
        return r"\mathrm{" + latex + "}" if upright else latex
    if text in FUNCTION_NAMES:
        return "\\" + text
    if any(char in TO_LATEX for char in text):
        return symbol_text(text)
    return r"\mathrm{" + text + "}"


def convert_mo(node) -> str:
    text = node.text.strip()
    if text in FUNCTION_NAMES:
        return "\\" + text
    if len(text) > 1 and text.isalpha():
        return r"\operatorname{" + text + "}"
    return symbol_text(text)


def convert_mtext(node) -> str:
    text = node.text
    if not text.strip():
        return r"\ " if text else ""
    return r"\text{" + text + "}"


def convert_mspace(node) -> str:
    width = (node.getattr("width") or "").strip()
    match = re.match(r"([\d.]+)\s*em", width)
    if match and float(match.group(1)) >= 1:
        return r"\quad "
    return r"\ "


def child_latex(node, count: int) -> list[str]:
    """LaTeX of the first ``count`` element children, padded with '' for malformed (short) elements."""
    children = [convert(child) for child in elements(node)[:count]]
    return children + [""] * (count - len(children))


def convert_mfrac(node) -> str:
    numerator, denominator = child_latex(node, 2)
    if (node.getattr("linethickness") or "").strip() in {"0", "0px", "0em"}:
        return r"\binom{" + numerator + "}{" + denominator + "}"
    return r"\frac{" + numerator + "}{" + denominator + "}"


def convert_msqrt(node) -> str:
    return r"\sqrt{" + convert_children(node) + "}"


def convert_mroot(node) -> str:
    radicand, index = child_latex(node, 2)
    return r"\sqrt[" + index + "]{" + radicand + "}"


def convert_msup(node) -> str:
    body, sup = child_latex(node, 2)
    if sup and set(sup) == {"'"}:
        return base(body) + sup
    return base(body) + "^" + group(sup)


def convert_msub(node) -> str:
    body, sub = child_latex(node, 2)
    return base(body) + "_" + group(sub)


def convert_msubsup(node) -> str:
    body, sub, sup = child_latex(node, 3)
    return base(body) + "_" + group(sub) + "^" + group(sup)


def convert_munder(node) -> str:
    return under_over(node, ACCENTS_UNDER, "_", r"\underset")


def convert_mover(node) -> str:
    return under_over(node, ACCENTS_OVER, "^", r"\overset")


def under_over(node, accents: dict[str, str], script: str, stack: str) -> str:
    """``<munder>``/``<mover>``: an accent (bar, hat, brace), an operator's limit, or a stacked label."""
    body, mark = child_latex(node, 2)
    children = elements(node)
    raw_mark = children[1].text.strip() if len(children) > 1 else ""
    if raw_mark in accents:
        return accents[raw_mark] + "{" + body + "}"
    if body in LARGE_OPERATORS:
        return body + script + group(mark)
    return stack + "{" + mark + "}{" + body + "}"


def convert_munderover(node) -> str:
    body, under, over = child_latex(node, 3)
    if body in LARGE_OPERATORS or len(body) == 1:
        return body + "_" + group(under) + "^" + group(over)
    return r"\overset{" + over + r"}{\underset{" + under + "}{" + body + "}}"


def convert_mtable(node, environment: str = "matrix") -> str:
    rows = []
    for row in elements(node):
        if row.tag in {"mtr", "mlabeledtr"}:
            cells = [cell for cell in elements(row) if cell.tag == "mtd"]
            rows.append(" & ".join(convert_children(cell).strip() for cell in cells))
        else:
            rows.append(convert(row))
    return r"\begin{" + environment + "}" + r" \\ ".join(rows) + r"\end{" + environment + "}"


def fenced_matrix(open_fence: str, inner: list, close_fence: str) -> str | None:
    """``( mtable )`` is how MathML writes a matrix with delimiters: LaTeX has an environment for it."""
    environment = MATRIX_FENCES.get((open_fence, close_fence))
    if environment and len(inner) == 1 and inner[0].tag == "mtable":
        return convert_mtable(inner[0], environment)
    return None


def convert_mrow(node) -> str:
    children = elements(node)
    if len(children) >= 3 and children[0].tag == "mo" and children[-1].tag == "mo":
        matrix = fenced_matrix(children[0].text.strip(), children[1:-1], children[-1].text.strip())
        if matrix is not None:
            return matrix
    return convert_children(node)


def convert_mfenced(node) -> str:
    open_fence = node.getattr("open", "(")
    close_fence = node.getattr("close", ")")
    children = elements(node)
    matrix = fenced_matrix(open_fence, children, close_fence)
    if matrix is not None:
        return matrix
    separators = (node.getattr("separators", ",") or "").replace(" ", "") or ""
    pieces = []
    for index, child in enumerate(children):
        if index and separators:
            pieces.append(separators[min(index - 1, len(separators) - 1)])
        pieces.append(convert(child))
    return r"\left" + fence(open_fence) + " " + join(pieces) + r" \right" + fence(close_fence)


def fence(char: str) -> str:
    if not char:
        return "."
    return {"{": r"\{", "}": r"\}", "⟨": r"\langle", "⟩": r"\rangle", "‖": r"\|"}.get(char, char)


def convert_semantics(node: MathNode) -> str:
    """The presentation MathML: a TeX annotation, had there been one, was taken whole by ``math_to_latex``."""
    children = elements(node)
    return convert(children[0]) if children else ""


def convert_menclose(node) -> str:
    notation = node.getattr("notation") or ""
    inner = convert_children(node)
    if "box" in notation or "roundedbox" in notation:
        return r"\boxed{" + inner + "}"
    if "updiagonalstrike" in notation or "horizontalstrike" in notation:
        return r"\cancel{" + inner + "}"
    return inner


def convert_mmultiscripts(node) -> str:
    """Post-scripts become ``_{sub}^{sup}`` pairs; pre-scripts (after ``<mprescripts/>``) go in front."""
    children = elements(node)
    if not children:
        return ""
    tags = [child.tag for child in children]
    split = tags.index("mprescripts") if "mprescripts" in tags else len(children)
    post, pre = children[1:split], children[split + 1 :]
    return scripts(pre, "{}") + base(convert(children[0])) + scripts(post, "")


def scripts(nodes: list, anchor: str) -> str:
    out = ""
    for index in range(0, len(nodes) - 1, 2):
        sub, sup = convert(nodes[index]), convert(nodes[index + 1])
        out += ("_" + group(sub) if sub else "") + ("^" + group(sup) if sup else "")
    return anchor + out if out else ""


def silent(_node) -> str:
    return ""


HANDLERS: dict[str, Callable] = {
    "mi": convert_mi,
    "mn": lambda node: symbol_text(node.text.strip()),
    "mo": convert_mo,
    "mtext": convert_mtext,
    "ms": convert_mtext,
    "mspace": convert_mspace,
    "mfrac": convert_mfrac,
    "msqrt": convert_msqrt,
    "mroot": convert_mroot,
    "msup": convert_msup,
    "msub": convert_msub,
    "msubsup": convert_msubsup,
    "munder": convert_munder,
    "mover": convert_mover,
    "munderover": convert_munderover,
    "mtable": convert_mtable,
    "mrow": convert_mrow,
    "mfenced": convert_mfenced,
    "semantics": convert_semantics,
    "menclose": convert_menclose,
    "mmultiscripts": convert_mmultiscripts,
    "annotation": silent,
    "annotation-xml": silent,
    "mphantom": silent,
    "merror": silent,
    "none": silent,
    "mprescripts": silent,
}
