"""The decontamination step through a real datatrove LocalPipelineExecutor run, in remove and flag mode,
and the contamination report built from its hits."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from mathlm.benchmarks import load_benchmark
from mathlm.config import ConfigError, load_config
from mathlm.proof_pile_2.decontamination import (
    DecontaminationConfig,
    build_decontamination_step,
    write_contamination_report,
)

MATH = load_benchmark("math")
GSM8K = load_benchmark("gsm8k")
MMLU = load_benchmark("mmlu_stem")


def corpus_documents() -> list[dict[str, Any]]:
    """Two clean documents and three that copy real test items inside other text.

    MATH problem 42 has 11 words, fewer than 13: it matches as one whole item.
    """
    return [
        {
            "id": "clean-prose",
            "text": "The quadratic formula gives the roots of a quadratic equation. To find the sum "
            "of all values of x we add the roots; the answer is an integer.",
        },
        {
            "id": "clean-code",
            "text": "import numpy as np\n\ndef solve(a, b, c):\n    return np.roots([a, b, c])\n",
        },
        {
            "id": "math-problem",
            "text": "Stuck on this one:\n"
            + "  ".join(MATH[42].problem.lower().split())
            + "\nAny hints appreciated.",
        },
        {"id": "gsm-and-math", "text": f"Worksheet. 1) {GSM8K[100].problem} 2) {MATH[9].solution}"},
        {"id": "mmlu", "text": "Quiz: " + MMLU[42].problem + " Options: " + "; ".join(MMLU[42].choices)},
    ]


def run_pipeline(tmp_path: Path, config: DecontaminationConfig) -> tuple[list[dict[str, Any]], Path, Path]:
    """Write the corpus as two JSONL shards, run [reader, decontamination, writer] with 2 tasks."""
    source = tmp_path / "input"
    source.mkdir()
    documents = corpus_documents()
    for shard in range(2):
        with gzip.open(source / f"{shard}.jsonl.gz", "wt", encoding="utf-8") as handle:
            for doc in documents:
                handle.write(json.dumps({**doc, "id": f"{doc['id']}/{shard}", "source": "web"}) + "\n")
    report, output, excluded = tmp_path / "report", tmp_path / "output", tmp_path / "excluded"
    LocalPipelineExecutor(
        [
            JsonlReader(str(source)),
            build_decontamination_step(
                config, report_folder=str(report), exclusion_writer=JsonlWriter(str(excluded))
            ),
            JsonlWriter(str(output)),
        ],
        tasks=2,
        workers=1,
        logging_dir=str(tmp_path / "logs"),
    ).run()
    kept = []
    for path in sorted(output.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            kept += [json.loads(line) for line in handle]
    return kept, report, tmp_path / "logs"


def step_stats(logs: Path) -> dict[str, Any]:
    stats = json.loads((logs / "stats.json").read_text(encoding="utf-8"))
    return next(s["stats"] for s in stats if "decontamination" in s["name"])


@pytest.fixture(scope="module")
def removed(tmp_path_factory) -> tuple[list[dict[str, Any]], Path, Path]:
    return run_pipeline(tmp_path_factory.mktemp("remove"), DecontaminationConfig(mode="remove"))


def test_remove_mode_drops_exactly_the_documents_that_copy_test_items(removed) -> None:
    kept, _, logs = removed
    assert sorted(doc["id"] for doc in kept) == [
        "clean-code/0",
        "clean-code/1",
        "clean-prose/0",
        "clean-prose/1",
    ]
    stats = step_stats(logs)
    assert stats["total"] == 10 and stats["dropped"] == 6
    assert stats["dropped_contaminated:math"] == 2 and stats["dropped_contaminated:mmlu_stem"] == 2
    # gsm-and-math is dropped for the benchmark with more matching 13-grams (the long GSM8k question).
    assert stats["dropped_contaminated:gsm8k"] == 2
    assert stats["contaminated_math"] == 4 and stats["contaminated_gsm8k"] == 2


def test_removed_documents_keep_their_hits_for_the_exclusion_writer(removed) -> None:
    logs = removed[2]
    excluded_dir = logs.parent / "excluded"
    excluded = []
    for path in sorted(excluded_dir.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            excluded += [json.loads(line) for line in handle]
    by_id = {doc["id"]: doc["metadata"] for doc in excluded}
    assert by_id["math-problem/0"]["filter_reason"] == "contaminated:math"
    assert json.loads(by_id["math-problem/0"]["contamination"]) == {"math": {"ngrams": 1, "items": ["42"]}}
    both = json.loads(by_id["gsm-and-math/1"]["contamination"])
    assert both["gsm8k"]["items"] == ["100"] and both["math"]["items"] == ["9"]


def test_flag_mode_keeps_everything_and_annotates_with_fixed_types(tmp_path) -> None:
    kept, _, logs = run_pipeline(tmp_path, DecontaminationConfig(mode="flag", benchmarks=["math", "gsm8k"]))
    assert len(kept) == 10
    flags = {
        doc["id"]: (doc["metadata"]["contaminated"], json.loads(doc["metadata"]["contamination"]))
        for doc in kept
    }
    assert flags["clean-prose/0"] == (False, {})
    assert flags["mmlu/0"] == (False, {})  # MMLU not selected
    assert flags["math-problem/1"][0] is True and flags["math-problem/1"][1]["math"]["items"] == ["42"]
    assert set(flags["gsm-and-math/0"][1]) == {"gsm8k", "math"}
    stats = step_stats(logs)
    assert (
        stats.get("dropped", 0) == 0 and stats["contaminated_math"] == 4 and stats["contaminated_gsm8k"] == 2
    )


def test_threshold_counts_matching_ngrams_per_benchmark(tmp_path) -> None:
    kept, _, _ = run_pipeline(
        tmp_path, DecontaminationConfig(benchmarks=["math", "gsm8k"], threshold=10, report_n=None)
    )
    ids = sorted(doc["id"].split("/")[0] for doc in kept)
    # The short MATH problem matches as one whole item (1 hit < 10); the copied solution and question have more.
    assert ids.count("math-problem") == 2 and "gsm-and-math" not in ids


def test_report_lists_items_and_documents_per_benchmark(removed) -> None:
    _, report_dir, _ = removed
    config = DecontaminationConfig(mode="remove")
    data = write_contamination_report(config, report_dir)
    assert data["documents"] == 10
    by_n = {section["n"]: section for section in data["overlap"]}
    assert set(by_n) == {13, 30}
    rows = {row["benchmark"]: row for row in by_n[13]["summary"]}
    assert rows["math"]["items_hit"] == 2 and rows["math"]["documents_hit"] == 4
    assert rows["gsm8k"] == {**rows["gsm8k"], "test_items": 1319, "items_hit": 1, "documents_hit": 2}
    assert rows["ocw"]["items_hit"] == 0 and rows["ocw"]["test_items"] == 272
    math_items = by_n[30]["benchmarks"]["math"]["items"]
    assert math_items["42"] == {
        "fields": ["problem"],
        "documents": 2,
        "doc_ids": ["math-problem/0", "math-problem/1"],
    }
    assert math_items["9"]["fields"] == ["solution"]
    example = by_n[13]["benchmarks"]["gsm8k"]["examples"][0]
    assert example["doc_id"].startswith("gsm-and-math/") and example["match"] in " ".join(
        GSM8K[100].problem.lower().replace(",", " ").replace(".", " ").replace("?", " ").split()
    )
    markdown = (report_dir / "contamination_report.md").read_text(encoding="utf-8")
    assert "## 13-gram overlap" in markdown and "## 30-gram overlap" in markdown
    assert "| math | 13 | 5000 | 2 |" in markdown
    assert json.loads((report_dir / "contamination_report.json").read_text(encoding="utf-8")) == data


def test_config_validates_benchmarks_and_mode_with_the_file_line(tmp_path) -> None:
    path = tmp_path / "decont.yaml"
    path.write_text("mode: remove\nbenchmarks: [math, gsm8k, mathh]\n", encoding="utf-8")
    with pytest.raises(
        ConfigError, match="decont.yaml:2.*unknown benchmark\\(s\\) mathh; known: math, math500"
    ):
        load_config(path, DecontaminationConfig)
    path.write_text("mode: delete\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="decont.yaml:1.*'remove', 'flag'"):
        load_config(path, DecontaminationConfig)
    path.write_text("n: 10\nreport_n: null\n", encoding="utf-8")
    config = load_config(path, DecontaminationConfig)
    assert config.report_lengths() == [10] and config.targets()[0] == "math"
