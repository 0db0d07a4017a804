"""Memorization analysis: n-gram overlap between a benchmark's test items and a training corpus.

As in the Llemma paper's analysis, a test item is a *hit* when its problem (or solution) shares a
30-gram with some corpus document, and per-sample evaluation results can be split into accuracy on hits
and on non-hits. The n-gram definition is the one decontamination uses (:mod:`mathlm.benchmarks.ngrams`).

The corpus streams, one document at a time, from any mix of:

- JSONL / JSONL.gz files (or folders of them) with a ``text`` field (``id`` used when present),
- Parquet files with a ``text`` column,
- tokenized GPT-NeoX/Megatron shards (``PREFIX.bin``/``PREFIX.idx``; pass either file or the prefix)
  with ``tokenizer``: each document is **detokenized** and normalized like text. Comparing token n-grams
  instead would depend on where the tokenizer split a test problem tokenized on its own versus inside a
  page (leading-space pieces, merges across the boundary, whitespace and case variants all differ), and
  "30 tokens" would not mean "30 words"; decoding keeps the result identical to running on the JSONL the
  shard was made from, at the cost of a fast native decode.

Files are independent tasks: ``workers > 1`` spreads them over processes.
"""

from __future__ import annotations

import gzip
import itertools
import json
import multiprocessing
import time
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathlm.benchmarks import BenchmarkRecord, TextField, load_benchmark
from mathlm.benchmarks.ngrams import benchmark_index
from mathlm.benchmarks.overlap import (
    HitRecord,
    OverlapTally,
    markdown_table,
    match_documents,
    tally_markdown,
    write_report_files,
)
from mathlm.errors import MathlmError
from mathlm.io import iter_jsonl_lines

TEXT_SUFFIXES = (".jsonl", ".jsonl.gz", ".parquet")
ACCURACY_COLUMNS = ["task", "group", "problems", "hits", "accuracy_hits", "accuracy_non_hits"]


@dataclass(frozen=True)
class OverlapSettings:
    """What to compare: one benchmark's fields at one n."""

    benchmark: str
    fields: TextField = "both"
    n: int = 30
    min_words: int = 8
    tokenizer: str | None = None


@dataclass(frozen=True)
class CorpusDocument:
    doc_id: str
    text: str


@dataclass
class FileScan:
    """What one corpus file produced: its hits, how much it held and what could not be read."""

    path: str
    documents: int = 0
    bytes: int = 0
    malformed: dict[str, int] = field(default_factory=dict)
    hits: list[HitRecord] = field(default_factory=list)

    def skip(self, reason: str) -> None:
        self.malformed[reason] = self.malformed.get(reason, 0) + 1


def corpus_files(paths: Sequence[str | Path]) -> list[str]:
    """Expand folders into their JSONL/Parquet files and token shards; every path must exist."""
    found: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            members = sorted(p for p in path.rglob("*") if p.is_file() and _kind(p) is not None)
            if not members:
                raise MathlmError(
                    f"{path}: folder holds no .jsonl, .jsonl.gz, .parquet or .idx/.bin corpus files"
                )
            found += [str(_shard_prefix(p) if _kind(p) == "tokens" else p) for p in members]
        elif _kind(path) is not None and (path.is_file() or _kind(path) == "tokens"):
            found.append(str(_shard_prefix(path) if _kind(path) == "tokens" else path))
        else:
            raise MathlmError(
                f"{path}: not found or not a corpus file; expected JSONL(.gz) or Parquet documents "
                "with a `text` field, a token shard PREFIX(.bin/.idx), or a folder of them"
            )
    return list(dict.fromkeys(found))


def _kind(path: Path) -> str | None:
    name = path.name
    if name.endswith(TEXT_SUFFIXES):
        return "text"
    if name.endswith((".idx", ".bin")) or Path(f"{path}.idx").is_file():
        return "tokens"
    return None


def _shard_prefix(path: Path) -> Path:
    return path.with_suffix("") if path.suffix in (".idx", ".bin") else path


def iter_documents(path: str, scan: FileScan, tokenizer: str | None = None) -> Iterator[CorpusDocument]:
    """Stream one corpus file; unreadable records are counted in ``scan.malformed`` and skipped."""
    if path.endswith(".parquet"):
        yield from _iter_parquet(path, scan)
    elif path.endswith(TEXT_SUFFIXES):
        yield from _iter_jsonl(path, scan)
    else:
        if tokenizer is None:
            raise MathlmError(
                f"{path}: a token shard needs --tokenizer (the tokenizer it was made with) "
                "so documents can be decoded to text"
            )
        yield from _iter_tokens(path, tokenizer)


