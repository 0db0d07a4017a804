"""RedPajama-style cleaning of arXiv LaTeX, one rule per function.

A paper arrives as several files; :func:`join_inputs` inlines ``\\input``/``\\include`` from the main
file, then :func:`clean_latex` applies the rules in a fixed order:

1. :func:`strip_comments` - ``%`` comments go first, so a commented-out ``\\section`` or
   ``\\appendix`` never decides anything;
2. :func:`collect_macros` - argument-free macro definitions are read from the whole source (they
   live in the preamble, which is dropped next) and removed from it;
3. :func:`drop_preamble` - everything before the first section-like header goes (title, abstract,
   preamble); a paper without one is dropped, as in RedPajama;
4. :func:`cut_back_matter` - the text stops at ``\\appendix``, the bibliography or ``\\end{document}``,
   but only where the body has begun: a publication list printed with ``\\printbibliography`` in a
   thesis' front matter does not cut away every chapter after it;
5. :func:`expand_macros` - the collected macros are expanded inline, within a growth cap;
6. :func:`normalize_blank_lines`, then a minimum length (a bare template is not a paper).

Anything quoted verbatim (``verbatim``-like environments, including ones a paper defines with
``\\lstnewenvironment`` and friends, and ``\\verb|...|``) is invisible to the decisions: a manual that
shows ``\\documentclass`` or ``\\end{document}`` in an example is neither a main file nor cut there
(:func:`mask_verbatim`).

Every function is pure (text in, text out) so each rule is tested on its own. Inputs that would grow
without bound (an ``\\input`` chain, a self-referencing macro) raise :class:`LatexLimitExceeded`, which
the steps count as a dropped paper with its reason.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

SECTION_COMMANDS = ("part", "chapter", "section", "subsection", "subsubsection", "paragraph", "subparagraph")
_SECTION_RE = re.compile(r"\\(?:" + "|".join(SECTION_COMMANDS) + r")\*?\s*[\[{]")
# A comment starts at a % that follows an even number (0, 2, ...) of backslashes: `\%` is a percent
# sign, `\\%` is a line break followed by a comment.
_COMMENT_RE = re.compile(r"(?<!\\)((?:\\\\)*)%.*")
_COMMENT_LINE_RE = re.compile(r"^[ \t]*%.*(?:\n|$)", re.MULTILINE)
_INPUT_RE = re.compile(r"\\(?:input|include|subfile)(?![A-Za-z])\s*(?:\{([^{}]*)\}|([^\s{}\\%]+))")
_DOCUMENTCLASS_RE = re.compile(r"^[ \t]*\\document(?:class|style)(?![A-Za-z])", re.MULTILINE)
_NEWCOMMAND_RE = re.compile(r"\\(?:re)?newcommand\*?\s*(?:\{\s*\\([A-Za-z]+)\s*\}|\\([A-Za-z]+))")
_DEF_RE = re.compile(r"\\def\s*\\([A-Za-z]+)(?=\s*\{)")
_MAX_MACRO_NESTING = 4
MAX_INPUT_DEPTH = 16  # nested \input levels; real papers use two or three
MAX_JOINED_CHARS = 32 * 2**20  # a joined source above this is generated data or an \input bomb
MAX_MACRO_GROWTH = 4  # expanded text at most this many times the text (plus MACRO_GROWTH_ALLOWANCE)
MACRO_GROWTH_ALLOWANCE = 2**20
MIN_DOCUMENT_CHARS = 500  # a cleaned paper shorter than this is a template or a stub
VERBATIM_ENVIRONMENTS = frozenset(
    {
        "verbatim",
        "verbatim*",
        "Verbatim",
        "Verbatim*",
        "BVerbatim",
        "LVerbatim",
        "lstlisting",
        "minted",
        "filecontents",
        "filecontents*",
        "comment",
        "tcblisting",
        "spverbatim",
    }
)
_VERBATIM_DEFINITION_RE = re.compile(
    r"\\(?:lstnewenvironment|DefineVerbatimEnvironment|CustomVerbatimEnvironment|newtcblisting"
    r"|NewTCBListing|DeclareTCBListing)\*?\s*\{([A-Za-z*]+)\}"
)
_SHORTVERB_RE = re.compile(r"\\(?:MakeShortVerb|DefineShortVerb)\*?\s*\{?\s*\\([^A-Za-z\s{}])")
_INLINE_VERBATIM_RE = re.compile(
    r"\\(?:verb|lstinline)\*?([^A-Za-z\s{*])[^\n]*?\1|\\lstinline\s*\{[^{}\n]*\}"
)
_MAINMATTER_RE = re.compile(r"\\mainmatter(?![A-Za-z])|\\begin\s*\{mainmatter\}")
_NUMBERED_SECTION_RE = re.compile(r"\\(?:" + "|".join(SECTION_COMMANDS) + r")\s*[\[{]")
_APPENDIX_RE = re.compile(r"\\appendix(?![A-Za-z])|\\begin\s*\{(?:appendix|appendices)\}")
_BIBLIOGRAPHY_RE = re.compile(
    r"\\begin\s*\{(?:thebibliography|references)\}|\\bibliography(?:style)?\s*\{|\\printbibliography(?![A-Za-z])"
)
_END_DOCUMENT_RE = re.compile(r"\\end\s*\{document\}")


class LatexLimitExceeded(Exception):
    """A source that would grow past a cap; ``reason`` becomes ``dropped_<reason>`` in the step's stats."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def decode_source(data: bytes) -> str:
    """Bytes of a ``.tex`` file as text: UTF-8 when valid, else Latin-1 (which decodes any byte)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def strip_comments(text: str) -> str:
    """Remove ``%`` comments; lines that held only a comment disappear entirely; ``\\%`` stays."""
    text = _COMMENT_LINE_RE.sub("", text)
    return _COMMENT_RE.sub(r"\1", text)


@dataclass(frozen=True)
class VerbatimSyntax:
    """How a source quotes verbatim: its verbatim-like environments and its short-verb delimiters
    (``\\MakeShortVerb{\\|}``, or fancyvrb's ``\\DefineShortVerb``, makes ``|\\end{document}|`` verbatim)."""

    environments: frozenset[str] = VERBATIM_ENVIRONMENTS
    short_delimiters: frozenset[str] = frozenset()

    def __or__(self, other: VerbatimSyntax) -> VerbatimSyntax:
        return VerbatimSyntax(
            self.environments | other.environments, self.short_delimiters | other.short_delimiters
        )


STANDARD_VERBATIM = VerbatimSyntax()


def verbatim_syntax(text: str) -> VerbatimSyntax:
    """The standard verbatim-like environments plus those ``text`` defines (``\\lstnewenvironment{code}``...),
    and the short-verb delimiters it declares."""
    return VerbatimSyntax(
        VERBATIM_ENVIRONMENTS | frozenset(_VERBATIM_DEFINITION_RE.findall(text)),
        frozenset(_SHORTVERB_RE.findall(text)),
    )


def mask_verbatim(text: str, syntax: VerbatimSyntax = STANDARD_VERBATIM) -> str:
    """``text`` with everything quoted verbatim blanked out (same length, newlines kept): the bodies of
    the syntax's environments, of ``\\verb|...|``/``\\lstinline`` and of short-verb spans. Searching the
    mask finds only real commands."""
    names = "|".join(re.escape(name) for name in sorted(syntax.environments, key=len, reverse=True))
    block = re.compile(r"\\begin\s*\{(" + names + r")\}.*?(?:\\end\s*\{\1\}|\Z)", re.DOTALL)

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    text = _INLINE_VERBATIM_RE.sub(blank, block.sub(blank, text))
    for delimiter in syntax.short_delimiters:
        quoted = re.escape(delimiter)
        text = re.sub(quoted + r"[^\n" + quoted + r"]*" + quoted, blank, text)
    return text


def find_main_file(files: Mapping[str, str]) -> str | None:
    """The file that starts the document: the one with ``\\documentclass`` (old papers: ``\\documentstyle``)
    at the start of a line, outside comments and verbatim (a chapter that shows ``\\documentclass`` in
    an example, or quotes it in a string, is not one).

    Several candidates (a paper plus its supplement, or a template left in the tarball): prefer one
    with ``\\begin{document}``, then the longest. Without any (plain TeX), the one file that
    ``\\input``s others and is input by none; a lone ``.tex`` file is the main file by default.
    Otherwise None.
    """
    syntax = submission_verbatim_syntax(files)
    visible = {name: mask_verbatim(strip_comments(text), syntax) for name, text in files.items()}
    candidates = [name for name, text in visible.items() if _DOCUMENTCLASS_RE.search(text)]
    if candidates:
        return max(
            candidates, key=lambda name: ("\\begin{document}" in visible[name], len(files[name]), name)
        )
    if len(files) == 1:
        return next(iter(files))
    return _input_root(visible)


def _input_root(visible: Mapping[str, str]) -> str | None:
    """The only file that inputs other files of the submission and is input by none of them, if there is one."""
    inputs = {
        name: {
            resolve_input(match.group(1) or match.group(2) or "", name, visible)
            for match in _INPUT_RE.finditer(text)
        }
        - {None, name}
        for name, text in visible.items()
    }
    included = set().union(*inputs.values())
    roots = [name for name, targets in inputs.items() if targets and name not in included]
    return roots[0] if len(roots) == 1 else None


def resolve_input(name: str, including_file: str, files: Mapping[str, str]) -> str | None:
    """The file ``\\input{name}`` refers to: next to the including file, else from the root; ``.tex``
    optional.
    """
    name = name.strip().strip('"')
    if not name:
        return None
    for base in (posixpath.dirname(including_file), ""):
        path = posixpath.normpath(posixpath.join(base, name)).lstrip("/")
        for candidate in (path, path + ".tex"):
            if candidate in files:
                return candidate
    return None


def submission_verbatim_syntax(files: Mapping[str, str]) -> VerbatimSyntax:
    """The verbatim syntax of a whole submission: a listing environment is often defined in another file."""
    syntax = STANDARD_VERBATIM
    for text in files.values():
        syntax |= verbatim_syntax(text)
    return syntax


def join_inputs(
    main: str, files: Mapping[str, str], max_depth: int = MAX_INPUT_DEPTH, max_chars: int = MAX_JOINED_CHARS
) -> str:
    """The main file with every ``\\input``/``\\include`` replaced by the (comment-free) file it names.

    Unresolvable inputs (style files, figures, files missing from the tarball) are removed; one quoted
    verbatim (a manual showing ``\\include{chapter}``) is left as it is; a file that includes itself,
    directly or through others, is inlined only once on each path. Raises
    :class:`LatexLimitExceeded` for inputs nested deeper than ``max_depth`` (``input_too_deep``) or a
    joined text above ``max_chars`` (``input_too_large``: a file input twice per level doubles with
    every level).
    """
    syntax = submission_verbatim_syntax(files)
    prepared: dict[str, tuple[str, str]] = {}  # name -> (comment-free text, its verbatim mask), made once

    def inline(name: str, stack: tuple[str, ...], budget: list[int]) -> str:
        if name not in prepared:
            text = strip_comments(files[name])
            prepared[name] = (text, mask_verbatim(text, syntax))
        text, visible = prepared[name]
        budget[0] -= len(text)
        if budget[0] < 0:
            raise LatexLimitExceeded("input_too_large", f"joined source over the cap when inlining {name}")
        stack = (*stack, name)

        def replace(match: re.Match[str]) -> str:
            if visible[match.start()] != "\\":
                return match.group(0)  # quoted verbatim
            target = resolve_input(match.group(1) or match.group(2) or "", name, files)
            if target is None or target in stack:
                return ""
            if len(stack) >= max_depth:
                raise LatexLimitExceeded(
                    "input_too_deep", f"\\input nested more than {max_depth} levels: {target}"
                )
            return inline(target, stack, budget)

        return _INPUT_RE.sub(replace, text)

    return inline(main, (), [max_chars])


def read_braced(text: str, start: int) -> tuple[str, int] | None:
    """The content of the brace group opening at ``text[start]`` and the index after it (None: unbalanced)."""
    if start >= len(text) or text[start] != "{":
        return None
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index], index + 1
        index += 1
    return None


