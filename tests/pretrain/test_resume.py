"""Exact resume and atomic checkpoints: an interrupted run continues as if nothing had happened."""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mathlm.errors import MathlmError
from mathlm.pretrain import checkpoint as ckpt
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.engine import FSDP2Engine
from mathlm.pretrain.trainer import train
from tests.support.pretrain import TINY_CONFIG, set_options, step_losses, tiny_overrides, torchrun

ENGINES = {
    "fsdp2": ["engine.kind=fsdp2"],
    "fsdp2-async-save": ["engine.kind=fsdp2", "checkpoint.async_save=true"],
    "zero1": ["engine.kind=deepspeed", "engine.zero_stage=1"],  # Llemma's setting; ZeRO-3 is in test_export
}


def interrupted_then_resumed(make: Callable[..., TrainConfig], run_dir: Path, engine: list[str]) -> None:
    """Train to step 5 saving at 3 (the 'crash' loses steps 4-5), then resume from step 3 to the end."""
    train(
        make(
            *engine,
            f"run_dir={run_dir}",
            "schedule.total_steps=5",
            "checkpoint.every=3",
            "checkpoint.keep_last=5",
        )
    )
    train(make(*engine, f"run_dir={run_dir}", f"checkpoint.resume={ckpt.checkpoint_path(run_dir, 3)}"))


@pytest.mark.parametrize("engine", ENGINES)
def test_resumed_run_reproduces_uninterrupted_losses(
    engine: str, tiny_config: Callable[..., TrainConfig], single_process: None, tmp_path: Path
) -> None:
    full = train(tiny_config(*ENGINES[engine], f"run_dir={tmp_path / 'full'}"))
    interrupted_then_resumed(tiny_config, tmp_path / "resumed", ENGINES[engine])
    expected = step_losses(tmp_path / "full")
    assert sorted(expected) == list(range(1, 9))
    assert step_losses(tmp_path / "resumed") == expected  # bit-identical, step by step
    assert expected[8] < expected[1]
    assert full.eval_loss_end < full.eval_loss_start
    resumed_state = ckpt.read_state(ckpt.latest_checkpoint(tmp_path / "resumed"))
    assert (resumed_state.step, resumed_state.samples_seen) == (8, 8 * 8)


@pytest.mark.slow
def test_two_processes_under_torchrun_resume_exactly(
    tiny_data: Path, tmp_path: Path, no_launch_env: None
) -> None:
    base = ["train", str(TINY_CONFIG), *set_options(tiny_overrides(tmp_path, tiny_data))]

    def launch(*overrides: str) -> None:
        result = torchrun(2, [*base, *set_options(overrides)])
        assert result.returncode == 0, result.stderr[-3000:]

    launch(f"run_dir={tmp_path / 'full'}")
    launch(f"run_dir={tmp_path / 'resumed'}", "schedule.total_steps=5", "checkpoint.every=3")
    launch(
        f"run_dir={tmp_path / 'resumed'}",
        f"checkpoint.resume={ckpt.checkpoint_path(tmp_path / 'resumed', 3)}",
    )
    expected = step_losses(tmp_path / "full")
    assert sorted(expected) == list(range(1, 9))
    assert step_losses(tmp_path / "resumed") == expected
    state = ckpt.read_state(ckpt.latest_checkpoint(tmp_path / "full"))
    assert state.world_size == 2
    assert sorted(p.name for p in (ckpt.latest_checkpoint(tmp_path / "full") / "rng").iterdir()) == [
        "rank_00000.pt",
        "rank_00001.pt",
    ]