def _iter_jsonl(path: str, scan: FileScan) -> Iterator[CorpusDocument]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as handle:
        try:
            for line_number, line in enumerate(handle, start=1):
                document = _parse_line(line, line_number, path, scan)
                if document is not None:
                    yield document
        except (EOFError, gzip.BadGzipFile, zlib.error):
            scan.skip("truncated_file")  # the documents before the cut were read


def _parse_line(line: str, line_number: int, path: str, scan: FileScan) -> CorpusDocument | None:
    if not line.strip():
        return None
    try:
        row = json.loads(line)
    except json.JSONDecodeError:
        scan.skip("invalid_json")
        return None
    text = row.get("text") if isinstance(row, dict) else None
    if not isinstance(text, str):
        scan.skip("no_text_field")
        return None
    return CorpusDocument(str(row.get("id", f"{Path(path).name}:{line_number}")), text)


def _iter_parquet(path: str, scan: FileScan) -> Iterator[CorpusDocument]:
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    if "text" not in names:
        raise MathlmError(f"{path}: Parquet file has no `text` column (columns: {', '.join(names)})")
    columns = ["text", "id"] if "id" in names else ["text"]
    row_number = 0
    for batch in parquet.iter_batches(columns=columns, batch_size=1024):
        data = batch.to_pydict()
        ids = data.get("id") or [None] * len(data["text"])
        for text, doc_id in zip(data["text"], ids):
            row_number += 1
            if not isinstance(text, str):
                scan.skip("no_text_field")
                continue
            yield CorpusDocument(
                str(doc_id if doc_id is not None else f"{Path(path).name}:{row_number}"), text
            )


def _iter_tokens(prefix: str, tokenizer_path: str) -> Iterator[CorpusDocument]:
    from mathlm.shards.indexed import IndexedDataset
    from mathlm.shards.tokenizer import load_tokenizer

    tokenizer = load_tokenizer(tokenizer_path)
    dataset = IndexedDataset(prefix)
    name = Path(prefix).name
    batch = 256
    for start in range(0, len(dataset), batch):
        stop = min(start + batch, len(dataset))
        texts = _decode(tokenizer, [dataset[i].tolist() for i in range(start, stop)])
        for i, text in zip(range(start, stop), texts):
            yield CorpusDocument(f"{name}:{i}", text)


def _decode(tokenizer: Any, batch: list[list[int]]) -> list[str]:
    """Decode a batch with the tokenizer's native library (sentencepiece or HF tokenizers), specials dropped."""
    model = tokenizer.model
    if hasattr(model, "decode_batch"):
        return model.decode_batch(batch, skip_special_tokens=True)
    return model.decode(batch)


def scan_file(path: str, settings: OverlapSettings, batch_size: int = 256) -> FileScan:
    """Match every document of one corpus file against the benchmark index, a batch at a time."""
    index = benchmark_index((settings.benchmark,), settings.n, settings.fields, settings.min_words)
    scan = FileScan(path)
    source = Path(path).name
    documents = iter_documents(path, scan, settings.tokenizer)
    while batch := list(itertools.islice(documents, batch_size)):
        scan.documents += len(batch)
        scan.bytes += sum(len(document.text.encode("utf-8")) for document in batch)
        found = match_documents(
            [index], [d.text for d in batch], [d.doc_id for d in batch], [source] * len(batch)
        )
        scan.hits += [record for records in found for record in records]
    return scan


@dataclass
class OverlapResult:
    settings: OverlapSettings
    files: list[str]
    tally: OverlapTally
    index_summary: list[dict[str, Any]]
    documents: int
    bytes: int
    malformed: dict[str, int]
    seconds: float
    accuracy: list[dict[str, Any]] = field(default_factory=list)

    def throughput(self) -> dict[str, float]:
        seconds = max(self.seconds, 1e-9)
        return {
            "docs_per_s": round(self.documents / seconds, 1),
            "mb_per_s": round(self.bytes / 1e6 / seconds, 2),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "benchmark": self.settings.benchmark,
            "field": self.settings.fields,
            "n": self.settings.n,
            "min_words": self.settings.min_words,
            "corpus": self.files,
            "documents": self.documents,
            "bytes": self.bytes,
            "malformed": self.malformed,
            "seconds": round(self.seconds, 3),
            **self.throughput(),
            "index": self.index_summary,
            "overlap": self.tally.to_json(),
            "accuracy": self.accuracy,
        }

    def to_markdown(self) -> str:
        s = self.settings
        rate = self.throughput()
        scanned = (
            f"{self.documents:,} documents ({self.bytes / 1e6:.1f} MB) from {len(self.files)} file(s) in "
            f"{self.seconds:.1f} s ({rate['docs_per_s']:,} docs/s, {rate['mb_per_s']} MB/s)."
        )
        parts = [
            f"# Memorization analysis: {s.benchmark} ({s.fields}) vs corpus, {s.n}-grams",
            "",
            scanned,
            "",
            tally_markdown(self.tally),
        ]
        if self.accuracy:
            parts += [
                "## Accuracy on hits and non-hits",
                "",
                markdown_table(self.accuracy, ACCURACY_COLUMNS),
                "",
            ]
        return "\n".join(parts)


