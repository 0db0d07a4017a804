"""Render one LaTeX formula the ways real web pages carry math.

The generator writes every formula once, as LaTeX. A page then shows it in one markup style: MathJax
``<script type="math/tex">`` tags, ``$``/``\\(`` delimiters in the text, KaTeX's rendered HTML,
presentation MathML, or an image whose alt text is the LaTeX. The MathML converter understands the
LaTeX subset the templates use and returns ``None`` for anything else, so callers can fall back.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

SYMBOLS = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ϵ",
    "varepsilon": "ε",
    "theta": "θ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "ϕ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Lambda": "Λ",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Omega": "Ω",
    "infty": "∞",
    "partial": "∂",
    "nabla": "∇",
    "ell": "ℓ",
    "xi": "ξ",
    "eta": "η",
    "kappa": "κ",
    "zeta": "ζ",
    "square": "□",
}
OPERATORS = {
    "cdot": "⋅",
    "times": "×",
    "pm": "±",
    "mp": "∓",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ne": "≠",
    "neq": "≠",
    "approx": "≈",
    "equiv": "≡",
    "to": "→",
    "in": "∈",
    "subseteq": "⊆",
    "cup": "∪",
    "cap": "∩",
    "mid": "∣",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "lim": "lim",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "log": "log",
    "ln": "ln",
    "exp": "exp",
    "det": "det",
    "max": "max",
    "min": "min",
    "gcd": "gcd",
    "mod": "mod",
    "ldots": "…",
    "cdots": "⋯",
    "quad": "\u2003",
    ",": "\u2009",
    "implies": "⟹",
    "iff": "⟺",
    "forall": "∀",
    "exists": "∃",
    "circ": "∘",
    "perp": "⊥",
    "sim": "∼",
    "bmod": "mod",
    "dim": "dim",
    "ker": "ker",
    "langle": "⟨",
    "rangle": "⟩",
    "lfloor": "⌊",
    "rfloor": "⌋",
    "lceil": "⌈",
    "rceil": "⌉",
    "%": "%",
    "colon": ":",
    "lVert": "‖",
    "rVert": "‖",
    "!": "",
    ";": "\u2005",
}
_TEXT_COMMANDS = {"mathrm": "mi", "operatorname": "mi", "text": "mtext", "mathit": "mi"}
_ACCENTS = {"ddot": "¨", "dot": "˙", "hat": "^", "bar": "¯", "vec": "→", "tilde": "~"}
DOUBLE_STRUCK = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ"}
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[A-Za-z]|[0-9]+(?:\.[0-9]+)?|\s+|.", re.S)
_RELATIONS = set("=<>") | {"≤", "≥", "≠", "≈", "≡", "→", "∈", "⊆", "∣", "⟹", "⟺", "∼"}


class _Unsupported(Exception):
    """The formula uses LaTeX outside the subset the MathML converter knows."""


def tokenize(tex: str) -> list[str]:
    """Split LaTeX into commands, single letters, numbers and single characters (whitespace dropped)."""
    return [token for token in _TOKEN.findall(tex) if not token.isspace()]


class _MathMLBuilder:
    """Recursive-descent conversion of a token list into presentation MathML elements."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise _Unsupported("unexpected end of formula")
        self.pos += 1
        return token

    def row(self, stop: str | None = None) -> str:
        """Atoms (with their scripts) up to ``stop`` or the end, wrapped in one ``mrow``."""
        items = []
        while self.peek() is not None and self.peek() != stop:
            items.append(self.scripted())
        if stop is not None:
            self.take()
        return items[0] if len(items) == 1 else "<mrow>" + "".join(items) + "</mrow>"

    def scripted(self) -> str:
        base = self.atom()
        sub = sup = None
        while self.peek() in ("^", "_"):
            if self.take() == "^":
                sup = self.atom()
            else:
                sub = self.atom()
        if sub and sup:
            return f"<msubsup>{base}{sub}{sup}</msubsup>"
        if sup:
            return f"<msup>{base}{sup}</msup>"
        if sub:
            return f"<msub>{base}{sub}</msub>"
        return base

    def group(self) -> str:
        if self.take() != "{":
            raise _Unsupported("expected a braced argument")
        return self.row("}")

    def atom(self) -> str:
        token = self.take()
        if token == "{":
            return self.row("}")
        if token[0].isdigit():
            return f"<mn>{token}</mn>"
        if token.isalpha():
            return f"<mi>{token}</mi>"
        if token.startswith("\\"):
            return self.command(token[1:])
        if token in "()[]|":
            return f'<mo stretchy="false">{html.escape(token)}</mo>'
        if token in "+-*/=<>,;:!'.":
            return f"<mo>{html.escape(token.replace('-', '−'))}</mo>"
        raise _Unsupported(f"character {token!r}")

    def raw_group(self) -> str:
        """The source text of a braced argument, for commands whose argument is words, not math."""
        if self.take() != "{":
            raise _Unsupported("expected a braced argument")
        depth, parts = 1, []
        while True:
            token = self.take()
            depth += {"{": 1, "}": -1}.get(token, 0)
            if depth == 0:
                return "".join(parts)
            parts.append(token)

    def command(self, name: str) -> str:
        if name in _TEXT_COMMANDS:
            tag = _TEXT_COMMANDS[name]
            variant = ' mathvariant="normal"' if tag == "mi" else ""
            return f"<{tag}{variant}>{html.escape(self.raw_group())}</{tag}>"
        if name in _ACCENTS:
            return f'<mover accent="true">{self.group()}<mo>{_ACCENTS[name]}</mo></mover>'
        if name == "pmod":
            return f'<mrow><mo stretchy="false">(</mo><mi>mod</mi><mspace width="0.333em"/>{self.group()}<mo stretchy="false">)</mo></mrow>'
        if name == "frac" or name == "dfrac":
            return f"<mfrac>{self.group()}{self.group()}</mfrac>"
        if name == "sqrt":
            return f"<msqrt>{self.group()}</msqrt>"
        if name == "binom":
            return f'<mrow><mo>(</mo><mfrac linethickness="0">{self.group()}{self.group()}</mfrac><mo>)</mo></mrow>'
        if name == "mathbb":
            letter = self.group().removeprefix("<mi>").removesuffix("</mi>")
            return f"<mi>{DOUBLE_STRUCK.get(letter, letter)}</mi>"
        if name in ("left", "right"):
            return f"<mo>{html.escape(self.take().lstrip(chr(92)))}</mo>"
        if name in ("{", "}"):
            return f"<mo>{name}</mo>"
        if name in SYMBOLS:
            return f"<mi>{SYMBOLS[name]}</mi>"
        if name in OPERATORS:
            return f"<mo>{OPERATORS[name]}</mo>"
        raise _Unsupported(f"command \\{name}")


