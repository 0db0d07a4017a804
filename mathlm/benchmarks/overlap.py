"""Overlap records and reports: which test items share n-grams with which documents, per benchmark.

Both the decontamination step (``mathlm data build``) and the memorization analysis (``mathlm eval
overlap``) describe what they found as :class:`HitRecord` lines (one document x one benchmark x one n)
and summarise them with an :class:`OverlapTally`, so their reports read the same way: per benchmark, the
test items hit, the documents hit and a few examples with the matched words.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mathlm.benchmarks.ngrams import (
    DocumentMatches,
    IndexStats,
    NgramIndex,
    WordBatch,
    matched_words_normalized,
    normalize,
)
from mathlm.io import write_json_atomic, write_text_atomic


@dataclass(frozen=True)
class HitRecord:
    """One document's overlap with one benchmark at one n-gram length."""

    n: int
    benchmark: str
    doc_id: str
    ngrams: int
    items: list[tuple[str, str]]
    match: str
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> HitRecord:
        return cls(**{**data, "items": [tuple(item) for item in data["items"]]})


def hit_records(matches: DocumentMatches, doc_id: str, normalized: str, source: str = "") -> list[HitRecord]:
    """The hits of one document (``normalized`` is its normalized text, used to quote the matched words)."""
    return [
        HitRecord(
            n=matches.index.n,
            benchmark=name,
            doc_id=doc_id,
            ngrams=hit.ngrams,
            items=[(text.record_id, text.field) for text in hit.texts],
            match=matched_words_normalized(normalized, hit.first_position, hit.first_length),
            source=source,
        )
        for name, hit in matches.by_benchmark().items()
    ]


def match_documents(
    indexes: Sequence[NgramIndex], texts: Sequence[str], doc_ids: Sequence[str], sources: Sequence[str]
) -> list[list[HitRecord]]:
    """The hit records of each document of a batch against each index (texts normalized and hashed once)."""
    normalized = [normalize(text) for text in texts]
    batch = WordBatch.from_normalized(normalized)
    found: list[list[HitRecord]] = [[] for _ in texts]
    for index in indexes:
        for position, matches in enumerate(index.match_batch(batch)):
            if matches:
                found[position] += hit_records(
                    matches, doc_ids[position], normalized[position], sources[position]
                )
    return found


@dataclass
class ItemHits:
    """What hit one test item: the fields that matched, how many documents, the first few of them."""

    fields: set[str] = field(default_factory=set)
    documents: int = 0
    doc_ids: list[str] = field(default_factory=list)


@dataclass
class BenchmarkTally:
    records: int = 0
    documents: int = 0
    ngrams: int = 0
    items: dict[str, ItemHits] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)


class OverlapTally:
    """Per-benchmark totals of the hit records at one n.

    ``index_stats`` (from :attr:`mathlm.benchmarks.ngrams.NgramIndex.stats`) gives the number of test
    records of each benchmark, so benchmarks without any hit still appear with zeros.
    """

    def __init__(
        self, n: int, index_stats: Mapping[str, IndexStats], max_examples: int = 5, max_doc_ids: int = 20
    ) -> None:
        self.n = n
        self.max_examples = max_examples
        self.max_doc_ids = max_doc_ids
        self.benchmarks = {name: BenchmarkTally(records=stats.records) for name, stats in index_stats.items()}

    def add(self, record: HitRecord) -> None:
        tally = self.benchmarks.setdefault(record.benchmark, BenchmarkTally())
        tally.documents += 1
        tally.ngrams += record.ngrams
        fields_by_id: dict[str, list[str]] = {}
        for record_id, field_name in record.items:
            fields_by_id.setdefault(record_id, []).append(field_name)
        for record_id, fields in fields_by_id.items():
            item = tally.items.setdefault(record_id, ItemHits())
            item.fields.update(fields)
            item.documents += 1
            if len(item.doc_ids) < self.max_doc_ids:
                item.doc_ids.append(record.doc_id)
        if len(tally.examples) < self.max_examples:
            tally.examples.append(
                {
                    "doc_id": record.doc_id,
                    "source": record.source,
                    "items": [f"{rid} ({fld})" for rid, fld in record.items[:5]],
                    "ngrams": record.ngrams,
                    "match": record.match,
                }
            )

    def add_all(self, records: Iterable[HitRecord]) -> None:
        for record in records:
            if record.n == self.n:
                self.add(record)

    def hit_ids(self, benchmark: str) -> set[str]:
        """Ids of the test records of ``benchmark`` that share at least one n-gram with some document."""
        tally = self.benchmarks.get(benchmark)
        return set(tally.items) if tally else set()

    def rows(self) -> list[dict[str, Any]]:
        """One summary row per benchmark."""
        return [
            {
                "benchmark": name,
                "n": self.n,
                "test_items": tally.records,
                "items_hit": len(tally.items),
                "items_hit_pct": round(100 * len(tally.items) / tally.records, 2) if tally.records else 0.0,
                "documents_hit": tally.documents,
                "ngram_hits": tally.ngrams,
            }
            for name, tally in self.benchmarks.items()
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "summary": self.rows(),
            "benchmarks": {
                name: {
                    "examples": tally.examples,
                    "items": {
                        rid: {
                            "fields": sorted(hit.fields),
                            "documents": hit.documents,
                            "doc_ids": hit.doc_ids,
                        }
                        for rid, hit in sorted(tally.items.items())
                    },
                }
                for name, tally in self.benchmarks.items()
            },
        }


INDEX_COLUMNS = [
    "benchmark",
    "n",
    "records",
    "texts_indexed",
    "texts_whole_short",
    "texts_too_short",
    "ngrams",
]
SUMMARY_COLUMNS = [
    "benchmark",
    "n",
    "test_items",
    "items_hit",
    "items_hit_pct",
    "documents_hit",
    "ngram_hits",
]


def markdown_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """A GitHub Markdown table of dict rows (``|`` in values escaped)."""

    def cell(value: Any) -> str:
        return "-" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row.get(column, "")) for column in columns) + " |" for row in rows]
    return "\n".join(lines)


def tally_markdown(tally: OverlapTally) -> str:
    """The summary table of one tally followed by its examples."""
    parts = [f"## {tally.n}-gram overlap", "", markdown_table(tally.rows(), SUMMARY_COLUMNS), ""]
    examples = [
        {"benchmark": name, **example}
        for name, bench in tally.benchmarks.items()
        for example in bench.examples
    ]
    if examples:
        parts += [
            f"### Examples ({tally.n}-grams)",
            "",
            markdown_table(examples, ["benchmark", "doc_id", "items", "ngrams", "match"]),
            "",
        ]
    return "\n".join(parts)


def write_report_files(
    output_dir: str | Path, stem: str, data: Mapping[str, Any], markdown: str
) -> tuple[Path, Path]:
    """Write ``STEM.json`` and ``STEM.md`` under ``output_dir``; returns their paths."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = output_dir / f"{stem}.json", output_dir / f"{stem}.md"
    write_json_atomic(json_path, data)
    write_text_atomic(md_path, markdown)
    return json_path, md_path
