"""The arXiv reader and cleaner on real LaTeX nobody on the project wrote: theses, journal templates and a
plain-TeX manual from Debian's TeX Live and PARI documentation packages (``tests/data/latex``, provenance
and licenses in ``PROVENANCE.json``). Each source is packed as an arXiv submission tarball and goes
through the real datatrove steps."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import pytest
from datatrove.data import Document

from mathlm.proof_pile_2.arxiv import ArxivSourceReader, RedPajamaLatexCleaner
from mathlm.proof_pile_2.arxiv.latex import decode_source
from mathlm.proof_pile_2.readers import accounting_gaps

SOURCES = Path(__file__).parents[2] / "data" / "latex"
PROVENANCE = json.loads((SOURCES / "PROVENANCE.json").read_text(encoding="utf-8"))


def pack(name: str) -> bytes:
    """The source's ``.tex`` files as a gzipped tarball, as arXiv serves a submission."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path in sorted((SOURCES / name).rglob("*.tex")):
            archive.add(path, arcname=str(path.relative_to(SOURCES / name)))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Document, Document]]:
    """``{source: (joined document from the reader, cleaned document)}`` for every vendored source."""
    folder = tmp_path_factory.mktemp("submissions")
    for name in PROVENANCE:
        (folder / f"{name}.tar.gz").write_bytes(pack(name))
    joined = {doc.id: doc for doc in ArxivSourceReader(str(folder))()}
    reader, cleaner = ArxivSourceReader(str(folder)), RedPajamaLatexCleaner()
    results = {doc.id: doc for doc in cleaner(reader())}
    step_stats = [step.stats.to_dict() for step in (reader, cleaner)]
    assert accounting_gaps(step_stats) == []
    return {name: (joined[name], results[name]) for name in results}


def read(path: Path) -> str:
    """A source file as the reader decodes it (some are Latin-1)."""
    return decode_source(path.read_bytes())


def headings(text: str, command: str = "chapter") -> list[str]:
    return re.findall(r"\\" + command + r"\*?\s*(?:\[[^\]]*\])?\{([^{}]*)\}", text)


def test_every_source_has_provenance_and_license() -> None:
    assert len(PROVENANCE) >= 10
    for name, record in PROVENANCE.items():
        assert record["package"] and record["version"] and record["path"] and record["license"], name
        assert sorted(str(p.relative_to(SOURCES / name)) for p in (SOURCES / name).rglob("*.tex")) == sorted(
            record["files"]
        )


def test_every_real_source_gives_one_cleaned_document(cleaned: dict[str, tuple[Document, Document]]) -> None:
    assert sorted(cleaned) == sorted(PROVENANCE)
    for name, (_, doc) in cleaned.items():
        assert len(doc.text) >= 500, name
        assert "\\documentclass" not in doc.text.split("\n", 1)[0], name


def test_thesis_with_a_front_matter_publication_list_keeps_every_chapter(
    cleaned: dict[str, tuple[Document, Document]],
) -> None:
    """classicthesis prints the author's publications with ``\\printbibliography`` in its front matter;
    cutting there kept 770 of ~36,000 characters."""
    joined, doc = cleaned["classicthesis"]
    assert joined.metadata["main_file"] == "ClassicThesis.tex" and joined.metadata["tex_files"] == 16
    for chapter in ("Chapter01", "Chapter02", "Chapter03"):
        for title in headings(read(SOURCES / "classicthesis" / "Chapters" / f"{chapter}.tex")):
            assert f"\\chapter{{{title}}}" in doc.text, title
    assert (
        "\\printbibliography[heading=none]" in doc.text
    )  # the front-matter list stays, nothing is cut there
    appendix = headings(read(SOURCES / "classicthesis" / "Chapters" / "Chapter0A.tex"))[0]
    assert appendix not in doc.text  # the real appendix, after \appendix, is cut
    assert len(doc.text) > 0.8 * len(joined.text)


