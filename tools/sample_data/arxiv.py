"""arXiv-style LaTeX source tarballs and RedPajama-style arXiv records for the sample corpus.

Papers are split over several files the way authors submit them (``\\input``/``\\include`` with and
without ``.tex``, nested inputs), carry a preamble with user macros (argument-free ones the cleaner
must expand, ones with arguments it must leave alone), ``%`` comments next to ``\\%`` escapes,
theorem environments, a bibliography and appendices. A few submissions are deliberately awkward:
PDF only, no section header, a bare gzipped ``.tex`` instead of a tarball, Latin-1 source.
"""

from __future__ import annotations

import io
import json
import random
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from tools.sample_data import prose_math
from tools.sample_data.benchmarks import Row, pick_math_problem
from tools.sample_data.document import Article
from tools.sample_data.warc import gzip_member

Rng = random.Random

PAPERS = 30
REDPAJAMA_RECORDS = 5
TAR_MTIME = 1_672_531_200  # 2023-01-01T00:00:00Z: fixed so tarballs are byte-stable
_SURNAMES = (
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Novak",
    "Haddad",
    "Ferreira",
    "Kowalski",
    "Sato",
    "Brennan",
    "Ivanova",
    "Mensah",
    "Rossi",
    "Nguyen",
    "Schmidt",
    "Alvarez",
)
_JOURNALS = (
    "J. Algebra",
    "Ann. of Math.",
    "Invent. Math.",
    "Duke Math. J.",
    "Adv. Math.",
    "Trans. AMS",
    "Probab. Theory Related Fields",
    "SIAM J. Numer. Anal.",
)
PREAMBLE_MACROS = r"""\newcommand{\R}{\mathbb{R}}
\newcommand{\N}{\mathbb{N}}
\def\eps{\epsilon}
\newcommand{\norm}[1]{\left\lVert #1 \right\rVert}
\newcommand{\inner}[2]{\langle #1, #2 \rangle}
\DeclareMathOperator{\tr}{tr}
"""


@dataclass
class Paper:
    """One submission: its arXiv id, files (path -> bytes) and what it exercises."""

    arxiv_id: str
    files: dict[str, bytes] = field(default_factory=dict)
    kinds: list[str] = field(default_factory=list)
    single_gzip: bool = False


def _authors(rng: Rng) -> str:
    return " \\and ".join(
        f"{chr(rng.randint(65, 90))}. {rng.choice(_SURNAMES)}" for _ in range(rng.randint(1, 3))
    )


def _preamble(rng: Rng, title: str) -> str:
    packages = ["amsmath", "amssymb", "amsthm"] + rng.sample(
        ["graphicx", "hyperref", "enumitem", "tikz", "mathtools"], 2
    )
    return (
        "\\documentclass[11pt]{"
        + rng.choice(["article", "amsart"])
        + "}\n"
        + "".join(f"\\usepackage{{{p}}}\n" for p in packages)
        + "% Macros used throughout the paper\n"
        + PREAMBLE_MACROS
        + "\\newtheorem{theorem}{Theorem}[section]\n\\newtheorem{lemma}[theorem]{Lemma}\n"
        + "\\theoremstyle{definition}\n\\newtheorem{definition}[theorem]{Definition}\n\n"
        + f"\\title{{{title}}}\n\\author{{{_authors(rng)}}}\n\\date{{}}\n"
    )


def _macro_paragraph(rng: Rng) -> str:
    """Prose that uses the preamble's macros, a ``\\%`` escape and an end-of-line comment."""
    n, pct = rng.randint(2, 9), rng.randint(5, 95)
    return (
        f"Throughout, $V$ denotes a finite-dimensional subspace of $\\R^{n}$ and $\\norm{{v}}$ the Euclidean "
        f"norm of $v \\in V$. For every $\\eps > 0$ we write $B_\\eps(v)$ for the open ball, and "
        f"$\\inner{{u}}{{v}}$ for the inner product; note that $\\tr(A) = \\sum_i A_{{ii}}$. "
        f"In our experiments about {pct}\\% of the random instances satisfied the bound. % check this figure\n"
        f"% TODO: add the case $n = 1$ before submission\n"
    )


def _theorem(rng: Rng) -> str:
    k = rng.randint(2, 6)
    return (
        "\\begin{theorem}\\label{thm:main}\n"
        f"Let $f \\colon \\R \\to \\R$ be $C^{k}$ with $\\norm{{f^{{({k})}}}}_\\infty \\le 1$. Then for all "
        f"$x \\in [0, 1]$ and $\\eps > 0$ there is a polynomial $p$ of degree at most ${k}$ with "
        "$|f(x) - p(x)| < \\eps$.\n\\end{theorem}\n\n"
        "\\begin{proof}\nApply Taylor's theorem with the Lagrange remainder and bound the remainder term "
        f"by $1/{k}!$. \\end{{proof}}\n\n"
        "\\begin{equation}\\label{eq:key}\n"
        f"  \\int_0^1 |f(x) - p(x)|^2 \\, dx \\le \\frac{{1}}{{({k}!)^2}}.\n\\end{{equation}}\n"
    )


