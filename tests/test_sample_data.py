"""The embedded sample corpus: reproducible, small, readable, and holding every case the manifest promises.

Other areas' tests pick their inputs from the manifest by kind; these tests make sure each promised
kind is really there and really looks like what it claims (a KaTeX page carries KaTeX's MathML
annotation, a "latin1" paper is not UTF-8, a code file labelled "digit_density" has the digit
density the C++ rule rejects, ...).
"""

from __future__ import annotations

import gzip
import html
import itertools
import json
import re
import tarfile
from pathlib import Path

import pytest
from fastwarc.warc import ArchiveIterator, WarcRecordType
from resiliparse.extract.html2text import extract_plain_text

from mathlm.assets import BENCHMARKS_DIR
from mathlm.sample_data import (
    SAMPLE_DIR,
    describe_sample,
    load_manifest,
    read_warc,
    sample_paths,
    web_records,
)
from tools.sample_data.generate import generate

WEB_KINDS = [
    "mathjax_script",
    "mathjax_dollar",
    "mathjax_paren",
    "katex",
    "mathml",
    "codecogs",
    "wikipedia",
    "wordpress",
    "asciimath",
    "latex_no_mathjax",
    "boilerplate_heavy",
    "qa",
    "math",
    "non_math",
    "non_english:fr",
    "non_english:de",
    "non_english:es",
    "non_english:zh",
    "non_english:ru",
    "near_duplicate_of",
    "contaminated:math",
    "contaminated:gsm8k",
    "empty",
    "bad_encoding",
    "non_html:image/png",
    "non_html:application/pdf",
    "redirect",
    "http_error",
    "huge",
    "corrupt",
    "layout:blog",
    "layout:forum",
    "layout:lecture",
    "layout:wiki",
    "layout:portal",
    "layout:product",
]
# The raw HTML of every page of a math style contains the first marker; each marker is on some page.
STYLE_MARKERS = {
    "mathjax_script": [
        '<script type="math/tex',
        '<script type="math/tex">',
        '<script type="math/tex; mode=display">',
    ],
    "mathjax_dollar": ["MathJax.js", "$"],
    "mathjax_paren": ["MathJax.js", "\\("],
    "katex": ['class="katex-mathml"', '<annotation encoding="application/x-tex">', 'class="katex-html"'],
    "mathml": ["<math", "</math>"],
    "codecogs": ["latex.codecogs.com/png.latex?"],
    "wikipedia": ['class="mwe-math-fallback-image-inline"', 'alt="{\\displaystyle'],
    "wordpress": ['class="latex"', "s0.wp.com/latex.php?latex="],
    "asciimath": ["AM_CHTML", "`"],
}
ARXIV_KINDS = [
    "no_tex",
    "no_section",
    "single_gzipped_tex",
    "latin1",
    "contaminated:math",
    "multi_file",
    "single_file",
    "input_without_ext",
    "input_with_ext",
    "include",
    "nested_input",
    "bibtex",
    "thebibliography",
    "appendix",
    "macros",
    "percent_escape",
]
LANGUAGES = [
    "Python",
    "C",
    "C++",
    "Haskell",
    "Julia",
    "R",
    "Maple",
    "GAP",
    "Lean",
    "Isabelle",
    "Idris",
    "Agda",
    "Fortran",
    "TeX",
    "Jupyter",
    "Coq",
    "MATLAB",
]
LANGUAGES_WITH_DROPS = [
    "Python",
    "C",
    "C++",
    "Haskell",
    "Julia",
    "R",
    "Maple",
    "Lean",
    "Fortran",
    "TeX",
    "Jupyter",
    "Coq",
]


@pytest.fixture(scope="module")
def manifest() -> dict:
    return load_manifest()


@pytest.fixture(scope="module")
def responses() -> dict[str, bytes]:
    """Payload of every response record by URL (the truncated one cut short)."""
    bodies = {}
    for path in sample_paths().warc_files:
        for record in ArchiveIterator(str(path), record_types=WarcRecordType.response):
            bodies[record.headers["WARC-Target-URI"]] = record.reader.read()
    return bodies


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_generation_rewrites_the_checked_in_files_byte_for_byte(tmp_path: Path) -> None:
    generate(tmp_path)
    fresh, checked_in = _files(tmp_path), _files(SAMPLE_DIR)
    assert sorted(fresh) == sorted(checked_in)
    changed = [name for name in fresh if fresh[name] != checked_in[name]]
    assert changed == [], f"regenerate with `python -m tools.sample_data.generate`; differing: {changed[:5]}"


def test_sample_corpus_stays_under_five_megabytes() -> None:
    assert sum(len(data) for data in _files(SAMPLE_DIR).values()) < 5_000_000


