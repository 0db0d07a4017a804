"""AlgebraicStack's per-language filters, each a pure function ``(text, path, repo) -> (keep, reason)``.

``reason`` is None for a kept file and a short snake_case string for a dropped one; the datatrove step
(:class:`mathlm.proof_pile_2.code.steps.AlgebraicStackFilter`) turns it into a ``dropped_<reason>``
counter. :func:`filter_file` applies the base filter (size, digit fraction) and then the file's
language rule. Thresholds and keyword lists follow the published AlgebraicStack recipe; where it
matched raw substrings we match tokens (an imported module name, an included header, a whole word),
so ``import numpyro`` is not numpy and a Coq proof mentioning a ``wire`` is not Verilog.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

FilterResult = tuple[bool, str | None]
FileFilter = Callable[[str, str, str], FilterResult]
KEEP: FilterResult = (True, None)

MAX_FILE_BYTES = 1_048_575
MAX_DIGIT_FRACTION = 0.5
CPP_MAX_DIGIT_FRACTION = 0.1
JULIA_LARGE_FILE_BYTES = 100_000
JULIA_MIN_TESTS_PER_LINE = 0.1
MAPLE_MAX_BYTES = 100_000
TEX_MAX_BYTES = 10_000_000

PYTHON_MATH_MODULES = frozenset(
    {
        "numpy",
        "scipy",
        "sympy",
        "sage",
        "numba",
        "numexpr",
        "theano",
        "statsmodels",
        "networkx",
        "mpmath",
        "pymc3",
        "astropy",
        "cupy",
        "pycuda",
        "cvxpy",
        "pyomo",
        "jax",
    }
)
C_MATH_HEADERS = ("fftw", "fftw3", "rfftw", "gsl", "cblas", "blas", "lapacke", "nlopt", "petsc")
CPP_MATH_HEADERS = (
    "adept",
    "alglib",
    "boost",
    "armadillo",
    "blitz",
    "Eigen",
    "deal.II",
    "dlib",
    "NTL",
    "mtl",
)
HASKELL_MATH_MODULES = (
    "Numeric.LinearAlgebra",
    "Numeric.SpecFunctions",
    "Numeric.Vector",
    "Statistics",
    "Data.Complex",
)
TEX_SECTION_COMMANDS = (
    "\\chapter{",
    "\\chapter*{",
    "\\section{",
    "\\section*{",
    "\\subsection{",
    "\\subsection*{",
    "\\subsubsection{",
    "\\subsubsection*{",
    "\\paragraph{",
    "\\subparagraph{",
)
JUPYTER_MATH_MARKERS = ("\\begin{equation}", "\\begin{align}", "import sympy", "from sympy")
COQ_KEYWORDS = re.compile(r"\b(?:Theorem|Proof|Qed|Inductive|Definition|Fixpoint)\b")
VERILOG_KEYWORDS = re.compile(r"\b(?:endmodule|posedge|negedge|wire)\b|`pragma|\(\*\s*synthesis")
LEAN_KEYWORDS = ("theorem ", "lemma ", "example ")
LEAN_EXCLUDED_REPOS = frozenset({"proofnet", "minif2f"})
LEAN_DEPENDENCY_DIRS = ("_target/deps/", ".lake/packages/", "lake-packages/")

_PY_FROM = re.compile(r"^[ \t]*from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b", re.MULTILINE)
_PY_RELATIVE_IMPORT = re.compile(r"^[ \t]*from[ \t]+\.", re.MULTILINE)
_PY_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n#;]+)", re.MULTILINE)
_INCLUDE = re.compile(r"^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"\n]+)[>\"]", re.MULTILINE)
_HASKELL_IMPORT = re.compile(r"^import[ \t]+(?:qualified[ \t]+)?([A-Z][\w.]*)", re.MULTILINE)
_R_REFERENCE_DESIGN = re.compile(r"Requirement\s+\{\s+Identifier")
_C_MAIN = re.compile(r" main\(.*\{$", re.MULTILINE)


def digit_fraction(text: str) -> float:
    """Digits over non-whitespace characters (0 for an all-whitespace text)."""
    compact = "".join(text.split())
    return sum(char.isdigit() for char in compact) / len(compact) if compact else 0.0


def base_filter(text: str, path: str, repo: str) -> FilterResult:
    """Every language: at most 1,048,575 bytes of UTF-8; at most half of the non-space characters are
    digits.
    """
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        return False, "too_large"
    if digit_fraction(text) > MAX_DIGIT_FRACTION:
        return False, "too_many_digits"
    return KEEP


def python_imported_modules(text: str) -> set[str]:
    """Top-level names of the modules a Python file imports (``from scipy.linalg import x`` -> ``scipy``)."""
    modules = {match.group(1).split(".")[0] for match in _PY_FROM.finditer(text)}
    for match in _PY_IMPORT.finditer(text):
        for item in match.group(1).strip().rstrip("\\").split(","):
            name = item.split()[0] if item.split() else ""
            modules.add(name.split(".")[0].strip("()"))
    modules.discard("")
    return modules


def in_math_package(path: str, repo: str) -> bool:
    """Whether a file belongs to one of the math packages themselves: a folder on its path, or its
    repository, is named after one (``mpmath/functions/zeta.py``, a clone of ``sympy``)."""
    folders = path.replace("\\", "/").split("/")[:-1]
    return any(name in PYTHON_MATH_MODULES for name in (*folders, repository_name(repo)))


def python_filter(text: str, path: str, repo: str) -> FilterResult:
    """Imports a numerical or symbolic package (numpy, scipy, sympy, sage, ...); not JSON saved as ``.py``.

    Inside such a package (see :func:`in_math_package`) a relative import (``from .libmp import mpf``)
    is the package importing itself, so it counts too: otherwise mpmath's own numerical modules,
    which import each other relatively, would be dropped as "not math".
    """
    if text.lstrip().startswith("{"):
        return False, "starts_with_brace"
    if python_imported_modules(text) & PYTHON_MATH_MODULES:
        return KEEP
    if _PY_RELATIVE_IMPORT.search(text) and in_math_package(path, repo):
        return KEEP
    return False, "no_math_import"


def included_headers(text: str) -> list[str]:
    """The header paths of every ``#include <...>`` / ``#include "..."`` line."""
    return _INCLUDE.findall(text)