def test_crash_during_save_never_leaves_a_loadable_checkpoint(
    tiny_config: Callable[..., TrainConfig],
    single_process: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_save = FSDP2Engine.save

    def save_then_crash(self: FSDP2Engine, directory: Path) -> None:
        real_save(self, directory)  # the weights are on disk ...
        if directory.name.endswith("step_00000008"):
            raise RuntimeError("node lost during checkpoint write")  # ... but the save never finishes

    monkeypatch.setattr(FSDP2Engine, "save", save_then_crash)
    run_dir = tmp_path / "run"
    with pytest.raises(RuntimeError, match="node lost"):
        train(tiny_config())
    partial = run_dir / "checkpoints" / ".tmp-step_00000008"
    assert (partial / "dcp").is_dir() and not (partial / ckpt.COMPLETE_MARKER).exists()
    assert ckpt.latest_checkpoint(run_dir) == ckpt.checkpoint_path(run_dir, 4)
    with pytest.raises(MathlmError, match="incomplete"):
        ckpt.resolve_checkpoint(partial)

    monkeypatch.setattr(FSDP2Engine, "save", real_save)
    summary = train(tiny_config())  # resume: auto picks the last complete checkpoint
    assert summary.resumed_from == ckpt.checkpoint_path(run_dir, 4)
    assert ckpt.latest_checkpoint(run_dir) == ckpt.checkpoint_path(run_dir, 8)
    assert not partial.exists()


@pytest.mark.slow
def test_sigterm_saves_a_checkpoint_at_the_step_reached(
    tiny_data: Path, tmp_path: Path, no_launch_env: None
) -> None:
    """What Slurm does on preemption: SIGTERM to the trainer, then the requeued job starts it again."""
    run_dir = tmp_path / "run"
    sets = [*tiny_overrides(tmp_path, tiny_data), "schedule.decay_steps=100000", "checkpoint.every=100000"]
    command = [sys.executable, "-m", "mathlm.cli", "train", str(TINY_CONFIG), *set_options(sets)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    metrics = run_dir / "metrics.jsonl"
    while not (metrics.is_file() and len(metrics.read_text().splitlines()) >= 3):  # some steps are done
        assert process.poll() is None, process.stderr.read()
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    saved = ckpt.latest_checkpoint(run_dir)
    stopped_at = ckpt.read_state(saved).step
    assert saved == ckpt.checkpoint_path(run_dir, stopped_at) and 0 < stopped_at < 100000
    assert "stopped by SIGTERM" in " ".join(stderr.split())


def test_a_changed_peak_lr_applies_after_resume(
    tiny_config: Callable[..., TrainConfig], single_process: None, tmp_path: Path
) -> None:
    train(tiny_config("schedule.total_steps=4"))
    train(tiny_config("optim.lr=6e-3"))  # twice tiny.yaml's peak
    records = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    lrs = {r["step"]: r["lr"] for r in records if "lr" in r}
    assert lrs[2] == 3e-3
    # step 5 is 2 of tiny.yaml's 6 cosine steps in, now on a peak of 6e-3
    floor = 6e-3 / 30
    assert lrs[5] == pytest.approx(floor + (6e-3 - floor) * 0.5 * (1 + math.cos(math.pi * 2 / 6)))


def test_preemption_request_saves_then_marks_the_run_for_requeue(
    tiny_config: Callable[..., TrainConfig], single_process: None, tmp_path: Path
) -> None:
    """What the Slurm job's trap does on the warning: the request file stops the run after a saved step."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / ckpt.PREEMPT_REQUEST).touch()
    summary = train(tiny_config("checkpoint.every=100"))
    assert summary.steps == 1 and summary.last_checkpoint == ckpt.checkpoint_path(run_dir, 1)
    assert json.loads((run_dir / ckpt.PREEMPTED_MARKER).read_text())["step"] == 1
    assert not (run_dir / ckpt.PREEMPT_REQUEST).exists()
    # the requeued job resumes and finishes; a finished run started again does nothing and succeeds
    assert train(tiny_config("checkpoint.every=100")).steps == 8
    assert not (run_dir / ckpt.PREEMPTED_MARKER).exists()
    again = train(tiny_config())
    assert again.steps == 8 and again.resumed_from == ckpt.checkpoint_path(run_dir, 8)


def test_a_second_run_in_the_same_directory_is_refused(
    tiny_config: Callable[..., TrainConfig], single_process: None, tmp_path: Path
) -> None:
    from mathlm.pretrain.run_lock import RunLock

    holder = RunLock(tmp_path / "run")
    assert holder.acquire() is None
    try:
        with pytest.raises(MathlmError, match=r"is in use by another training run \(pid \d+ on "):
            train(tiny_config())
    finally:
        holder.release()