def to_mathml(tex: str, display: bool = False, annotate: bool = False) -> str | None:
    """Presentation MathML for ``tex`` (with a TeX annotation when ``annotate``), or None if unsupported."""
    try:
        body = _MathMLBuilder(tokenize(tex)).row()
    except _Unsupported:
        return None
    mode = ' display="block"' if display else ""
    if annotate:
        body = (
            f'<semantics>{body}<annotation encoding="application/x-tex">{html.escape(tex, quote=False)}'
            "</annotation></semantics>"
        )
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML"{mode}>{body}</math>'


def _glyph_class(token: str) -> tuple[str, str]:
    """KaTeX's CSS class and the visible glyph for one token."""
    name = token[1:] if token.startswith("\\") else token
    if token.startswith("\\") and name in SYMBOLS:
        return "mord mathnormal", SYMBOLS[name]
    if token.startswith("\\") and name in OPERATORS:
        glyph = OPERATORS[name]
        return ("mrel" if glyph in _RELATIONS else "mop"), glyph
    if token.isalpha():
        return "mord mathnormal", token
    if token in _RELATIONS:
        return "mrel", token
    if token in "+-":
        return "mbin", token.replace("-", "−")
    if token in "([":
        return "mopen", token
    if token in ")]":
        return "mclose", token
    return "mord", token