def _includes_any(text: str, libraries: Iterable[str]) -> bool:
    return any(header.startswith(library) for header in included_headers(text) for library in libraries)


def in_library_folder(path: str, libraries: Iterable[str]) -> bool:
    """Whether a file is part of one of ``libraries`` itself: a folder on its path carries the library's name
    (``Eigen/src/Core/Matrix.h``, ``NTL/ZZ.h``, ``gsl/gsl_matrix.h``). A library's own headers include
    each other by relative paths, never as ``<Eigen/...>``, so the include rule alone would drop the
    very libraries it is looking for."""
    folders = set(path.replace("\\", "/").split("/")[:-1])
    return any(library in folders for library in libraries)


def c_filter(text: str, path: str, repo: str) -> FilterResult:
    """Includes a numerical library header (FFTW, GSL, (C)BLAS, LAPACKE, NLopt or PETSc), or is part of one."""
    if _includes_any(text, C_MATH_HEADERS) or in_library_folder(path, C_MATH_HEADERS):
        return KEEP
    return False, "no_math_include"


def cpp_filter(text: str, path: str, repo: str) -> FilterResult:
    """Digits at most 10% of non-space characters; includes a math library (Eigen, Boost, NTL, deal.II,
    ...) or is part of one.
    """
    if digit_fraction(text) > CPP_MAX_DIGIT_FRACTION:
        return False, "too_many_digits"
    if _includes_any(text, CPP_MATH_HEADERS) or in_library_folder(path, CPP_MATH_HEADERS):
        return KEEP
    return False, "no_math_include"


def haskell_filter(text: str, path: str, repo: str) -> FilterResult:
    """Imports hmatrix (``Numeric.LinearAlgebra``...), math-functions, ``Statistics`` or ``Data.Complex``."""
    for module in _HASKELL_IMPORT.findall(text):
        if any(module == wanted or module.startswith(wanted + ".") for wanted in HASKELL_MATH_MODULES):
            return KEEP
    return False, "no_math_import"


def julia_test_density(text: str) -> float:
    """``@test`` occurrences per line."""
    return text.count("@test") / (text.count("\n") + 1)


def julia_filter(text: str, path: str, repo: str) -> FilterResult:
    """Not data saved as ``.jl`` (starting ``%``, ``{``, ``[``); files of 100 kB or more only if they are test
    files (at least 0.1 ``@test`` per line), since big Julia files are mostly generated tables."""
    if text[:1] in ("%", "{", "["):
        return False, "not_julia_source"
    if (
        len(text.encode("utf-8")) >= JULIA_LARGE_FILE_BYTES
        and julia_test_density(text) < JULIA_MIN_TESTS_PER_LINE
    ):
        return False, "large_non_test_file"
    return KEEP


