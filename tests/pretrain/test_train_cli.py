"""`mathlm train CONFIG` and `mathlm train plot RUN` as a user types them."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mathlm.cli import app
from mathlm.pretrain import checkpoint as ckpt
from tests.support.pretrain import TINY_CONFIG, set_options, tiny_overrides


def test_train_then_plot(tiny_data: Path, tmp_path: Path, single_process: None) -> None:
    run_dir = tmp_path / "run"
    sets = [
        *tiny_overrides(tmp_path, tiny_data),
        "checkpoint.every=2",
        "checkpoint.keep_last=2",
        "logging.tensorboard=true",
        "logging.eval_every=4",
    ]
    runner = CliRunner()
    result = runner.invoke(app, ["train", str(TINY_CONFIG), *set_options(sets)])
    assert result.exit_code == 0, result.output

    # keep-last-N: only the newest two checkpoints remain, both complete
    assert [p.name for p in ckpt.complete_checkpoints(run_dir)] == ["step_00000006", "step_00000008"]
    assert sorted(p.name for p in (run_dir / "checkpoints").iterdir()) == ["step_00000006", "step_00000008"]

    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    steps = [r for r in records if "loss" in r]
    assert [r["step"] for r in steps] == list(range(1, 9))
    assert {"loss", "lr", "grad_norm", "tokens_per_s", "mfu"} <= set(steps[0])
    # warmup to the peak, then cosine down to 1/30 of it at the end of decay_steps
    peak, floor = 3e-3, 3e-3 / 30
    assert steps[0]["lr"] == peak / 2 and steps[1]["lr"] == peak
    assert steps[-1]["lr"] == pytest.approx(floor + (peak - floor) * 0.5 * (1 + math.cos(math.pi * 5 / 6)))
    assert [r["step"] for r in records if "eval_loss" in r] == [0, 4, 8]
    assert list((run_dir / "tensorboard").glob("events.out.tfevents.*"))

    result = runner.invoke(app, ["train", "plot", str(run_dir), "--output", str(tmp_path / "curves.png")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "curves.png").read_bytes().startswith(b"\x89PNG")