def test_manifest_promises_every_web_kind_and_each_page_matches_its_kind(
    manifest: dict, responses: dict
) -> None:
    for kind in WEB_KINDS:
        assert web_records(kind), f"no WARC record of kind {kind}"
    for style, markers in STYLE_MARKERS.items():
        pages = [
            responses[row["url"]].decode("utf-8")
            for row in web_records(style)
            if "corrupt" not in row["kinds"]
        ]
        assert all(markers[0] in page for page in pages), style
        assert all(any(marker in page for page in pages) for marker in markers), style
    for row in web_records("mathml"):
        assert "<annotation" not in responses[row["url"]].decode("utf-8")
    assert len([r for r in web_records() if "html" in r["content_type"] and r["status"] == 200]) >= 195


def test_edge_case_records_are_what_they_claim(responses: dict) -> None:
    assert responses[web_records("empty")[0]["url"]] == b""
    bad = responses[web_records("bad_encoding")[0]["url"]]
    with pytest.raises(UnicodeDecodeError):
        bad.decode("utf-8")
    assert b'charset="utf-8"' in bad
    assert responses[web_records("non_html:image/png")[0]["url"]].startswith(b"\x89PNG\r\n\x1a\n")
    assert responses[web_records("non_html:application/pdf")[0]["url"]].startswith(b"%PDF-")
    assert len(responses[web_records("huge")[0]["url"]]) >= 300_000
    assert web_records("redirect")[0]["status"] == 301


def test_contaminated_pages_copy_the_benchmark_text_verbatim(manifest: dict, responses: dict) -> None:
    math_rows = {row["idx"]: row for row in map(json.loads, (BENCHMARKS_DIR / "math" / "test.jsonl").open())}
    gsm_rows = [json.loads(line) for line in (BENCHMARKS_DIR / "gsm8k" / "test.jsonl").open()]
    copied = manifest["web"]["contamination"]
    assert {c["benchmark"] for c in copied} == {"math", "gsm8k"}
    for item in copied:
        page = responses[item["url"]].decode("utf-8")
        row = math_rows[item["index"]] if item["benchmark"] == "math" else gsm_rows[item["index"]]
        texts = (
            [row["problem"], row["solution"]]
            if item["with_solution"]
            else [row.get("problem", row.get("question"))]
        )
        for text in texts:
            assert html.escape(text, quote=False) in page
        assert f"contaminated:{item['benchmark']}:{item['index']}" in next(
            r["kinds"] for r in web_records() if r["url"] == item["url"]
        )


def test_fastwarc_reads_file_zero_whole_and_flags_the_truncated_record_in_file_one(manifest: dict) -> None:
    first, second = sample_paths().warc_files
    rows = manifest["web"]["records"]
    counts = read_warc(first)
    assert counts["corrupt"] == 0
    assert counts["records"] == 1 + 2 * sum(r["file"].endswith(first.name) for r in rows)
    counts = read_warc(second)
    assert counts["corrupt"] == 1
    corrupt = web_records("corrupt")
    assert len(corrupt) == 1 and corrupt[0] == [r for r in rows if r["file"].endswith(second.name)][-1]
    with pytest.raises(EOFError):  # the last gzip member really is cut short
        gzip.decompress(second.read_bytes())


def test_describe_sample_counts_what_the_manifest_lists(manifest: dict) -> None:
    counts = describe_sample()
    assert counts["corrupt_records"] == 1
    assert counts["warc_responses"] + counts["corrupt_records"] == len(manifest["web"]["records"])
    assert 195 <= counts["html_pages"] <= 210
    assert counts["arxiv_tarballs"] == len(manifest["arxiv"]["tarballs"]) == 30
    assert counts["code_files"] == len(manifest["code"]["files"])
    assert counts["the_stack_records"] == len(manifest["code"]["the_stack"])
    assert (counts["math_docs"], counts["general_docs"], counts["general_web_docs"]) == (300, 300, 100)


def _shingles(page: bytes) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", extract_plain_text(page.decode("utf-8"), main_content=True).lower())
    return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


def test_intended_near_duplicates_are_near_and_unrelated_pages_are_not(
    manifest: dict, responses: dict
) -> None:
    groups = manifest["web"]["near_duplicate_groups"]
    assert sorted(len(g) for g in groups) == [2, 2, 2, 2, 4]
    shingles = {
        row["url"]: _shingles(responses[row["url"]])
        for row in web_records()
        if "html" in row["content_type"]
        and row["status"] == 200
        and not {"bad_encoding", "corrupt", "empty"} & set(row["kinds"])
    }
    for group in groups:
        for a, b in itertools.combinations(group, 2):
            assert _jaccard(shingles[a], shingles[b]) > 0.8, (a, b)
    same_group = {frozenset(pair) for group in groups for pair in itertools.combinations(group, 2)}
    unrelated = max(
        _jaccard(shingles[a], shingles[b])
        for a, b in itertools.combinations(sorted(shingles), 2)
        if frozenset((a, b)) not in same_group and shingles[a] and shingles[b]
    )
    assert unrelated < 0.4


