"""`mathlm eval overlap`: 30-gram overlap of real MATH test items with JSONL, Parquet and token-shard
corpora, and eval accuracy split by hit / non-hit."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from mathlm.benchmarks import load_benchmark
from mathlm.cli import app
from mathlm.errors import MathlmError
from mathlm.eval.overlap import OverlapSettings, accuracy_split, run_overlap

MATH = load_benchmark("math")
# Level 5 Algebra problems copied into the corpus (problems), and one item whose solution is copied.
COPIED_PROBLEMS = [
    r.id for r in MATH if r.level == 5 and r.subject == "Algebra" and len(r.problem.split()) > 40
][:3]
COPIED_SOLUTION = "4321"


def corpus_rows() -> list[dict[str, Any]]:
    rows = [
        {"id": f"copy-{rid}", "text": f"Forum post. Please help:\n{MATH[int(rid)].problem.upper()}\nThanks!"}
        for rid in COPIED_PROBLEMS
    ]
    rows.append({"id": "solution-page", "text": f"Answer key:\n{MATH[int(COPIED_SOLUTION)].solution}"})
    rows += [
        {"id": f"clean-{i}", "text": f"Lecture {i}: the derivative of x^{i} is {i}x^{i - 1}. " * 5}
        for i in range(20)
    ]
    return rows


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A folder with one JSONL.gz file (plus one malformed line) and one Parquet file."""
    folder = tmp_path_factory.mktemp("corpus")
    rows = corpus_rows()
    with gzip.open(folder / "part-0.jsonl.gz", "wt", encoding="utf-8") as handle:
        for row in rows[:12]:
            handle.write(json.dumps(row) + "\n")
        handle.write('{"id": "broken", "text": \n')
    pq.write_table(
        pa.table({"id": [r["id"] for r in rows[12:]], "text": [r["text"] for r in rows[12:]]}),
        folder / "part-1.parquet",
    )
    return folder


@pytest.fixture(scope="module")
def results_file(tmp_path_factory) -> Path:
    """Per-sample results: every copied problem solved, every third other problem solved."""
    path = tmp_path_factory.mktemp("results") / "samples.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for record in MATH:
            correct = record.id in COPIED_PROBLEMS or int(record.id) % 3 == 0
            handle.write(json.dumps({"task": "math", "doc_id": record.id, "correct": correct}) + "\n")
    return path