def r_filter(text: str, path: str, repo: str) -> FilterResult:
    """Rejects Mac resource forks, reference-design files, XML and notebooks saved as ``.r``."""
    if "/* Resource fork" in text:
        return False, "resource_fork"
    if _R_REFERENCE_DESIGN.search(text):
        return False, "reference_design"
    if text.startswith("<?xml"):
        return False, "xml"
    if text.startswith("{"):
        return False, "starts_with_brace"
    return KEEP


def maple_filter(text: str, path: str, repo: str) -> FilterResult:
    """At most 100,000 bytes and not an XML worksheet."""
    if len(text.encode("utf-8")) > MAPLE_MAX_BYTES:
        return False, "too_large"
    if text.startswith("<?xml"):
        return False, "xml"
    return KEEP


def matlab_filter(text: str, path: str, repo: str) -> FilterResult:
    """``.m`` files that are neither Objective-C nor C."""
    if any(keyword in text for keyword in ("#import", "@interface", "@implementation", "@property")):
        return False, "objective_c"
    if "#include" in text or _C_MAIN.search(text):
        return False, "c_source"
    return KEEP


def tex_filter(text: str, path: str, repo: str) -> FilterResult:
    """A ``.tex`` file of at most 10 MB, outside ``latex/`` folders (generated docs), without gnuplot output,
    with a sectioning command. (English is checked by the language-id step, not here.)"""
    if not path.lower().endswith(".tex"):
        return False, "not_tex_file"
    if len(text.encode("utf-8")) > TEX_MAX_BYTES:
        return False, "too_large"
    if "latex/" in path:
        return False, "latex_folder"
    if "gnuplot" in text:
        return False, "gnuplot"
    if not any(command in text for command in TEX_SECTION_COMMANDS):
        return False, "no_section"
    return KEEP


def jupyter_filter(text: str, path: str, repo: str) -> FilterResult:
    """Has an ``equation``/``align`` environment or imports sympy (case-insensitive, on the raw notebook)."""
    lowered = text.lower()
    return (
        KEEP if any(marker in lowered for marker in JUPYTER_MATH_MARKERS) else (False, "no_equation_or_sympy")
    )


def coq_filter(text: str, path: str, repo: str) -> FilterResult:
    """Has a Coq vernacular keyword, no Verilog keyword (both use ``.v``), and is not auto-generated."""
    if not COQ_KEYWORDS.search(text):
        return False, "no_coq_keyword"
    if VERILOG_KEYWORDS.search(text):
        return False, "verilog"
    if "automatically generated" in text.lower():
        return False, "auto_generated"
    return KEEP


def repository_name(repo: str) -> str:
    """The name part of a repository id: ``owner/name`` (the-stack) or ``owner__name`` (a local clone)."""
    return repo.rstrip("/").rsplit("/", 1)[-1].rsplit("__", 1)[-1]


def lean_filter(text: str, path: str, repo: str) -> FilterResult:
    """Has ``theorem``/``lemma``/``example``; not from a repo named ProofNet or miniF2F (benchmarks);
    not a vendored dependency copy (``_target/deps/``, ``.lake/packages/``)."""
    if not any(keyword in text for keyword in LEAN_KEYWORDS):
        return False, "no_theorem"
    if repository_name(repo).lower() in LEAN_EXCLUDED_REPOS:
        return False, "benchmark_repo"
    if any(folder in path for folder in LEAN_DEPENDENCY_DIRS):
        return False, "dependency_copy"
    return KEEP


LANGUAGE_FILTERS: dict[str, FileFilter] = {
    "python": python_filter,
    "c": c_filter,
    "c++": cpp_filter,
    "haskell": haskell_filter,
    "julia": julia_filter,
    "r": r_filter,
    "maple": maple_filter,
    "matlab": matlab_filter,
    "tex": tex_filter,
    "jupyter": jupyter_filter,
    "coq": coq_filter,
    "lean": lean_filter,
    # agda, fortran, gap, idris, isabelle: the base filter only
}


def filter_file(language: str, text: str, path: str, repo: str = "") -> FilterResult:
    """The base filter, then the language's own rule (if it has one)."""
    keep, reason = base_filter(text, path, repo)
    if not keep:
        return keep, reason
    language_filter = LANGUAGE_FILTERS.get(language)
    return language_filter(text, path, repo) if language_filter else KEEP
