"""The AlgebraicStack reader and filters on real math code from Debian packages (Eigen, NTL, GSL, FLINT, mpmath, R MASS,
the Coq standard library, GAP, Octave), vendored under ``tests/data/code/<repo>/<path>`` with provenance,
license, language and the expected keep/drop in ``EXPECTED.json``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mathlm.proof_pile_2.code import AlgebraicStackFilter, SourceTreeReader
from mathlm.proof_pile_2.code.languages import header_language, is_cpp_code, repository_header_language
from mathlm.proof_pile_2.readers import accounting_gaps

FILES = Path(__file__).parents[2] / "data" / "code"
EXPECTED = json.loads((FILES / "EXPECTED.json").read_text(encoding="utf-8"))


def test_every_file_has_provenance_and_license() -> None:
    assert {record["language"] for record in EXPECTED.values()} >= {
        "c",
        "c++",
        "python",
        "coq",
        "gap",
        "matlab",
        "r",
    }
    for name, record in EXPECTED.items():
        assert (FILES / name).is_file(), name
        assert record["package"] and record["version"] and record["path"] and record["license"], name


def test_language_and_keep_or_drop_of_each_real_file() -> None:
    reader, language_filter = SourceTreeReader(str(FILES)), AlgebraicStackFilter()
    documents = {doc.id: doc for doc in reader()}
    assert sorted(documents) == sorted(EXPECTED)
    outcomes = {}
    for name, doc in documents.items():
        result = language_filter.filter(doc)
        outcomes[name] = (doc.metadata["lang"], "keep" if result is True else result[1])
    assert outcomes == {name: (record["language"], record["expected"]) for name, record in EXPECTED.items()}
    assert accounting_gaps([reader.stats.to_dict()]) == []


def test_header_only_cpp_libraries_are_cpp_by_their_code() -> None:
    """Eigen and NTL ship ``.h`` files only; treated as C they kept 0%."""
    assert is_cpp_code((FILES / "eigen/Eigen/src/Core/Dot.h").read_text())  # namespace, templates
    assert is_cpp_code((FILES / "ntl/NTL/vec_long.h").read_text())  # only `typedef Vec<long> vec_long;`
    assert not is_cpp_code((FILES / "gsl/gsl/gsl_sf_bessel.h").read_text())  # extern "C" guards are C
    assert not is_cpp_code((FILES / "eigen/Eigen/src/misc/blas.h").read_text())  # C declarations of BLAS


def test_a_header_that_says_nothing_takes_its_repository_language(tmp_path: Path) -> None:
    """NTL's feature headers hold a lone macro: in a repository with C++ sources and no C sources they are
    C++; the same file in a repository of C sources stays C."""
    for repo, source in (("cpp-project", "src/lll.cpp"), ("c-project", "src/lll.c")):
        (tmp_path / repo / "include" / "NTL").mkdir(parents=True)
        shutil.copyfile(FILES / "ntl/NTL/HAVE_FMA.h", tmp_path / repo / "include/NTL/HAVE_FMA.h")
        (tmp_path / repo / source).parent.mkdir()
        (tmp_path / repo / source).write_text("int main(void) { return 0; }\n")
    languages = {doc.id: doc.metadata["lang"] for doc in SourceTreeReader(str(tmp_path))()}
    assert languages["cpp-project/include/NTL/HAVE_FMA.h"] == "c++"
    assert languages["c-project/include/NTL/HAVE_FMA.h"] == "c"
    assert repository_header_language(["a.c", "b.cpp"]) is None
    assert header_language("#define X 1\n") == "c"


def test_relative_imports_count_only_inside_a_math_package() -> None:
    """mpmath's modules import each other relatively (``from .functions import defun``): its own imports."""
    from mathlm.proof_pile_2.code.filters import filter_file

    text = (FILES / "mpmath/mpmath/functions/factorials.py").read_text()
    assert filter_file("python", text, "mpmath/functions/factorials.py", "") == (True, None)
    assert filter_file("python", text, "functions/factorials.py", "fredrik-johansson/mpmath") == (True, None)
    assert filter_file("python", text, "webapp/functions/factorials.py", "someone/webapp") == (
        False,
        "no_math_import",
    )


def test_the_stack_rows_of_h_files_are_judged_by_their_code(tmp_path: Path) -> None:
    """the-stack files every ``.h`` under C; the row's code decides (no repository view there)."""
    from mathlm.proof_pile_2.code import StackJsonlReader

    rows = [
        {
            "content": (FILES / name).read_text(),
            "lang": "C",
            "max_stars_repo_path": name.split("/", 1)[1],
            "max_stars_repo_name": f"debian/{name.split('/')[0]}",
        }
        for name in ("eigen/Eigen/src/Core/Dot.h", "gsl/gsl/gsl_sf_bessel.h")
    ]
    (tmp_path / "rows.jsonl").write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    languages = {doc.metadata["path"]: doc.metadata["lang"] for doc in StackJsonlReader(str(tmp_path))()}
    assert languages == {"Eigen/src/Core/Dot.h": "c++", "gsl/gsl_sf_bessel.h": "c"}
