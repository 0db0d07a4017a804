"""The 17 AlgebraicStack languages and how a file is assigned to one.

Files from the-stack carry a ``lang`` field (``"Jupyter Notebook"``, ``"C++"``, ``"FORTRAN"``...),
which :func:`language_from_stack_name` maps onto our keys; files from a local source tree are
assigned by extension (:data:`EXTENSIONS`). ``.m`` is MATLAB here (Objective-C files are rejected by
the MATLAB filter). ``.h`` is shared by C and C++: :func:`header_language` decides by the header's own
code (namespaces, templates, classes, ``std::``, extension-less standard includes...), and when the
code says neither, by the repository's other files where they are known (a repository with C++
sources and no C sources makes it C++); otherwise C. Header-only C++ libraries (Eigen, NTL) ship
mostly ``.h`` files, so this decides whether they are filtered as C++ at all.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

LANGUAGES = (
    "agda",
    "c",
    "c++",
    "coq",
    "fortran",
    "gap",
    "haskell",
    "idris",
    "isabelle",
    "julia",
    "jupyter",
    "lean",
    "maple",
    "matlab",
    "python",
    "r",
    "tex",
)

EXTENSIONS: dict[str, str] = {
    ".agda": "agda",
    ".lagda": "agda",
    ".c": "c",
    ".h": "c",
    ".cpp": "c++",
    ".cc": "c++",
    ".cxx": "c++",
    ".c++": "c++",
    ".hpp": "c++",
    ".hh": "c++",
    ".hxx": "c++",
    ".v": "coq",
    ".f": "fortran",
    ".for": "fortran",
    ".f77": "fortran",
    ".f90": "fortran",
    ".f95": "fortran",
    ".f03": "fortran",
    ".f08": "fortran",
    ".g": "gap",
    ".gap": "gap",
    ".gd": "gap",
    ".gi": "gap",
    ".hs": "haskell",
    ".lhs": "haskell",
    ".idr": "idris",
    ".lidr": "idris",
    ".thy": "isabelle",
    ".jl": "julia",
    ".ipynb": "jupyter",
    ".lean": "lean",
    ".mpl": "maple",
    ".maple": "maple",
    ".m": "matlab",
    ".py": "python",
    ".r": "r",
    ".tex": "tex",
}

_STACK_NAMES = {"fortranfreeform": "fortran", "jupyternotebook": "jupyter", "cpp": "c++"}


def language_from_path(path: str) -> str | None:
    """The language of a file from its extension (case-insensitive), or None if it is not one of ours."""
    return EXTENSIONS.get(posixpath.splitext(path)[1].lower())


def language_from_stack_name(name: str) -> str | None:
    """Our key for a the-stack ``lang`` value (``"Jupyter Notebook"`` -> ``jupyter``), or None."""
    key = "".join(name.lower().split()).replace("-", "")
    key = _STACK_NAMES.get(key, key)
    return key if key in LANGUAGES else None


HEADER_EXTENSIONS = (".h",)
CPP_SOURCE_EXTENSIONS = frozenset(ext for ext, lang in EXTENSIONS.items() if lang == "c++")
C_SOURCE_EXTENSIONS = frozenset({".c"})
_C_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
_CPP_MARKERS = re.compile(
    r"^[ \t]*(?:namespace\b[^;\n]*\{?|template[ \t]*<|class[ \t]+\w+|using[ \t]+namespace\b"
    r"|(?:public|private|protected)[ \t]*:)"
    r"|\w::\w|^[ \t]*#[ \t]*include[ \t]*<[\w/]+>"
    r"|\b[A-Z]\w*<[\w:, *]+>[ \t&*>]*\w"  # a template instance: Vec<long> v
    r"|[(,][ \t]*(?:const[ \t]+)?\w+&[ \t]*\w+[ \t]*[,)=]",  # a reference parameter: (const ZZ& a,
    re.MULTILINE,
)


def is_cpp_code(text: str) -> bool:
    """Whether C/C++ code uses C++: a namespace, template (declared or used), class, access specifier,
    ``a::b``, a reference parameter, or an ``#include <name>`` without extension (C's headers all end in
    ``.h``); comments are ignored."""
    return _CPP_MARKERS.search(_C_COMMENTS.sub(" ", text)) is not None


def repository_header_language(paths: Iterable[str]) -> str | None:
    """What a repository's other files say about its ``.h`` files: ``c++`` when it has C++ sources and no
    C sources, ``c`` for the reverse, None when it has both or neither."""
    extensions = {posixpath.splitext(path)[1].lower() for path in paths}
    has_cpp, has_c = bool(extensions & CPP_SOURCE_EXTENSIONS), bool(extensions & C_SOURCE_EXTENSIONS)
    if has_cpp != has_c:
        return "c++" if has_cpp else "c"
    return None


def header_language(text: str, repository_hint: str | None = None) -> str:
    """The language of a ``.h`` file: ``c++`` when its code is C++, else the repository's hint, else ``c``."""
    if is_cpp_code(text):
        return "c++"
    return repository_hint or "c"


def resolve_header_language(
    lang: str | None, path: str, text: str, repository_hint: str | None = None
) -> str | None:
    """``lang`` unchanged, except for C/C++ ``.h`` files, which :func:`header_language` decides."""
    if lang in ("c", "c++") and path.lower().endswith(HEADER_EXTENSIONS):
        return header_language(text, repository_hint)
    return lang
