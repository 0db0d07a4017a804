"""Checkpoints that are either complete or ignored: atomic save, keep-last-N, exact resume.

A checkpoint is ``RUN_DIR/checkpoints/step_XXXXXXXX/`` holding the engine's state (model, optimizer,
scheduler), each rank's RNG state, the trainer state (step, samples consumed = data position), the
model's HF config and a ``COMPLETE`` marker. Every rank writes into a hidden temporary directory; only
when all have finished does rank 0 write the marker and rename the directory into place, so a crash
mid-save leaves a ``.tmp-`` directory that nothing loads, and the previous checkpoint stays the latest.
The same holds for a background (asynchronous) save: "finished" means its write has ended on every rank.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from mathlm.errors import MathlmError
from mathlm.pretrain.distributed import DistributedContext, any_rank, barrier

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


@dataclass
class _Save:
    """A save whose files are (being) written into ``staging``; ``write`` is the engine's background write,
    None when the engine already wrote synchronously."""

    step: int
    staging: Path
    final: Path
    write: Future[object] | None


class Checkpointer:
    """The saves of one run (a collective: every rank makes the same calls at the same steps).

    A save goes into ``.tmp-step_…``; it becomes ``step_…`` with its ``COMPLETE`` marker only when every
    rank's write has finished, then older checkpoints are pruned to ``keep_last``. With ``async_save`` the
    engine writes in the background and the loop goes on: :meth:`poll` (each step) completes the save once
    all writes are done, and the next :meth:`save` or :meth:`wait` (end of the run) waits for it first. At
    most one save is in flight, so host memory holds at most one staging copy of the state.
    """

    def __init__(
        self,
        engine: Any,
        model_config: dict[str, Any],
        run_dir: Path,
        keep_last: int,
        ctx: DistributedContext,
        async_save: bool,
        latest: Path | None,
    ) -> None:
        self.engine = engine
        self.model_config = model_config
        self.run_dir = run_dir
        self.keep_last = keep_last
        self.ctx = ctx
        self.async_save = async_save
        self.latest = latest  # the newest complete checkpoint: what a restart would resume from
        self._pending: _Save | None = None

    @property
    def pending(self) -> Path | None:
        """The checkpoint still being written in the background, if any."""
        return self._pending.final if self._pending else None

    def save(self, state: TrainerState, blocking: bool) -> None:
        """Save at ``state.step``; ``blocking`` (or no ``async_save``) returns only once it is complete."""
        self.wait()
        final = checkpoint_path(self.run_dir, state.step)
        staging = final.with_name(TMP_PREFIX + final.name)
        if self.ctx.is_main:
            shutil.rmtree(staging, ignore_errors=True)
            (staging / "rng").mkdir(parents=True)
        barrier()
        write = None
        if self.async_save and not blocking:
            write = self.engine.save_async(staging)
        else:
            self.engine.save(staging)
        # RNG and trainer state are this step's: taken now, not when the background write ends
        torch.save(_rng_state(), staging / "rng" / f"rank_{self.ctx.rank:05d}.pt")
        if self.ctx.is_main:
            _write_json(staging / MODEL_CONFIG_FILE, self.model_config)
            _write_json(staging / STATE_FILE, asdict(state))
        self._pending = _Save(state.step, staging, final, write)
        if write is None:
            self.wait()

    def poll(self) -> None:
        """Complete the background save if every rank's write has finished (a collective: call it on every
        rank each step; cheap while nothing is pending)."""
        if self._pending is None or self._pending.write is None:
            return
        if not any_rank(not self._pending.write.done(), self.ctx.device):
            self.wait()

    def wait(self) -> None:
        """Wait for the pending save (if any) on every rank, then mark it complete and prune."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        if pending.write is not None:
            pending.write.result()  # re-raises the writer's error: the save stays an unloadable .tmp-
        barrier()
        if self.ctx.is_main:
            _write_json(pending.staging / COMPLETE_MARKER, {"step": pending.step, "saved_at": time.time()})
            if pending.final.exists():
                shutil.rmtree(pending.final)
            os.replace(pending.staging, pending.final)
            _fsync_dir(pending.final.parent)
            _prune(self.run_dir, self.keep_last)
        barrier()
        self.latest = pending.final


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
