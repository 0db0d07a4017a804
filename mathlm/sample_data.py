"""The embedded sample corpus: a tiny, offline stand-in for every Proof-Pile-2 source.

``mathlm/assets/sample/`` holds two Common-Crawl-like WARC files, arXiv source tarballs, AlgebraicStack-
style code repositories and a the-stack-style shard, plain-text corpora, and ``manifest.json`` describing
what each file or record is meant to exercise (``mathjax``, ``katex``, ``near_duplicate_of:<url>``,
``contaminated:math:<idx>``, ``corrupt``, a code file's expected filter verdict, ...). Tests select inputs
by kind through :func:`web_records` and the manifest instead of writing them inline. The files are written
by ``python -m tools.sample_data.generate`` (outside the package) and checked in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mathlm.assets import SAMPLE_DATA_DIR
from mathlm.errors import MathlmError

SAMPLE_DIR = SAMPLE_DATA_DIR


@dataclass(frozen=True)
class SamplePaths:
    """Where each part of the sample corpus lives."""

    warc_files: tuple[Path, ...]
    arxiv_dir: Path
    arxiv_jsonl: Path
    code_repos_dir: Path
    the_stack_jsonl: Path
    math_corpus: Path
    general_corpus: Path
    general_web: Path
    manifest: Path


def sample_paths(root: Path | None = None) -> SamplePaths:
    """The paths of the sample corpus under ``root`` (default: the checked-in copy)."""
    root = root or SAMPLE_DIR
    return SamplePaths(
        warc_files=(root / "web" / "CC-SAMPLE-00000.warc.gz", root / "web" / "CC-SAMPLE-00001.warc.gz"),
        arxiv_dir=root / "arxiv",
        arxiv_jsonl=root / "arxiv" / "redpajama_sample.jsonl",
        code_repos_dir=root / "code" / "repos",
        the_stack_jsonl=root / "code" / "the_stack_sample.jsonl",
        math_corpus=root / "corpora" / "math.jsonl",
        general_corpus=root / "corpora" / "general.jsonl",
        general_web=root / "corpora" / "general_web.jsonl",
        manifest=root / "manifest.json",
    )


@cache
def _read_manifest(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise MathlmError(
            f"sample manifest not found at {path}; regenerate the sample corpus with "
            "`python -m tools.sample_data.generate` (or unset MATHLM_SAMPLE_DATA)"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def load_manifest(root: Path | None = None) -> dict[str, Any]:
    """The parsed ``manifest.json`` (read once per path; do not mutate the result)."""
    return _read_manifest(sample_paths(root).manifest)


def web_records(kind: str | None = None, root: Path | None = None) -> list[dict[str, Any]]:
    """Manifest rows of the WARC response records, all or those whose kinds include ``kind``.

    A kind matches exactly or as a prefix before ``:``, so ``contaminated`` selects
    ``contaminated:math:17`` and ``non_english`` selects every language.
    """
    rows = load_manifest(root)["web"]["records"]
    if kind is None:
        return list(rows)
    return [row for row in rows if any(k == kind or k.startswith(kind + ":") for k in row["kinds"])]


def read_warc(path: Path) -> dict[str, int]:
    """Count a WARC file's records with fastwarc; a response whose body is shorter than its declared
    length (a gzip member cut short) is counted as ``corrupt`` instead of crashing or hanging."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    counts = {"records": 0, "responses": 0, "html_pages": 0, "corrupt": 0}
    for record in ArchiveIterator(str(path), parse_http=True):
        counts["records"] += 1
        if record.record_type != WarcRecordType.response:
            continue
        body = record.reader.read()
        if len(body) < record.content_length:
            counts["corrupt"] += 1
            continue
        counts["responses"] += 1
        content_type = record.http_headers.get("Content-Type", "") if record.is_http_parsed else ""
        if "html" in content_type and record.http_headers.status_code == 200 and body:
            counts["html_pages"] += 1
    return counts


def describe_sample(root: Path | None = None) -> dict[str, int]:
    """Counts of what the sample corpus holds, read from the files themselves (WARCs via fastwarc)."""
    root = root or SAMPLE_DIR
    paths = sample_paths(root)
    totals = {"warc_records": 0, "warc_responses": 0, "html_pages": 0, "corrupt_records": 0}
    for warc in paths.warc_files:
        counts = read_warc(warc)
        totals["warc_records"] += counts["records"]
        totals["warc_responses"] += counts["responses"]
        totals["html_pages"] += counts["html_pages"]
        totals["corrupt_records"] += counts["corrupt"]
    code_files = [p for p in paths.code_repos_dir.rglob("*") if p.is_file()]
    return {
        **totals,
        "arxiv_tarballs": len(list(paths.arxiv_dir.glob("*.tar.gz"))),
        "arxiv_jsonl_records": _count_lines(paths.arxiv_jsonl),
        "code_files": len(code_files),
        "the_stack_records": _count_lines(paths.the_stack_jsonl),
        "math_docs": _count_lines(paths.math_corpus),
        "general_docs": _count_lines(paths.general_corpus),
        "general_web_docs": _count_lines(paths.general_web),
        "bytes": sum(p.stat().st_size for p in root.rglob("*") if p.is_file()),
    }


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)