def test_chapter_quoting_documentclass_in_a_listing_is_not_the_main_file(
    cleaned: dict[str, tuple[Document, Document]],
) -> None:
    """arsclassica's Fundamentals chapter shows ``\\documentclass`` inside its own ``code`` listing
    environment (defined with ``\\lstnewenvironment``)."""
    joined, doc = cleaned["arsclassica"]
    assert "\\documentclass[" in read(SOURCES / "arsclassica" / "Chapters" / "Fundamentals.tex")
    assert joined.metadata["main_file"] == "ArsClassica.tex"
    assert "\\chapter{Fundamentals}" in doc.text and "\\documentclass[a4paper,twoside" in doc.text


def test_verb_end_document_and_verbatim_bibliography_do_not_cut(
    cleaned: dict[str, tuple[Document, Document]],
) -> None:
    _, acm = cleaned["acmart-acmsmall"]
    assert "placed just before the \\verb|\\end{document}| command" in acm.text
    assert "  \\bibliographystyle{ACM-Reference-Format}\n  \\bibliography{bibfile}" in acm.text  # in verbatim
    assert "\\section{SIGCHI Extended Abstracts}" in acm.text  # the last section of the body
    assert "\\section{Research Methods}" not in acm.text  # the appendix after the real bibliography
    _, llncs = cleaned["llncsdoc"]
    assert "\\section{Obsolete Class Options}" in llncs.text  # after \verb|\bibliographystyle| in the text
    _, quantum = cleaned["quantum-template"]
    assert "\\section{Version}" in quantum.text and "First section of the appendix" not in quantum.text


def test_short_verb_delimiters_are_verbatim(cleaned: dict[str, tuple[Document, Document]]) -> None:
    """msu-thesis' manual declares ``\\DefineShortVerb{\\|}`` and lists ``|\\end{document}|`` early on."""
    joined, doc = cleaned["msu-thesis-docs"]
    assert "\\item |\\end{document}|" in doc.text
    assert "\\section{Bugs and redistribution}" in doc.text
    assert len(doc.text) > 0.8 * len(joined.text)


def test_multi_file_theses_keep_their_chapters_and_cut_the_appendices(
    cleaned: dict[str, tuple[Document, Document]],
) -> None:
    cases = {  # source: (chapter files, appendix files)
        "hagenberg-thesis-en": (
            sorted((SOURCES / "hagenberg-thesis-en" / "chapters").glob("*.tex")),
            sorted((SOURCES / "hagenberg-thesis-en" / "back").glob("appendix_*.tex")),
        ),
        "cleanthesis": (
            sorted((SOURCES / "cleanthesis" / "content").glob("chapter-[!a]*.tex")),
            [SOURCES / "cleanthesis" / "content" / "chapter-appendix.tex"],
        ),
        "hepthesis": (
            [SOURCES / "hepthesis" / f"chap{n}.tex" for n in (1, 2, 3)],
            [SOURCES / "hepthesis" / "appendices.tex"],
        ),
        "uafthesis": (
            [SOURCES / "uafthesis" / f"ch{n}.tex" for n in (1, 2)],
            [SOURCES / "uafthesis" / "apx1.tex"],
        ),
        "sphdthesis": ([SOURCES / "sphdthesis" / "chapter1.tex"], []),
    }
    for name, (chapters, appendices) in cases.items():
        _, doc = cleaned[name]
        for path in chapters:
            for title in headings(read(path)):
                assert f"{{{title}}}" in doc.text, (name, path.name, title)
        for path in appendices:
            for title in headings(read(path)):
                assert f"\\chapter{{{title}}}" not in doc.text, (name, path.name, title)


def test_plain_tex_manual_main_file_is_the_input_root(cleaned: dict[str, tuple[Document, Document]]) -> None:
    """PARI's user's guide is plain TeX: no ``\\documentclass`` anywhere; ``users.tex`` inputs the
    macros and the chapters (those not vendored are left out, as files missing from a tarball are)."""
    joined, doc = cleaned["pari-users-guide"]
    assert joined.metadata["main_file"] == "users.tex"
    assert "\\chapter{Overview of the PARI system}" in doc.text
    assert "\\section{The PARI types}" in doc.text
