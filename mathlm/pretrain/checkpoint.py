"""Checkpoints that are either complete or ignored: atomic save, keep-last-N, exact resume.

A checkpoint is ``RUN_DIR/checkpoints/step_XXXXXXXX/`` holding the engine's state (model, optimizer,
scheduler), each rank's RNG state, the trainer state (step, samples consumed = data position), the
model's HF config and a ``COMPLETE`` marker. Every rank writes into a hidden temporary directory; only
when all have finished does rank 0 write the marker and rename the directory into place, so a crash
mid-save leaves a ``.tmp-`` directory that nothing loads, and the previous checkpoint stays the latest.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from mathlm.errors import MathlmError
from mathlm.pretrain.distributed import DistributedContext, barrier

COMPLETE_MARKER = "COMPLETE"
STATE_FILE = "trainer_state.json"
MODEL_CONFIG_FILE = "model_config.json"
STEP_PREFIX = "step_"
TMP_PREFIX = ".tmp-"
# Preemption hand-shake with the Slurm job (slurm/templates/train.sbatch): the job's shell touches
# PREEMPT_REQUEST when Slurm warns; the trainer saves, writes PREEMPTED_MARKER and exits 0; the shell
# then requeues the job only if the marker is there.
PREEMPT_REQUEST = "PREEMPT_REQUESTED"
PREEMPTED_MARKER = "PREEMPTED"


@dataclass
class TrainerState:
    """What the loop needs besides the engine to continue exactly: the step and the data position."""

    step: int = 0
    samples_seen: int = 0
    tokens_seen: int = 0
    engine: str = "fsdp2"
    world_size: int = 1
    skipped_steps: int = 0


def checkpoints_root(run_dir: Path) -> Path:
    return run_dir / "checkpoints"


def checkpoint_path(run_dir: Path, step: int) -> Path:
    return checkpoints_root(run_dir) / f"{STEP_PREFIX}{step:08d}"


def is_complete(path: Path) -> bool:
    """True only for a checkpoint whose save finished on every rank."""
    return (path / COMPLETE_MARKER).is_file() and not path.name.startswith(TMP_PREFIX)


def complete_checkpoints(run_dir: Path) -> list[Path]:
    """Complete checkpoints of a run, oldest first."""
    root = checkpoints_root(run_dir)
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.name.startswith(STEP_PREFIX) and is_complete(p)]
    return sorted(found, key=lambda p: int(p.name[len(STEP_PREFIX) :]))


def latest_checkpoint(run_dir: Path) -> Path | None:
    found = complete_checkpoints(run_dir)
    return found[-1] if found else None


def resolve_checkpoint(path: Path) -> Path:
    """A checkpoint directory from a run directory (its latest) or a checkpoint directory (checked complete)."""
    if not path.exists():
        raise MathlmError(
            f"checkpoint {path} does not exist; pass a run directory or one of its "
            "checkpoints/step_* directories"
        )
    if checkpoints_root(path).is_dir() or (path / "config.yaml").is_file():
        latest = latest_checkpoint(path)
        if latest is None:
            raise MathlmError(f"run {path} has no complete checkpoint under {checkpoints_root(path)}")
        return latest
    if not is_complete(path):
        raise MathlmError(
            f"checkpoint {path} is incomplete (no {COMPLETE_MARKER} marker): its save was "
            "interrupted; use an earlier checkpoint of the run"
        )
    return path


def read_state(checkpoint: Path) -> TrainerState:
    return TrainerState(**json.loads((checkpoint / STATE_FILE).read_text()))


def read_model_config(checkpoint: Path) -> dict[str, Any]:
    return json.loads((checkpoint / MODEL_CONFIG_FILE).read_text())


def save_checkpoint(
    engine: Any,
    state: TrainerState,
    model_config: dict[str, Any],
    run_dir: Path,
    keep_last: int,
    ctx: DistributedContext,
) -> Path:
    """Save atomically (collective: every rank calls it) and prune to the newest ``keep_last``."""
    final = checkpoint_path(run_dir, state.step)
    staging = final.with_name(TMP_PREFIX + final.name)
    if ctx.is_main:
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "rng").mkdir(parents=True)
    barrier()
    engine.save(staging)
    torch.save(_rng_state(), staging / "rng" / f"rank_{ctx.rank:05d}.pt")
    barrier()
    if ctx.is_main:
        _write_json(staging / MODEL_CONFIG_FILE, model_config)
        _write_json(staging / STATE_FILE, asdict(state))
        _write_json(staging / COMPLETE_MARKER, {"step": state.step, "saved_at": time.time()})
        if final.exists():
            shutil.rmtree(final)
        os.replace(staging, final)
        _fsync_dir(final.parent)
        _prune(run_dir, keep_last)
    barrier()
    return final


def load_checkpoint(
    engine: Any, checkpoint: Path, model_config: dict[str, Any], engine_kind: str, ctx: DistributedContext
) -> TrainerState:
    """Restore engine, RNG and trainer state; refuse a checkpoint of another engine or model shape."""
    from mathlm.pretrain.model import shape_of

    checkpoint = resolve_checkpoint(checkpoint)
    state = read_state(checkpoint)
    if state.engine != engine_kind:
        raise MathlmError(
            f"checkpoint {checkpoint} was written by the {state.engine} engine but this run uses "
            f"{engine_kind}; set engine.kind: {state.engine}, or export it with `mathlm export hf` "
            "and start a new run from the exported model"
        )
    saved, current = shape_of(read_model_config(checkpoint)), shape_of(model_config)
    if saved != current:
        diff = ", ".join(
            f"{k}: checkpoint {saved[k]} vs model {current[k]}" for k in saved if saved[k] != current[k]
        )
        raise MathlmError(
            f"checkpoint {checkpoint} does not match the model ({diff}); resume with the model "
            "config it was trained with, or set checkpoint.resume: never"
        )
    engine.load(checkpoint)
    rng_file = checkpoint / "rng" / f"rank_{ctx.rank:05d}.pt"
    if rng_file.is_file():
        _set_rng_state(torch.load(rng_file, weights_only=False))
    return state


def mark_preempted(run_dir: Path, step: int) -> None:
    """Tell the Slurm job that this run stopped early with a checkpoint (rank 0, after the save)."""
    _write_json(run_dir / PREEMPTED_MARKER, {"step": step, "at": time.time()})
    (run_dir / PREEMPT_REQUEST).unlink(missing_ok=True)


def _rng_state() -> dict[str, Any]:
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state()
    return state


def _set_rng_state(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(state["cuda"])


def _prune(run_dir: Path, keep_last: int) -> None:
    for old in complete_checkpoints(run_dir)[:-keep_last]:
        # un-mark first: a prune interrupted half-way must not leave a partial directory that looks complete
        (old / COMPLETE_MARKER).unlink()
        shutil.rmtree(old)


def _write_json(path: Path, value: Any) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