def _section(title: str, article: Article, extra: str = "", label: bool = True) -> str:
    body = "\n\n".join(
        b.text if b.kind != "h2" else f"\\subsection{{{b.text.split('. ', 1)[-1]}}}" for b in article.blocks
    )
    anchor = f"\\label{{sec:{title.split()[0].lower()}}}" if label else ""
    return f"\\section{{{title}}}{anchor}\n{extra}\n{body}\n"


def _bibliography_items(rng: Rng, count: int) -> list[tuple[str, str, str, int]]:
    return [
        (
            f"{rng.choice(_SURNAMES).lower()}{rng.randint(1990, 2023)}{chr(97 + i)}",
            f"{chr(rng.randint(65, 90))}. {rng.choice(_SURNAMES)}",
            rng.choice(_JOURNALS),
            rng.randint(1990, 2023),
        )
        for i in range(count)
    ]


def _thebibliography(items: list[tuple[str, str, str, int]]) -> str:
    entries = "".join(
        f"\\bibitem{{{key}}} {author}, \\emph{{On a problem in analysis}}, {journal} ({year}).\n"
        for key, author, journal, year in items
    )
    return f"\\begin{{thebibliography}}{{{len(items)}}}\n{entries}\\end{{thebibliography}}\n"


def _bibtex(items: list[tuple[str, str, str, int]]) -> str:
    return "".join(
        f"@article{{{key},\n  author = {{{author}}},\n  title = {{On a problem in analysis}},\n"
        f"  journal = {{{journal}}},\n  year = {{{year}}}\n}}\n\n"
        for key, author, journal, year in items
    )


def regular_paper(rng: Rng, arxiv_id: str, index: int) -> Paper:
    """A paper whose layout (single file / inputs / include, thebibliography / BibTeX) varies with ``index``."""
    topic = prose_math.MATH_TOPICS[index % len(prose_math.MATH_TOPICS)]
    intro, main, extra = (prose_math.math_article(rng, topic, paragraphs=rng.randint(3, 6)) for _ in range(3))
    title = intro.title.split(" (")[0]
    items = _bibliography_items(rng, rng.randint(3, 6))
    cites = ", ".join(f"\\cite{{{key}}}" for key, *_ in items[:2])
    sections = {
        "intro": _section("Introduction", intro, f"We build on {cites}.\n" + _macro_paragraph(rng)),
        "main": _section("Main results", main, _theorem(rng)),
        "appendix": "\\section{Additional computations}\n"
        + "\n\n".join(b.text for b in extra.blocks if b.kind == "p"),
    }
    paper = Paper(arxiv_id, kinds=["macros", "comments", "percent_escape", "theorem_env", "appendix"])
    layout = index % 4
    bib = _thebibliography(items) if index % 2 == 0 else "\\bibliographystyle{plain}\n\\bibliography{refs}\n"
    paper.kinds.append("thebibliography" if index % 2 == 0 else "bibtex")
    abstract = f"\\begin{{abstract}}\n{intro.blocks[0].text}\n\\end{{abstract}}\n"
    head = _preamble(rng, title) + "\n\\begin{document}\n\\maketitle\n" + abstract
    if layout == 0:
        body = sections["intro"] + sections["main"] + bib + "\\appendix\n" + sections["appendix"]
        paper.kinds.append("single_file")
    else:
        paper.files["sections/intro.tex"] = sections["intro"].encode()
        paper.files["sections/results.tex"] = sections["main"].encode()
        if layout == 3:  # a nested input: results.tex pulls in its own proof file
            paper.files["sections/results.tex"] += b"\\input{sections/proofs}\n"
            paper.files["sections/proofs.tex"] = _section("Proofs", extra).encode()
            paper.kinds.append("nested_input")
        paper.files["appendix.tex"] = sections["appendix"].encode()
        body = (
            "\\input{sections/intro}\n% \\input{sections/old_intro}\n\\input{sections/results.tex}\n"
            + bib
            + "\\appendix\n"
            + ("\\include{appendix}\n" if layout == 2 else "\\input{appendix.tex}\n")
        )
        paper.kinds += ["multi_file", "input_without_ext", "input_with_ext"] + (
            ["include"] if layout == 2 else []
        )
    if index % 2:
        paper.files["refs.bib"] = _bibtex(items).encode()
    if index % 3 == 0:
        paper.files["figures/convergence.pdf"] = (
            b"%PDF-1.4\n% figure placeholder produced by the plotting script\n"
        )
    paper.files["main.tex"] = (head + body + "\\end{document}\n").encode()
    return paper


def pdf_only_paper(arxiv_id: str) -> Paper:
    """A submission with no LaTeX at all (authors may upload a PDF only)."""
    return Paper(
        arxiv_id,
        {"paper.pdf": b"%PDF-1.5\n% scanned manuscript\n", "README.txt": b"PDF-only submission.\n"},
        ["no_tex"],
    )