def test_cli_reports_hits_per_item_and_accuracy_split(corpus, results_file, tmp_path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "overlap",
            "--corpus",
            str(corpus),
            "--benchmark",
            "math",
            "--field",
            "problem",
            "--results",
            str(results_file),
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((out / "overlap.json").read_text(encoding="utf-8"))
    assert data["documents"] == 24 and data["malformed"] == {"invalid_json": 1} and data["n"] == 30
    summary = data["overlap"]["summary"][0]
    assert summary["items_hit"] == 3 and summary["documents_hit"] == 3 and summary["test_items"] == 5000
    items = data["overlap"]["benchmarks"]["math"]["items"]
    assert sorted(items) == sorted(COPIED_PROBLEMS)
    assert items[COPIED_PROBLEMS[0]] == {
        "fields": ["problem"],
        "documents": 1,
        "doc_ids": [f"copy-{COPIED_PROBLEMS[0]}"],
    }

    rows = {row["group"]: row for row in data["accuracy"]}
    non_hits = [r for r in MATH if r.id not in COPIED_PROBLEMS]
    assert (
        rows["all"]["problems"] == 5000 and rows["all"]["hits"] == 3 and rows["all"]["accuracy_hits"] == 1.0
    )
    assert rows["all"]["accuracy_non_hits"] == round(
        sum(int(r.id) % 3 == 0 for r in non_hits) / len(non_hits), 4
    )
    assert (
        rows["level 5"]["hits"] == 3
        and rows["level 1"]["hits"] == 0
        and rows["level 1"]["accuracy_hits"] is None
    )
    markdown = (out / "overlap.md").read_text(encoding="utf-8")
    assert "| math | all | 5000 | 3 | 1.0 |" in markdown and "| math | level 1 | 437 | 0 | - |" in markdown


def test_field_selects_problems_or_solutions(corpus) -> None:
    problems = run_overlap([corpus], OverlapSettings("math", "problem"))
    solutions = run_overlap([corpus], OverlapSettings("math", "solution"))
    both = run_overlap([corpus], OverlapSettings("math", "both"))
    assert problems.tally.hit_ids("math") == set(COPIED_PROBLEMS)
    assert COPIED_SOLUTION in solutions.tally.hit_ids("math") and not set(
        COPIED_PROBLEMS
    ) & solutions.tally.hit_ids("math")
    assert both.tally.hit_ids("math") == problems.tally.hit_ids("math") | solutions.tally.hit_ids("math")


def test_worker_processes_give_the_same_hits(corpus) -> None:
    serial = run_overlap([corpus], OverlapSettings("math", "both"), workers=1)
    parallel = run_overlap([corpus], OverlapSettings("math", "both"), workers=2)
    assert parallel.tally.to_json() == serial.tally.to_json() and parallel.documents == serial.documents


def test_token_shard_corpus_matches_like_its_text(corpus, llama_style_sp_model, tmp_path) -> None:
    from mathlm.shards.indexed import IndexedDatasetWriter, token_dtype
    from mathlm.shards.tokenizer import encode_documents, load_tokenizer

    tokenizer = load_tokenizer(llama_style_sp_model)
    texts = [row["text"] for row in corpus_rows()]
    with IndexedDatasetWriter(tmp_path / "shard", token_dtype(tokenizer.vocab_size)) as writer:
        writer.add_documents(*encode_documents(tokenizer, texts))
    settings = OverlapSettings("math", "both", tokenizer=str(llama_style_sp_model))
    from_tokens = run_overlap([tmp_path / "shard.bin"], settings)
    from_text = run_overlap([corpus], settings)
    assert from_tokens.documents == len(texts)
    assert (
        from_tokens.tally.hit_ids("math")
        == from_text.tally.hit_ids("math")
        == set(COPIED_PROBLEMS) | {COPIED_SOLUTION}
    )


def test_token_shard_without_tokenizer_is_a_clear_error(tmp_path) -> None:
    from mathlm.shards.indexed import IndexedDatasetWriter

    with IndexedDatasetWriter(tmp_path / "shard", "uint16") as writer:
        writer.add_document([5, 6, 7])
    with pytest.raises(MathlmError, match="needs --tokenizer"):
        run_overlap([tmp_path / "shard"], OverlapSettings("math"))


def test_truncated_gzip_keeps_the_documents_before_the_cut(tmp_path) -> None:
    rows = corpus_rows()
    whole = gzip.compress("".join(json.dumps(row) + "\n" for row in rows).encode())
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[: len(whole) * 2 // 3])
    result = run_overlap([tmp_path / "cut.jsonl.gz"], OverlapSettings("math", "problem"))
    assert result.malformed == {"truncated_file": 1} and 0 < result.documents < len(rows)
    assert result.tally.hit_ids("math") == set(COPIED_PROBLEMS)


def test_bad_inputs_name_what_to_fix(corpus, tmp_path) -> None:
    with pytest.raises(MathlmError, match="not found or not a corpus file"):
        run_overlap([tmp_path / "missing.jsonl"], OverlapSettings("math"))
    foreign = tmp_path / "gsm8k_samples.jsonl"
    foreign.write_text(
        json.dumps({"task": "gsm8k", "doc_id": "test/x.json", "correct": True}) + "\n", encoding="utf-8"
    )
    with pytest.raises(
        MathlmError, match="gsm8k_samples.jsonl:1: doc_id 'test/x.json'.*not a math record id"
    ):
        accuracy_split(foreign, MATH, set())
    foreign.write_text(json.dumps({"task": "math", "doc_id": "1"}) + "\n", encoding="utf-8")
    with pytest.raises(MathlmError, match=":1: missing correct"):
        accuracy_split(foreign, MATH, set())
    result = CliRunner().invoke(app, ["eval", "overlap", "--corpus", str(corpus), "--field", "answer"])
    assert isinstance(result.exception, MathlmError) and "--field 'answer'" in str(result.exception)