def katex_html(tex: str, display: bool) -> str:
    """KaTeX's output: hidden MathML with the TeX annotation, then the visible glyph spans."""
    mathml = to_mathml(tex, annotate=True) or (
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow></mrow>'
        f'<annotation encoding="application/x-tex">{html.escape(tex, quote=False)}</annotation></semantics></math>'
    )
    glyphs = []
    for token in tokenize(tex):
        if token in "{}^_" or token in ("\\left", "\\right", "\\frac", "\\sqrt", "\\mathbb"):
            continue
        css, glyph = _glyph_class(token)
        glyphs.append(f'<span class="{css}">{html.escape(glyph)}</span>')
    visible = (
        '<span class="katex-html" aria-hidden="true"><span class="base">'
        '<span class="strut" style="height:0.8641em;vertical-align:-0.1944em;"></span>'
        + "".join(glyphs)
        + "</span></span>"
    )
    inner = f'<span class="katex"><span class="katex-mathml">{mathml}</span>{visible}</span>'
    return f'<span class="katex-display">{inner}</span>' if display else inner


def codecogs_img(tex: str, display: bool) -> str:
    """An equation image from the codecogs service; the LaTeX survives only in alt/title."""
    mode = "\\dpi{120} " if display else ""
    src = "https://latex.codecogs.com/png.latex?" + quote(mode + tex)
    alt = html.escape(tex)
    return f'<img src="{src}" alt="{alt}" title="{alt}" class="{"eq-display" if display else "eq-inline"}" />'


def wordpress_img(tex: str, display: bool) -> str:
    """WordPress.com's ``latex.php`` image (alt text is the LaTeX)."""
    src = (
        "https://s0.wp.com/latex.php?latex="
        + quote(tex)
        + "&bg=ffffff&fg=000000&s="
        + ("1" if display else "0")
    )
    return f'<img src="{html.escape(src)}" alt="{html.escape(tex)}" class="latex" />'


def wikipedia_math(tex: str, display: bool, seed: int) -> str:
    """MediaWiki's math element: hidden MathML with annotation plus the fallback SVG image with alt text."""
    shown = "{\\displaystyle " + tex + "}"
    kind = "display" if display else "inline"
    mathml = to_mathml(tex, display, annotate=True) or ""
    mathml = mathml.replace(html.escape(tex, quote=False), html.escape(shown, quote=False))
    digest = f"{seed:040x}"[-40:]
    return (
        f'<span class="mwe-math-element"><span class="mwe-math-mathml-{kind} mwe-math-mathml-a11y" '
        f'style="display: none;">{mathml}</span><img src="https://wikimedia.org/api/rest_v1/media/math/'
        f'render/svg/{digest}" class="mwe-math-fallback-image-{kind}" aria-hidden="true" '
        f'style="vertical-align: -0.838ex; width:12.4ex; height:2.843ex;" alt="{html.escape(shown)}"></span>'
    )


def mathjax_script(tex: str, display: bool) -> str:
    kind = "math/tex; mode=display" if display else "math/tex"
    return f'<script type="{kind}">{tex}</script>'


def delimited(tex: str, display: bool, style: str) -> str:
    """Math left in the text between MathJax delimiters; ``style`` is ``dollar`` or ``paren``."""
    escaped = html.escape(tex, quote=False)
    if style == "dollar":
        return f"$${escaped}$$" if display else f"${escaped}$"
    return f"\\[{escaped}\\]" if display else f"\\({escaped}\\)"
