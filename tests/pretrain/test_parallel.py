"""Tensor, sequence and hybrid-shard parallelism on a device mesh give the losses of one process.

Every layout starts from the same weights (the random init is seeded per tensor, and each rank reads
only its slices) and reads the same global batches, so the losses agree up to float reassociation in
the sharded matmuls and reductions: relative tolerance 1e-5 on fp32 (measured differences ~2e-7).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mathlm.config import load_config
from mathlm.errors import MathlmError
from mathlm.pretrain import checkpoint as ckpt
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.distributed import LAUNCH_VARIABLES, free_port
from mathlm.pretrain.trainer import train
from tests.support.pretrain import TINY_CONFIG, set_options, step_losses, tiny_overrides, torchrun

TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def one_process_losses(tmp_path_factory: pytest.TempPathFactory, tiny_data: Path) -> dict[int, float]:
    """The reference: tiny.yaml on a single process (in this process, a world of one)."""
    tmp_path = tmp_path_factory.mktemp("reference")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in zip(LAUNCH_VARIABLES, ("0", "1", "0", "127.0.0.1", str(free_port())), strict=True):
            patch.setenv(name, value)
        train(load_config(TINY_CONFIG, TrainConfig, tiny_overrides(tmp_path, tiny_data)))
    return step_losses(tmp_path / "run")


def sets(overrides: list[str]) -> list[str]:
    return set_options(overrides)


def launch(nproc: int, tmp_path: Path, data: Path, *overrides: str) -> None:
    result = torchrun(
        nproc, ["train", str(TINY_CONFIG), *set_options([*tiny_overrides(tmp_path, data), *overrides])]
    )
    assert result.returncode == 0, result.stderr[-3000:]


def assert_close(losses: dict[int, float], reference: dict[int, float]) -> None:
    assert sorted(losses) == sorted(reference) == list(range(1, 9))
    assert losses == pytest.approx(reference, rel=TOLERANCE)


@pytest.mark.slow
def test_tensor_parallel_then_hsdp_on_another_world_size(
    one_process_losses: dict[int, float], tiny_data: Path, tmp_path: Path, no_launch_env: None
) -> None:
    """TP=2 on 2 ranks; its step-3 checkpoint then resumes as HSDP (2 replicas x 2 shards) on 4 ranks."""
    tp_run, hsdp_run = tmp_path / "tp", tmp_path / "hsdp"
    launch(
        2,
        tmp_path,
        tiny_data,
        "engine.tp=2",
        f"run_dir={tp_run}",
        "checkpoint.every=3",
        "checkpoint.keep_last=3",
    )
    assert_close(step_losses(tp_run), one_process_losses)
    launch(
        4,
        tmp_path,
        tiny_data,
        "engine.dp_replicate=2",
        f"run_dir={hsdp_run}",
        f"checkpoint.resume={ckpt.checkpoint_path(tp_run, 3)}",
    )
    resumed = step_losses(hsdp_run)
    assert sorted(resumed) == list(range(4, 9))
    assert resumed == pytest.approx({s: one_process_losses[s] for s in range(4, 9)}, rel=TOLERANCE)
    assert ckpt.read_state(ckpt.latest_checkpoint(hsdp_run)).world_size == 4


@pytest.mark.slow
def test_fsdp2_x_tp2_matches_one_process_and_resumes_exactly(
    one_process_losses: dict[int, float], tiny_data: Path, tmp_path: Path, no_launch_env: None
) -> None:
    full, resumed = tmp_path / "full", tmp_path / "resumed"
    launch(
        4,
        tmp_path,
        tiny_data,
        "engine.tp=2",
        f"run_dir={full}",
        "checkpoint.every=3",
        "checkpoint.keep_last=3",
    )
    assert_close(step_losses(full), one_process_losses)
    launch(
        4,
        tmp_path,
        tiny_data,
        "engine.tp=2",
        f"run_dir={resumed}",
        f"checkpoint.resume={ckpt.checkpoint_path(full, 3)}",
    )
    expected = {s: v for s, v in step_losses(full).items() if s > 3}
    assert step_losses(resumed) == expected  # bit-identical after resume, same layout


def test_layout_that_does_not_divide_the_world_is_refused(
    tiny_config: Callable[..., TrainConfig], single_process: None
) -> None:
    with pytest.raises(MathlmError, match="world size 1 is not divisible by engine.tp 2"):
        train(tiny_config("engine.tp=2"))
