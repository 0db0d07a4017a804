"""Evaluation on real inputs end to end: the real SmolLM2-135M on real GSM8k and MATH test problems, and
a real run's samples.jsonl read by the memorization analysis (`mathlm eval overlap --results`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mathlm.cli import app
from mathlm.eval.config import EvalConfig
from mathlm.eval.runner import run_eval, settings_for
from mathlm.eval.tasks import get_task
from mathlm.inference import HFBackend

TASKS = ("gsm8k", "math")


@pytest.mark.slow
def test_smollm2_on_real_gsm8k_and_math(smollm2_checkpoint: Path, tmp_path: Path) -> None:
    # One problem per task: with its 700-800-token few-shot prompt a problem takes ~10 s on an idle 2-core CPU.
    cfg = EvalConfig(
        model=str(smollm2_checkpoint),
        tasks=list(TASKS),
        limit=1,
        max_new_tokens=32,
        output=tmp_path / "run",
        model_name="SmolLM2-135M",
    )
    backend = HFBackend(smollm2_checkpoint, batch_size=1)

    summaries = run_eval(cfg, backend=backend)

    run = tmp_path / "run"
    for name in ("generations.jsonl", "summary.json", "results.md", "scores.png", "tasks.json"):
        assert (run / name).is_file(), name
    for name in TASKS:
        [sample] = [json.loads(line) for line in (run / name / "samples.jsonl").open()]
        assert sample["task"] == name and sample["doc_id"] == "0"
        assert len(sample["generations"]) == 1 and sample["generations"][0].strip()
        assert sample["correct"] == (sample["verdicts"] == [True])  # greedy: the vote is the one answer
        assert summaries[name]["samples"] == 1 and summaries[name]["maj@1"] in (0.0, 1.0)
        assert json.loads((run / name / "summary.json").read_text()) == summaries[name]
    math = get_task("math")
    [record] = math.records(1)
    # the same prompt again gives the same text: greedy decoding is deterministic
    [again] = backend.generate([math.prompt(record)], settings_for(math, cfg))
    assert list(again.completions) == json.loads((run / "math" / "samples.jsonl").read_text())["generations"]


def test_overlap_reads_the_samples_of_a_real_run(tiny_llama: Path, tmp_path: Path) -> None:
    cfg = EvalConfig(
        model=str(tiny_llama), tasks=["math"], limit=3, max_new_tokens=4, output=tmp_path / "run"
    )
    run_eval(cfg)
    [copied] = get_task("math").records(1)
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"id": "forum", "text": f"Homework help: {copied.problem} Thanks!"}) + "\n")

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
            str(tmp_path / "run" / "math" / "samples.jsonl"),
            "--output",
            str(tmp_path / "overlap"),
        ],
    )

    assert result.exit_code == 0, result.output
    rows = {
        row["group"]: row
        for row in json.loads((tmp_path / "overlap" / "overlap.json").read_text())["accuracy"]
    }
    assert rows["all"]["task"] == "math" and rows["all"]["problems"] == 3 and rows["all"]["hits"] == 1
