"""RedPajama-style cleaning of arXiv LaTeX, one rule per function.

A paper arrives as several files; :func:`join_inputs` inlines ``\\input``/``\\include`` from the main
file, then :func:`clean_latex` applies the rules in a fixed order:

1. :func:`strip_comments` - ``%`` comments go first, so a commented-out ``\\section`` or
   ``\\appendix`` never decides anything;
2. :func:`collect_macros` - argument-free macro definitions are read from the whole source (they
   live in the preamble, which is dropped next) and removed from it;
3. :func:`drop_preamble` - everything before the first section-like header goes (title, abstract,
   preamble); a paper without one is dropped, as in RedPajama;
4. :func:`cut_back_matter` - the text stops at ``\\appendix``, the bibliography or ``\\end{document}``;
5. :func:`expand_macros` - the collected macros are expanded inline;
6. :func:`normalize_blank_lines`.

Every function is pure (text in, text out) so each rule is tested on its own.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

SECTION_COMMANDS = ("part", "chapter", "section", "subsection", "subsubsection", "paragraph", "subparagraph")
_SECTION_RE = re.compile(r"\\(?:" + "|".join(SECTION_COMMANDS) + r")\*?\s*[\[{]")
_BACK_MATTER_RE = re.compile(
    r"\\appendix(?![A-Za-z])|\\begin\s*\{(?:thebibliography|references)\}|\\bibliography(?:style)?\s*\{"
    r"|\\printbibliography(?![A-Za-z])|\\end\s*\{document\}"
)
# A comment starts at a % that follows an even number (0, 2, ...) of backslashes: `\%` is a percent
# sign, `\\%` is a line break followed by a comment.
_COMMENT_RE = re.compile(r"(?<!\\)((?:\\\\)*)%.*")
_COMMENT_LINE_RE = re.compile(r"^[ \t]*%.*(?:\n|$)", re.MULTILINE)
_INPUT_RE = re.compile(r"\\(?:input|include|subfile)(?![A-Za-z])\s*(?:\{([^{}]*)\}|([^\s{}\\%]+))")
_DOCUMENTCLASS_RE = re.compile(r"\\document(?:class|style)(?![A-Za-z])")
_NEWCOMMAND_RE = re.compile(r"\\(?:re)?newcommand\*?\s*(?:\{\s*\\([A-Za-z]+)\s*\}|\\([A-Za-z]+))")
_DEF_RE = re.compile(r"\\def\s*\\([A-Za-z]+)(?=\s*\{)")
_MAX_INPUT_DEPTH = 32
_MAX_MACRO_NESTING = 4


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


def find_main_file(files: Mapping[str, str]) -> str | None:
    """The file that starts the document: the one with ``\\documentclass`` (old papers: ``\\documentstyle``).

    Several candidates (a paper plus its supplement, or a template left in the tarball): prefer one
    with ``\\begin{document}``, then the longest. A lone ``.tex`` file without a document class is
    the main file by default; several of them without one give None.
    """
    candidates = [name for name, text in files.items() if _DOCUMENTCLASS_RE.search(strip_comments(text))]
    if not candidates:
        return next(iter(files)) if len(files) == 1 else None
    return max(candidates, key=lambda name: ("\\begin{document}" in files[name], len(files[name]), name))


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


def join_inputs(main: str, files: Mapping[str, str]) -> str:
    """The main file with every ``\\input``/``\\include`` replaced by the (comment-free) file it names.

    Unresolvable inputs (style files, figures, files missing from the tarball) are removed; a file
    that includes itself, directly or through others, is inlined only once on each path.
    """
    return _inline(main, files, stack=())


def _inline(name: str, files: Mapping[str, str], stack: tuple[str, ...]) -> str:
    text = strip_comments(files[name])
    stack = (*stack, name)

    def replace(match: re.Match[str]) -> str:
        target = resolve_input(match.group(1) or match.group(2), name, files)
        if target is None or target in stack or len(stack) >= _MAX_INPUT_DEPTH:
            return ""
        return _inline(target, files, stack)

    return _INPUT_RE.sub(replace, text)


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


def expand_macros(text: str, macros: Mapping[str, str]) -> str:
    """Replace each ``\\name`` of ``macros`` by its value; ``\\R`` never touches ``\\Rightarrow``.

    Macros defined through other macros are expanded up to a small nesting depth, so a recursive
    definition cannot blow up.
    """
    if not macros:
        return text
    pattern = re.compile(
        r"\\(" + "|".join(sorted(map(re.escape, macros), key=len, reverse=True)) + r")(?![A-Za-z])"
    )

    def substitute(value: str, table: Mapping[str, str]) -> str:
        return pattern.sub(lambda match: table[match.group(1)], value)

    resolved = dict(macros)
    for _ in range(_MAX_MACRO_NESTING):
        expanded = {name: substitute(value, resolved) for name, value in resolved.items()}
        if expanded == resolved:
            break
        resolved = expanded
    return substitute(text, resolved)


def drop_preamble(text: str) -> str | None:
    """The text from the first section-like header (``\\section``, ``\\chapter``, ...) on; None if
    there is none.
    """
    match = _SECTION_RE.search(text)
    return text[match.start() :] if match else None


def cut_back_matter(text: str) -> str:
    """The text before ``\\appendix``, the bibliography (``thebibliography``, ``\\bibliography{``,
    ``\\bibliographystyle{``, ``\\printbibliography``) or ``\\end{document}``, whichever comes first."""
    match = _BACK_MATTER_RE.search(text)
    return text[: match.start()] if match else text


def normalize_blank_lines(text: str) -> str:
    """Trailing spaces removed, runs of blank lines collapsed to one, no blank lines at the ends."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def clean_latex(source: str) -> tuple[str | None, str | None]:
    """Apply the cleaning rules to a joined LaTeX source: ``(text, None)`` or ``(None, reason)``."""
    macros, source = collect_macros(strip_comments(source))
    body = drop_preamble(source)
    if body is None:
        return None, "no_section"
    return normalize_blank_lines(expand_macros(cut_back_matter(body), macros)), None
