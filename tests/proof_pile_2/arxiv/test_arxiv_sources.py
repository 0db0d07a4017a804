"""Reading real submissions: tarballs, gzipped single files, broken archives; the reader and cleaner steps."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest

from mathlm.proof_pile_2.arxiv import ArxivSourceReader, RedPajamaArxivReader, RedPajamaLatexCleaner
from mathlm.proof_pile_2.arxiv.sources import UnreadableSource, paper_id_from_filename, read_tex_files

MAIN = r"""\documentclass{article}
\newcommand{\Z}{\mathbb{Z}}
\begin{document}
\begin{abstract}Primes in arithmetic progressions.\end{abstract}
\input{sections/intro}
\include{sections/proof}
\bibliographystyle{alpha}
\bibliography{refs}
\end{document}
"""
INTRO = (
    "\\section{Introduction}\n"
    "For $a, q \\in \\Z$ with $\\gcd(a,q)=1$ there are infinitely many primes $p \\equiv a \\pmod q$.\n"
)
PROOF = "\\section{Proof}\nWe use Dirichlet characters $\\chi \\bmod q$. % check constants\n"


def tar_bytes(files: dict[str, bytes], compression: str = "gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=f"w:{compression}" if compression else "w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


PAPER_FILES = {
    "./main.tex": MAIN.encode(),
    "sections/intro.tex": INTRO.encode(),
    "sections/proof.tex": PROOF.encode(),
    "fig1.pdf": b"%PDF-1.5\x00\x01",
}


def test_paper_ids_from_file_names() -> None:
    assert paper_id_from_filename("/data/2101.00001v2.tar.gz") == "2101.00001v2"
    assert paper_id_from_filename("math0601001.gz") == "math/0601001"
    assert paper_id_from_filename("hep-th9901001v3.tar") == "hep-th/9901001v3"
    assert paper_id_from_filename("math.AG0601001.gz") == "math.AG/0601001"


def test_read_tex_files_from_gzipped_and_plain_tarballs() -> None:
    for compression in ("gz", ""):
        files = read_tex_files(tar_bytes(PAPER_FILES, compression), "2101.00001.tar.gz")
        assert set(files) == {"main.tex", "sections/intro.tex", "sections/proof.tex"}


def test_read_tex_files_single_gzipped_tex_with_latin1_bytes() -> None:
    data = gzip.compress("\\documentclass{article}\\section{Poincaré} x".encode("latin-1"))
    assert read_tex_files(data, "math0601001.gz") == {
        "main.tex": "\\documentclass{article}\\section{Poincaré} x"
    }


def test_read_tex_files_reasons_for_unusable_submissions() -> None:
    with pytest.raises(UnreadableSource) as no_tex:
        read_tex_files(tar_bytes({"paper.pdf": b"%PDF-1.4\x00"}), "2101.00002.tar.gz")
    assert no_tex.value.reason == "no_tex"
    with pytest.raises(UnreadableSource) as pdf_only:
        read_tex_files(gzip.compress(b"%PDF-1.4\x00\x00binary"), "2101.00003.gz")
    assert pdf_only.value.reason == "no_tex"
    truncated = tar_bytes(PAPER_FILES)[:200]
    with pytest.raises(UnreadableSource) as corrupt:
        read_tex_files(truncated, "2101.00004.tar.gz")
    assert corrupt.value.reason == "corrupt_archive"


def test_reader_and_cleaner_steps(tmp_path: Path) -> None:
    (tmp_path / "2101.00001.tar.gz").write_bytes(tar_bytes(PAPER_FILES))
    (tmp_path / "2101.00002.tar.gz").write_bytes(tar_bytes({"paper.pdf": b"%PDF-1.4\x00"}))
    (tmp_path / "2101.00004.tar.gz").write_bytes(tar_bytes(PAPER_FILES)[:200])
    (tmp_path / "math0601001.gz").write_bytes(
        gzip.compress(b"\\documentclass{article}\\begin{document}Hi.\\end{document}")
    )
    (tmp_path / "README.txt").write_text("not a submission")
    reader = ArxivSourceReader(str(tmp_path))
    cleaner = RedPajamaLatexCleaner(min_chars=20)
    docs = list(cleaner(reader()))
    assert [doc.id for doc in docs] == ["2101.00001"]
    doc = docs[0]
    assert doc.metadata["url"] == "https://arxiv.org/abs/2101.00001"
    assert doc.metadata["source"] == "arxiv" and doc.metadata["main_file"] == "main.tex"
    assert doc.text.startswith("\\section{Introduction}")
    assert "$a, q \\in \\mathbb{Z}$" in doc.text and "\\section{Proof}" in doc.text
    assert "check constants" not in doc.text and "bibliography" not in doc.text
    reader_stats, cleaner_stats = reader.stats.stats, cleaner.stats.stats
    assert reader_stats["dropped_no_tex"].total == 1
    assert reader_stats["dropped_corrupt_archive"].total == 1
    assert reader_stats["skipped_not_a_source"].total == 1
    assert cleaner_stats["dropped_no_section"].total == 1  # math/0601001 has no \section


def test_redpajama_jsonl_reader(tmp_path: Path) -> None:
    record = {
        "text": "\\section{Intro}\nLet $G$ be a group.",
        "meta": {"arxiv_id": "1905.01234", "yymm": "1905", "url": "https://arxiv.org/abs/1905.01234"},
    }
    with gzip.open(tmp_path / "arxiv_000.jsonl.gz", "wt") as handle:
        handle.write(json.dumps(record) + "\n")
    docs = list(RedPajamaLatexCleaner(min_chars=20)(RedPajamaArxivReader(str(tmp_path))()))
    assert [(d.id, d.text, d.metadata["source"], d.metadata["yymm"]) for d in docs] == [
        ("1905.01234", "\\section{Intro}\nLet $G$ be a group.", "arxiv", "1905")
    ]