def collect_macros(text: str) -> tuple[dict[str, str], str]:
    """Argument-free ``\\newcommand``/``\\renewcommand``/``\\def`` macros, and the text without their
    definitions.

    ``\\newcommand{\\R}{\\mathbb{R}}`` and ``\\def\\eps{\\epsilon}`` are collected; definitions that take
    arguments (``[1]``, ``#1``) are left in place untouched. A later definition of a name wins.
    """
    macros: dict[str, str] = {}
    spans: list[tuple[int, int]] = []
    for match in sorted([*_NEWCOMMAND_RE.finditer(text), *_DEF_RE.finditer(text)], key=lambda m: m.start()):
        if spans and match.start() < spans[-1][1]:
            continue  # inside a definition already consumed
        name = match.group(1) or (match.group(2) if match.re is _NEWCOMMAND_RE else None)
        body_start = _skip_spaces(text, match.end())
        body = read_braced(text, body_start)
        if name is None or body is None:
            continue
        value, end = body
        macros[name] = value
        spans.append((match.start(), end))
    return macros, _remove_spans(text, spans)


def _skip_spaces(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\n":
        index += 1
    return index


def _remove_spans(text: str, spans: list[tuple[int, int]]) -> str:
    pieces, last = [], 0
    for start, end in spans:
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def expand_macros(text: str, macros: Mapping[str, str], max_chars: int | None = None) -> str:
    """Replace each ``\\name`` of ``macros`` by its value; ``\\R`` never touches ``\\Rightarrow``.

    Macros defined through other macros are expanded up to a small nesting depth, so a recursive
    definition terminates; its growth is capped all the same (``\\def\\a{\\a\\a\\a}`` triples per level):
    a result above ``max_chars`` (default: :data:`MAX_MACRO_GROWTH` times the text plus
    :data:`MACRO_GROWTH_ALLOWANCE`) raises :class:`LatexLimitExceeded` (``macro_expansion_too_large``)
    before it is built.
    """
    if not macros:
        return text
    limit = max_chars if max_chars is not None else MAX_MACRO_GROWTH * len(text) + MACRO_GROWTH_ALLOWANCE
    pattern = re.compile(
        r"\\(" + "|".join(sorted(map(re.escape, macros), key=len, reverse=True)) + r")(?![A-Za-z])"
    )

    def substitute(value: str, table: Mapping[str, str]) -> str:
        size = len(value)
        for match in pattern.finditer(value):
            size += len(table[match.group(1)]) - len(match.group(0))
            if size > limit:
                raise LatexLimitExceeded(
                    "macro_expansion_too_large", f"expanded text over {limit:,} characters"
                )
        return pattern.sub(lambda match: table[match.group(1)], value)

    resolved = dict(macros)
    for _ in range(_MAX_MACRO_NESTING):
        expanded = {name: substitute(value, resolved) for name, value in resolved.items()}
        if expanded == resolved:
            break
        resolved = expanded
    return substitute(text, resolved)


def drop_preamble(text: str, syntax: VerbatimSyntax = STANDARD_VERBATIM) -> str | None:
    """The text from the first section-like header (``\\section``, ``\\chapter``, ...) outside verbatim on;
    None if there is none.
    """
    match = _SECTION_RE.search(mask_verbatim(text, syntax))
    return text[match.start() :] if match else None


def body_start(visible: str) -> int:
    """Where the body of a (preamble-less, verbatim-masked) text begins: at ``\\mainmatter`` (command or
    environment) when there
    is one, else at the first numbered (unstarred) section-like header, else at the start. Front
    matter before it (a starred Abstract, a list of the author's publications) is not the body."""
    for pattern in (_MAINMATTER_RE, _NUMBERED_SECTION_RE):
        match = pattern.search(visible)
        if match:
            return match.start()
    return 0


def cut_back_matter(text: str, syntax: VerbatimSyntax = STANDARD_VERBATIM) -> str:
    """The text before the back matter: ``\\appendix`` (or an ``appendices`` environment),
    ``\\end{document}``, or a bibliography
    (``thebibliography``, ``\\bibliography{``, ``\\bibliographystyle{``, ``\\printbibliography``) that
    comes after the body has begun (:func:`body_start`). Commands quoted verbatim never cut."""
    visible = mask_verbatim(text, syntax)
    start = body_start(visible)
    cuts = [
        match.start() for match in (_APPENDIX_RE.search(visible), _END_DOCUMENT_RE.search(visible)) if match
    ]
    bibliography = _BIBLIOGRAPHY_RE.search(visible, start)
    if bibliography:
        cuts.append(bibliography.start())
    return text[: min(cuts)] if cuts else text


def normalize_blank_lines(text: str) -> str:
    """Trailing spaces removed, runs of blank lines collapsed to one, no blank lines at the ends."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def clean_latex(source: str, min_chars: int = MIN_DOCUMENT_CHARS) -> tuple[str | None, str | None]:
    """Apply the cleaning rules to a joined LaTeX source: ``(text, None)`` or ``(None, reason)`` with
    reason ``no_section``, ``too_short`` (under ``min_chars`` once cleaned) or
    ``macro_expansion_too_large``."""
    source = strip_comments(source)
    syntax = verbatim_syntax(source)
    macros, source = collect_macros(source)
    body = drop_preamble(source, syntax)
    if body is None:
        return None, "no_section"
    try:
        text = normalize_blank_lines(expand_macros(cut_back_matter(body, syntax), macros))
    except LatexLimitExceeded as err:
        return None, err.reason
    if len(text) < min_chars:
        return None, "too_short"
    return text, None
