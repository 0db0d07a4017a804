"""Background checkpoint saves (``checkpoint.async_save``): the loop trains on while DCP writes, and a save
counts (``COMPLETE``, resumable, "latest") only once its write has ended."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import wait as wait_all
from pathlib import Path

import pytest

from mathlm.config import ConfigError
from mathlm.errors import MathlmError
from mathlm.pretrain import checkpoint as ckpt
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.engine import FSDP2Engine
from mathlm.pretrain.trainer import train

ASYNC = "checkpoint.async_save=true"


class WaitedFor(Future[object]):
    """A future that releases its held write when someone waits on it: a write still going on when the
    trainer has to wait for it, and never finished before (``done()`` stays False until then)."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__()
        self._release = release

    def result(self, timeout: float | None = None) -> object:
        self._release.set()
        return super().result(timeout)


class HeldWrites:
    """Wraps FSDP2Engine.save_async: the real DCP write runs, but for the saves of ``hold_steps`` the future
    the trainer sees completes only when the test sets ``release`` (a slow filesystem, made deterministic),
    or, with ``until_waited_for``, when the trainer waits for it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.real_writes: list[Future[object]] = []
        self.hold_steps: set[int] = set()
        self.release = threading.Event()
        self.until_waited_for = False
        real_save_async = FSDP2Engine.save_async

        def held(engine: FSDP2Engine, directory: Path) -> Future[object]:
            write = real_save_async(engine, directory)
            self.real_writes.append(write)
            held = int(directory.name.removeprefix(ckpt.TMP_PREFIX + ckpt.STEP_PREFIX)) in self.hold_steps
            seen: Future[object] = WaitedFor(self.release) if held and self.until_waited_for else Future()

            def complete_when_released() -> None:
                write.result()
                if held:
                    self.release.wait()
                seen.set_result(None)

            threading.Thread(target=complete_when_released, daemon=True).start()
            return seen

        monkeypatch.setattr(FSDP2Engine, "save_async", held)

    def settle(self) -> None:
        """Let every held write complete and the real ones end (before the run directory is reused)."""
        self.release.set()
        wait_all(self.real_writes)


@pytest.fixture
def held_writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldWrites]:
    writes = HeldWrites(monkeypatch)
    yield writes
    writes.settle()


def watch_steps(monkeypatch: pytest.MonkeyPatch, on_step: Callable[[int], None]) -> None:
    """Call ``on_step(n)`` after the engine has applied the n-th optimizer step of the run."""
    real_step = FSDP2Engine.step
    count = 0

    def step(engine: FSDP2Engine, skip: bool) -> float:
        nonlocal count
        norm = real_step(engine, skip)
        count += 1
        on_step(count)
        return norm

    monkeypatch.setattr(FSDP2Engine, "step", step)


def test_training_continues_while_the_save_is_written_and_it_completes_after(
    tiny_config: Callable[..., TrainConfig],
    single_process: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    held_writes: HeldWrites,
) -> None:
    run_dir = tmp_path / "run"
    step_4 = ckpt.checkpoint_path(run_dir, 4)
    seen: dict[int, tuple[bool, bool]] = {}  # step -> (step 4 staging exists, step 4 complete)

    def on_step(step: int) -> None:
        seen[step] = (step_4.with_name(ckpt.TMP_PREFIX + step_4.name).exists(), ckpt.is_complete(step_4))
        if step == 6:  # two steps trained while the step-4 write was held: now let it end
            held_writes.release.set()

    held_writes.hold_steps = {4}
    watch_steps(monkeypatch, on_step)
    summary = train(tiny_config(ASYNC, "checkpoint.every=4", "checkpoint.keep_last=5"))

    assert summary.steps == 8
    # steps 5 and 6 ran while the step-4 save was in flight: staged, not complete, not the latest
    assert seen[5] == seen[6] == (True, False)
    assert seen[8][1]  # completed once the write ended (polled after step 6, before step 8 saved)
    assert ckpt.complete_checkpoints(run_dir) == [step_4, ckpt.checkpoint_path(run_dir, 8)]
    assert ckpt.read_state(step_4).step == 4  # the trainer state of the step it was taken at


def test_crash_while_a_background_save_is_in_flight_keeps_the_previous_checkpoint_latest(
    tiny_config: Callable[..., TrainConfig],
    single_process: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    held_writes: HeldWrites,
) -> None:
    run_dir = tmp_path / "run"
    real_step = FSDP2Engine.step

    def on_step(step: int) -> None:
        if step == 5:
            raise RuntimeError("node lost during a background checkpoint write")

    held_writes.hold_steps = {4}  # the step-2 save ends normally; step 4's is still in flight at step 5
    watch_steps(monkeypatch, on_step)
    with pytest.raises(RuntimeError, match="node lost"):
        train(tiny_config(ASYNC, "checkpoint.every=2", "checkpoint.keep_last=5"))
    held_writes.settle()  # the write itself went on; it must still not count

    partial = run_dir / "checkpoints" / ".tmp-step_00000004"
    assert (partial / "dcp" / ".metadata").is_file() and not (partial / ckpt.COMPLETE_MARKER).exists()
    assert ckpt.latest_checkpoint(run_dir) == ckpt.checkpoint_path(run_dir, 2)
    with pytest.raises(MathlmError, match="incomplete"):
        ckpt.resolve_checkpoint(partial)

    monkeypatch.setattr(FSDP2Engine, "step", real_step)  # the node is back
    summary = train(tiny_config(ASYNC, "checkpoint.every=2", "checkpoint.keep_last=5"))
    assert summary.resumed_from == ckpt.checkpoint_path(run_dir, 2) and summary.steps == 8
    assert not partial.exists()
    assert [ckpt.read_state(path).step for path in ckpt.complete_checkpoints(run_dir)] == [2, 4, 6, 8]


def test_preemption_with_a_save_in_flight_completes_it_then_saves_the_step_it_stopped_at(
    tiny_config: Callable[..., TrainConfig],
    single_process: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    held_writes: HeldWrites,
) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    step_4 = ckpt.checkpoint_path(run_dir, 4)
    in_flight_at_warning: list[bool] = []

    def on_step(step: int) -> None:
        if step == 5:  # Slurm's warning, while the step-4 write is still going on
            in_flight_at_warning.append(not ckpt.is_complete(step_4))
            (run_dir / ckpt.PREEMPT_REQUEST).touch()

    held_writes.hold_steps = {4}
    held_writes.until_waited_for = True
    watch_steps(monkeypatch, on_step)
    summary = train(tiny_config(ASYNC, "checkpoint.every=4", "checkpoint.keep_last=5"))

    assert in_flight_at_warning == [True]
    assert summary.steps == 5 and summary.last_checkpoint == ckpt.checkpoint_path(run_dir, 5)
    assert ckpt.complete_checkpoints(run_dir) == [step_4, ckpt.checkpoint_path(run_dir, 5)]
    assert not list((run_dir / "checkpoints").glob(ckpt.TMP_PREFIX + "*"))
    assert json.loads((run_dir / ckpt.PREEMPTED_MARKER).read_text())["step"] == 5


def test_async_save_with_deepspeed_is_refused(tiny_config: Callable[..., TrainConfig]) -> None:
    with pytest.raises(ConfigError, match="checkpoint.async_save needs engine.kind: fsdp2"):
        tiny_config(ASYNC, "engine.kind=deepspeed")
