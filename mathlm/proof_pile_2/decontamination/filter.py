"""The datatrove step that removes (or flags) documents sharing n-grams with the benchmark test sets."""

from __future__ import annotations

import json
from typing import IO, Any

from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from mathlm.benchmarks.ngrams import benchmark_index
from mathlm.benchmarks.overlap import HitRecord, match_documents
from mathlm.proof_pile_2.decontamination.config import DecontaminationConfig
from mathlm.proof_pile_2.decontamination.report import COUNTS_DIR, HITS_DIR

MAX_ITEMS_IN_METADATA = 20


class BenchmarkDecontaminationFilter(BaseFilter):
    """Keep a document unless it shares >= ``threshold`` ``n``-grams with a benchmark's test items.

    ``mode: remove`` drops such a document with reason ``contaminated:<benchmark>`` (the benchmark with
    the most matching n-grams); ``mode: flag`` keeps every document and adds two metadata keys of fixed
    type to each, so Parquet schemas stay stable: ``contaminated`` (bool) and ``contamination`` (a JSON
    object string ``{"math": {"ngrams": 12, "items": ["42"]}}``, ``"{}"`` when clean). Removed documents
    carry ``contamination`` too, for the exclusion writer. Counters ``contaminated_<benchmark>`` count
    contaminated documents per benchmark in both modes.

    With ``report_folder`` set, every hit at ``n`` and ``report_n`` is written to
    ``REPORT_FOLDER/hits/<rank>.jsonl`` and the task's document count to ``documents/<rank>.json``;
    :func:`~mathlm.proof_pile_2.decontamination.write_contamination_report` turns them into the report.
    The test-set index is built inside the task (about a second), so the step pickles small. Documents
    are matched ``batch_size`` at a time in one numpy pass (what makes short documents cheap).
    """

    name = "🧪 Benchmark decontamination"

    def __init__(
        self,
        config: DecontaminationConfig,
        report_folder: DataFolderLike | None = None,
        exclusion_writer: DiskWriter | None = None,
        batch_size: int = 256,
    ) -> None:
        super().__init__(exclusion_writer, batch_size=batch_size)
        self.config = config
        self.report_folder = get_datafolder(report_folder) if report_folder is not None else None
        self._hits_file: IO[str] | None = None
        self._documents = 0

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        self._documents = 0
        if self.report_folder is None:
            yield from super().run(data, rank, world_size)
            return
        with self.report_folder.open(f"{HITS_DIR}/{rank:05d}.jsonl", "wt", encoding="utf-8") as hits_file:
            self._hits_file = hits_file
            yield from super().run(data, rank, world_size)
        self._hits_file = None
        with self.report_folder.open(f"{COUNTS_DIR}/{rank:05d}.json", "wt", encoding="utf-8") as counts_file:
            json.dump({"rank": rank, "documents": self._documents}, counts_file)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return self.filter_batch([doc])[0]

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        config = self.config
        lengths = config.report_lengths() if self._hits_file else [config.n]
        indexes = [
            benchmark_index(tuple(config.targets()), n, config.fields, config.min_words) for n in lengths
        ]
        found = match_documents(
            indexes,
            [doc.text for doc in batch],
            [str(doc.id) for doc in batch],
            [str(doc.metadata.get("source", "")) for doc in batch],
        )
        self._documents += len(batch)
        return [self._decide(doc, records) for doc, records in zip(batch, found)]

    def _decide(self, doc: Document, records: list[HitRecord]) -> bool | tuple[bool, str]:
        """Keep, flag or drop one document given its hit records; every hit goes to the hits file."""
        self._write_hits(records)
        config = self.config
        contaminated = {r.benchmark: r for r in records if r.n == config.n and r.ngrams >= config.threshold}
        for name in contaminated:
            self.stat_update(f"contaminated_{name}")
        summary = json.dumps({name: _metadata_entry(r) for name, r in sorted(contaminated.items())})
        if config.mode == "flag":
            doc.metadata["contaminated"] = bool(contaminated)
            doc.metadata["contamination"] = summary
            return True
        if not contaminated:
            return True
        doc.metadata["contamination"] = summary
        worst = max(sorted(contaminated), key=lambda name: contaminated[name].ngrams)
        return False, f"contaminated:{worst}"

    def _write_hits(self, records: list[HitRecord]) -> None:
        if self._hits_file is not None:
            for record in records:
                self._hits_file.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")


def _metadata_entry(record: HitRecord) -> dict[str, Any]:
    ids = list(dict.fromkeys(record_id for record_id, _ in record.items))
    return {"ngrams": record.ngrams, "items": ids[:MAX_ITEMS_IN_METADATA]}


def build_decontamination_step(
    config: DecontaminationConfig,
    report_folder: DataFolderLike | None = None,
    exclusion_writer: DiskWriter | None = None,
) -> BenchmarkDecontaminationFilter:
    """The decontamination step for a pipeline (append it after the subset steps, before the writer)."""
    return BenchmarkDecontaminationFilter(
        config, report_folder=report_folder, exclusion_writer=exclusion_writer
    )