def run_overlap(
    corpus: Sequence[str | Path], settings: OverlapSettings, workers: int = 1, on_file_done: Any = None
) -> OverlapResult:
    """Scan the corpus (files in parallel when ``workers > 1``) and tally the hits per test item."""
    files = corpus_files(corpus)
    index = benchmark_index((settings.benchmark,), settings.n, settings.fields, settings.min_words)
    tally = OverlapTally(settings.n, index.stats)
    totals = FileScan("all")
    start = time.perf_counter()
    for scan in _scan_all(files, settings, workers):
        totals.documents += scan.documents
        totals.bytes += scan.bytes
        for reason, count in scan.malformed.items():
            totals.malformed[reason] = totals.malformed.get(reason, 0) + count
        tally.add_all(scan.hits)
        if on_file_done is not None:
            on_file_done(scan)
    return OverlapResult(
        settings,
        files,
        tally,
        index.summary(),
        totals.documents,
        totals.bytes,
        totals.malformed,
        time.perf_counter() - start,
    )


def _scan_all(files: list[str], settings: OverlapSettings, workers: int) -> Iterator[FileScan]:
    if workers <= 1 or len(files) <= 1:
        for path in files:
            yield scan_file(path, settings)
        return
    # spawn, not fork: the CLI's progress display runs a thread, and forking a threaded process is unsafe.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(files)), mp_context=context) as pool:
        yield from pool.map(scan_file, files, [settings] * len(files))


def accuracy_split(
    results_path: str | Path, records: Sequence[BenchmarkRecord], hit_ids: set[str]
) -> list[dict[str, Any]]:
    """Accuracy on hit and non-hit test items per task in a per-sample results file (and per level).

    Each line needs ``task``, ``doc_id`` (a benchmark record id) and ``correct`` (bool). Lines whose
    ``doc_id`` is not a record of the benchmark are an error: they belong to another benchmark.
    """
    by_id = {record.id: record for record in records}
    per_task: dict[str, list[tuple[BenchmarkRecord, bool]]] = {}
    for line_number, row in _read_results(Path(results_path)):
        record = by_id.get(str(row["doc_id"]))
        if record is None:
            raise MathlmError(
                f"{results_path}:{line_number}: doc_id {row['doc_id']!r} of task {row['task']!r} "
                f"is not a {records[0].benchmark} record id; pass the results of this benchmark"
            )
        per_task.setdefault(str(row["task"]), []).append((record, bool(row["correct"])))
    rows = []
    for task, samples in per_task.items():
        rows.append(_accuracy_row(task, "all", samples, hit_ids))
        levels = sorted({record.level for record, _ in samples if record.level is not None})
        rows += [
            _accuracy_row(task, f"level {level}", [s for s in samples if s[0].level == level], hit_ids)
            for level in levels
        ]
    return rows


def _read_results(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        raise MathlmError(f"results file not found: {path}")
    for line in iter_jsonl_lines(path):  # every line counts for the accuracy split: a bad one is an error
        if line.record is None:
            raise MathlmError(f"{line.where()}: {line.reason} ({line.detail})")
        missing = [key for key in ("task", "doc_id", "correct") if key not in line.record]
        if missing:
            raise MathlmError(
                f"{line.where()}: missing {', '.join(missing)}; per-sample results need "
                "`task`, `doc_id` (the benchmark record id) and `correct` (bool)"
            )
        yield line.line, line.record


def _accuracy_row(
    task: str, group: str, samples: list[tuple[BenchmarkRecord, bool]], hit_ids: set[str]
) -> dict[str, Any]:
    hits = [correct for record, correct in samples if record.id in hit_ids]
    misses = [correct for record, correct in samples if record.id not in hit_ids]
    return {
        "task": task,
        "group": group,
        "problems": len(samples),
        "hits": len(hits),
        "accuracy_hits": _mean(hits),
        "accuracy_non_hits": _mean(misses),
    }


def _mean(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def overlap_report(
    corpus: Sequence[str | Path],
    settings: OverlapSettings,
    output_dir: str | Path,
    results: str | Path | None = None,
    workers: int = 1,
    on_file_done: Any = None,
) -> OverlapResult:
    """Run the analysis, add the accuracy split when ``results`` is given, write ``overlap.{json,md}``."""
    result = run_overlap(corpus, settings, workers, on_file_done)
    if results is not None:
        records = load_benchmark(settings.benchmark)
        result.accuracy = accuracy_split(results, records, result.tally.hit_ids(settings.benchmark))
    write_report_files(output_dir, "overlap", result.to_json(), result.to_markdown())
    return result
