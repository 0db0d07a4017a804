"""The 17 AlgebraicStack languages and how a file is assigned to one.

Files from the-stack carry a ``lang`` field (``"Jupyter Notebook"``, ``"C++"``, ``"FORTRAN"``...),
which :func:`language_from_stack_name` maps onto our keys; files from a local source tree are
assigned by extension (:data:`EXTENSIONS`). ``.m`` is MATLAB here (Objective-C files are rejected by
the MATLAB filter); ``.h`` is C (C++ projects usually use ``.hpp``; a C++ header in ``.h`` is still
kept if it includes one of the C libraries).
"""

from __future__ import annotations

import posixpath

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