def no_section_paper(rng: Rng, arxiv_id: str) -> Paper:
    """A short note whose body has no ``\\section`` (or any sectioning command) at all."""
    article = prose_math.math_article(rng, "number_theory", paragraphs=4)
    body = "\n\n".join(b.text for b in article.blocks if b.kind == "p")
    tex = (
        _preamble(rng, "A remark on residues")
        + "\\begin{document}\n\\maketitle\n"
        + body
        + "\n\\end{document}\n"
    )
    return Paper(arxiv_id, {"note.tex": tex.encode()}, ["no_section", "single_file"])


def single_gzip_paper(rng: Rng, arxiv_id: str) -> Paper:
    """What arXiv serves for single-file submissions: the ``.tex`` itself gzipped, no tar around it."""
    paper = regular_paper(rng, arxiv_id, 0)
    return Paper(
        arxiv_id,
        {"main.tex": paper.files["main.tex"]},
        paper.kinds + ["single_gzipped_tex"],
        single_gzip=True,
    )


def latin1_paper(rng: Rng, arxiv_id: str) -> Paper:
    """A paper whose source is Latin-1 (accented names and words), not UTF-8."""
    paper = regular_paper(rng, arxiv_id, 4)
    text = paper.files["main.tex"].decode()
    text = text.replace(
        "\\begin{abstract}\n",
        "\\begin{abstract}\nWe thank J. Müller and H. Poincaré's school "
        "for the naïve but fruitful question. ",
    )
    paper.files["main.tex"] = text.encode("latin-1")
    paper.kinds.append("latin1")
    return paper


def contaminated_paper(rng: Rng, arxiv_id: str, problem: Row) -> Paper:
    """A paper whose introduction quotes a MATH test problem verbatim as a motivating example."""
    paper = regular_paper(rng, arxiv_id, 5)
    quote = (
        "As a motivating example, consider the following competition problem. "
        + str(problem["problem"])
        + "\n\n"
    )
    for name in ("sections/intro.tex", "main.tex"):
        if name in paper.files and b"\\section{Introduction}" in paper.files[name]:
            paper.files[name] = paper.files[name].replace(
                b"\\label{sec:introduction}\n", b"\\label{sec:introduction}\n" + quote.encode(), 1
            )
            break
    paper.kinds.append(f"contaminated:math:{problem['idx']}")
    return paper


def tar_gz(files: dict[str, bytes]) -> bytes:
    """A gzipped tar of ``files`` with fixed metadata, members in sorted order."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(files[name]), TAR_MTIME, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(files[name]))
    return gzip_member(buffer.getvalue())


def build_papers(seed: int, math_rows: list[Row], exclude: set[int]) -> list[Paper]:
    """All submissions, special cases included, in arXiv id order."""
    rng = Rng(seed)
    ids = sorted(
        {
            f"{rng.choice(['2207', '2301', '2305', '2310', '2402'])}.{rng.randint(100, 19999):05d}"
            for _ in range(PAPERS * 2)
        }
    )
    rng.shuffle(ids)
    ids = ids[:PAPERS]
    special = [
        pdf_only_paper(ids[0]),
        no_section_paper(rng, ids[1]),
        single_gzip_paper(rng, ids[2]),
        latin1_paper(rng, ids[3]),
        contaminated_paper(rng, ids[4], pick_math_problem(math_rows, rng, exclude)),
    ]
    regular = [regular_paper(rng, arxiv_id, index) for index, arxiv_id in enumerate(ids[5:])]
    return sorted(special + regular, key=lambda paper: paper.arxiv_id)


def redpajama_records(seed: int) -> list[dict[str, object]]:
    """Already-cleaned arXiv text the way RedPajama distributes it: from the first section on."""
    rng = Rng(seed)
    records = []
    for index in range(REDPAJAMA_RECORDS):
        topic = prose_math.MATH_TOPICS[(index * 2) % len(prose_math.MATH_TOPICS)]
        parts = [prose_math.math_article(rng, topic, paragraphs=4) for _ in range(2)]
        text = (
            _section("Introduction", parts[0], label=False)
            + "\n"
            + _section("Results", parts[1], label=False)
        )
        arxiv_id = f"2309.{rng.randint(1000, 19999):05d}"
        records.append(
            {
                "text": text,
                "meta": {
                    "timestamp": f"2023-09-{index + 10:02d}T12:00:00",
                    "yymm": "2309",
                    "arxiv_id": arxiv_id,
                    "language": "en",
                    "url": f"https://arxiv.org/abs/{arxiv_id}",
                },
            }
        )
    return records


def write_arxiv(
    papers: list[Paper], records: list[dict[str, object]], out_dir: Path
) -> list[dict[str, object]]:
    """Write the tarballs and the JSONL; returns one manifest row per tarball."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for paper in papers:
        data = gzip_member(paper.files["main.tex"]) if paper.single_gzip else tar_gz(paper.files)
        path = out_dir / f"{paper.arxiv_id}.tar.gz"
        path.write_bytes(data)
        rows.append(
            {
                "path": f"arxiv/{path.name}",
                "arxiv_id": paper.arxiv_id,
                "kinds": paper.kinds,
                "files": sorted(paper.files),
            }
        )
    with (out_dir / "redpajama_sample.jsonl").open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return rows
