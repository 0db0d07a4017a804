"""`mathlm slurm eval` on the local Slurm cluster: a 2-shard array plus the dependent merge job give the
same results as one local run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mathlm.cli import app
from mathlm.config import load_config
from mathlm.eval.config import EvalConfig
from mathlm.eval.runner import run_eval
from mathlm.slurm.jobs import wait

pytestmark = [pytest.mark.slurm, pytest.mark.slow]

PROBLEMS = [
    ("What is 2 + 3?", "5"),
    ("What is 7 - 4?", "3"),
    ("What is 6 * 7?", "42"),
    ("What is 9 / 3?", "3"),
    ("What is 10 + 15?", "25"),
]


def write_eval_config(folder: Path, model: Path, partition: str) -> Path:
    """A custom task over a five-line JSONL file and an eval config running the tiny model on it."""
    data = folder / "arithmetic.jsonl"
    data.write_text("".join(json.dumps({"problem": p, "answer": a}) + "\n" for p, a in PROBLEMS))
    task = folder / "arithmetic.yaml"
    task.write_text(
        yaml.safe_dump(
            {
                "name": "arithmetic",
                "data": str(data),
                "prompt": "Q: {problem}\nA:",
                "stop": ["\n"],
                "extract": {"name": "regex", "options": {"pattern": r"(-?\d+)"}},
                "max_new_tokens": 6,
            }
        )
    )
    config = folder / "eval.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "model": str(model),
                "tasks": [str(task)],
                "backend_options": {"batch_size": 1},
                "output": str(folder / "sharded"),
                "sandbox_workers": 1,
                "slurm": {"cpus_per_task": 1, "time": "00:10:00", "partition": partition},
            }
        )
    )
    return config


def test_sharded_slurm_eval_merges_to_the_local_result(
    slurm_cluster, tiny_llama: Path, tmp_path: Path
) -> None:
    config = write_eval_config(tmp_path, tiny_llama, slurm_cluster.partition)

    result = CliRunner().invoke(app, ["slurm", "eval", str(config), "--shards", "2", "--wait"])

    assert result.exit_code == 0, result.output
    local = run_eval(load_config(config, EvalConfig, [f"output={tmp_path / 'local'}"]))
    sharded = tmp_path / "sharded"
    assert json.loads((sharded / "summary.json").read_text()) == local
    assert local["arithmetic"]["samples"] == len(PROBLEMS)
    merged = (sharded / "arithmetic" / "samples.jsonl").read_text()
    assert merged == (tmp_path / "local" / "arithmetic" / "samples.jsonl").read_text()
    assert {p.parent.name for p in (sharded / "shards").glob("*/generations.jsonl")} == {"0", "1"}
    assert (sharded / "scores.png").stat().st_size > 0 and (sharded / "results.md").is_file()


def test_a_failed_shard_cancels_the_merge_and_fails_the_command(slurm_cluster, tmp_path: Path) -> None:
    config = write_eval_config(tmp_path, tmp_path / "no-such-model", slurm_cluster.partition)

    result = CliRunner().invoke(app, ["slurm", "eval", str(config), "--shards", "2", "--wait"])

    assert result.exit_code == 1
    assert "model not found" in result.output  # the failed task's stderr is shown
    assert not (tmp_path / "sharded" / "summary.json").exists()
    merge_job = re.search(r"merge job\s+(\d+)", result.output).group(1)
    assert wait(merge_job, timeout=60) == "CANCELLED"  # not left pending in the queue
