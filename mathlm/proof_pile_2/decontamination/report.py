"""The contamination report of a data build: the hits the decontamination tasks wrote, merged and tallied.

Each decontamination task writes its hit records to ``REPORT_FOLDER/hits/<rank>.jsonl`` and its document
count to ``REPORT_FOLDER/documents/<rank>.json``; :func:`write_contamination_report` reads them back once
every task has finished. The records and tallies are :mod:`mathlm.benchmarks.overlap`'s, shared with the
memorization analysis (``mathlm eval overlap``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mathlm.benchmarks.ngrams import benchmark_index
from mathlm.benchmarks.overlap import (
    INDEX_COLUMNS,
    HitRecord,
    OverlapTally,
    markdown_table,
    tally_markdown,
    write_report_files,
)
from mathlm.proof_pile_2.decontamination.config import DecontaminationConfig

HITS_DIR = "hits"
COUNTS_DIR = "documents"


def read_hit_records(report_folder: str | Path) -> tuple[list[HitRecord], int]:
    """The hit records the decontamination tasks wrote under ``report_folder``, and the documents read."""
    from datatrove.io import get_datafolder

    folder = get_datafolder(str(report_folder))
    records: list[HitRecord] = []
    for name in folder.list_files(HITS_DIR, glob_pattern="*.jsonl"):
        with folder.open(name, "rt", encoding="utf-8") as handle:
            records += [HitRecord.from_json(json.loads(line)) for line in handle if line.strip()]
    documents = 0
    for name in folder.list_files(COUNTS_DIR, glob_pattern="*.json"):
        with folder.open(name, "rt", encoding="utf-8") as handle:
            documents += json.load(handle)["documents"]
    return records, documents


def write_contamination_report(
    config: DecontaminationConfig, report_folder: str | Path, output_dir: str | Path | None = None
) -> dict[str, Any]:
    """Merge the per-task hits of a finished decontamination run into ``contamination_report.{json,md}``.

    One section per recorded n (the removal ``n`` and ``report_n``): per benchmark, the test items hit,
    the documents hit and examples with the matched words. Returns the JSON data; the files go to
    ``output_dir`` (default: ``report_folder``).
    """
    records, documents = read_hit_records(report_folder)
    sections = []
    for n in config.report_lengths():
        index = benchmark_index(tuple(config.targets()), n, config.fields, config.min_words)
        tally = OverlapTally(n, index.stats, max_examples=config.report_examples)
        tally.add_all(records)
        sections.append((tally, index))
    data = {
        "documents": documents,
        "mode": config.mode,
        "removal_n": config.n,
        "threshold": config.threshold,
        "fields": config.fields,
        "index": [row for _, index in sections for row in index.summary()],
        "overlap": [tally.to_json() for tally, _ in sections],
    }
    verb = {"remove": "removed", "flag": "flagged"}[config.mode]
    checked = (
        f"{documents:,} documents checked against {', '.join(config.targets())} (fields: {config.fields}); "
        f"documents with >= {config.threshold} matching {config.n}-grams were {verb}."
    )
    markdown = "\n".join(
        [
            "# Benchmark contamination report",
            "",
            checked,
            "",
            *(tally_markdown(tally) for tally, _ in sections),
            "## Test texts indexed",
            "",
            markdown_table(data["index"], INDEX_COLUMNS),
            "",
        ]
    )
    write_report_files(output_dir or report_folder, "contamination_report", data, markdown)
    return data