def _tar_members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def test_arxiv_tarballs_cover_every_promised_case(manifest: dict) -> None:
    root = SAMPLE_DIR
    rows = manifest["arxiv"]["tarballs"]
    for kind in ARXIV_KINDS:
        assert any(k == kind or k.startswith(kind + ":") for r in rows for k in r["kinds"]), kind
    for row in rows:
        path = root / row["path"]
        if "single_gzipped_tex" in row["kinds"]:
            with pytest.raises(tarfile.ReadError):
                tarfile.open(path)
            assert gzip.decompress(path.read_bytes()).startswith(b"\\documentclass")
            continue
        members = _tar_members(path)
        assert sorted(members) == row["files"]
        tex = b"".join(data for name, data in members.items() if name.endswith(".tex"))
        if "no_tex" in row["kinds"]:
            assert tex == b""
        if "latin1" in row["kinds"]:
            with pytest.raises(UnicodeDecodeError):
                tex.decode("utf-8")
            assert "Poincaré".encode("latin-1") in tex
        if "no_section" in row["kinds"]:
            assert b"\\section" not in tex and tex
        if "input_without_ext" in row["kinds"]:
            assert b"\\input{sections/intro}" in members["main.tex"]
        if "macros" in row["kinds"]:
            assert b"\\newcommand{\\R}{\\mathbb{R}}" in tex and b"\\def\\eps{\\epsilon}" in tex
            assert b"\\%" in tex and b"% TODO" in tex
        if "bibtex" in row["kinds"]:
            assert b"\\bibliography{refs}" in tex and "refs.bib" in members
    records = [json.loads(line) for line in sample_paths().arxiv_jsonl.open(encoding="utf-8")]
    assert len(records) == 5 and all(
        r["text"].startswith("\\section") and r["meta"]["arxiv_id"] for r in records
    )


def _digit_fraction(text: str) -> float:
    visible = [c for c in text if not c.isspace()]
    return sum(c.isdigit() for c in visible) / len(visible)


def test_code_covers_every_language_with_labelled_passes_and_failures(manifest: dict) -> None:
    code = manifest["code"]
    rows = code["files"] + code["the_stack"]
    for lang in LANGUAGES:
        assert any(r["lang"] == lang and r["expected"] == "keep" for r in rows), lang
    for lang in LANGUAGES_WITH_DROPS:
        assert any(r["lang"] == lang and r["expected"] == "drop" for r in rows), lang
    contents = {r["path"]: (SAMPLE_DIR / r["path"]).read_text(encoding="utf-8") for r in code["files"]}
    for row in code["files"]:
        text = contents[row["path"]]
        if row["reason"] == "digit_fraction":
            assert _digit_fraction(text) > 0.5
        elif row["reason"] == "digit_density":
            assert 0.1 < _digit_fraction(text) <= 0.5
        else:
            assert _digit_fraction(text) <= 0.5, row["path"]
        for kind in row["kinds"]:
            if kind.startswith("exact_duplicate_of:"):
                assert contents[kind.split(":", 1)[1]] == text
    assert any(len(contents[r["path"]]) > 2048 and r["kinds"] for r in code["files"] if r["lang"] == "Lean")
    assert any("miniF2F" in r["path"] and r["reason"] == "excluded_repo" for r in code["files"])
    for rule in code["synthesize"]:
        assert (SAMPLE_DIR / rule["base"]).is_file() and rule["min_bytes"] >= 100_000
    notebook = json.loads(next(t for p, t in contents.items() if p.endswith("notebooks/math_0.ipynb")))
    outputs = [o["output_type"] for cell in notebook["cells"] for o in cell.get("outputs", [])]
    assert {"display_data", "error", "stream", "execute_result"} <= set(outputs)
    stack = [json.loads(line) for line in sample_paths().the_stack_jsonl.open(encoding="utf-8")]
    assert all(set(r) == {"content", "lang", "path", "repo_name", "size"} for r in stack)
    assert all(r["size"] == len(r["content"].encode("utf-8")) for r in stack)


def test_corpora_have_unique_ids_and_nonempty_text() -> None:
    paths = sample_paths()
    for path in (paths.math_corpus, paths.general_corpus, paths.general_web):
        rows = [json.loads(line) for line in open(path, encoding="utf-8")]
        assert len({r["id"] for r in rows}) == len(rows)
        assert all(len(r["text"]) > 100 for r in rows)
    math_text = paths.math_corpus.read_text(encoding="utf-8")
    general_text = paths.general_corpus.read_text(encoding="utf-8")
    assert math_text.count("$") > 1000 and general_text.count("$") == 0
