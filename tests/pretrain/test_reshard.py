"""A DeepSpeed run saved on N ranks resumes on M ranks and continues the uninterrupted N-rank run.

The global batch of a step does not depend on the world size (tests/pretrain/test_parallel.py, and
``BatchPlan``): 2 ranks x 2 micro-batches or 1 rank x 4 read the same 8 samples, so a resumed run on
another world size computes the same losses up to float reassociation in the gradient reduction.
Tolerance: relative 1e-5 on fp32 losses (measured: ZeRO-1 2 -> 1 bit-identical, ZeRO-3 1 -> 2 at most
4.8e-7 absolute). The optimizer state is compared directly: weights, Adam moments and Adam's step
count at the end of the resumed run against the uninterrupted run's, through the universal form that
``mathlm train reshard`` writes of both final checkpoints.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from mathlm.cli import app
from mathlm.config import load_config
from mathlm.pretrain import checkpoint as ckpt
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.distributed import LAUNCH_VARIABLES, free_port
from mathlm.pretrain.reshard import CONVERSION_LOG, UNIVERSAL_TAG, deepspeed_root
from mathlm.pretrain.trainer import train
from tests.support.pretrain import TINY_CONFIG, set_options, step_losses, tiny_overrides, torchrun

TOLERANCE = 1e-5
OPTIMIZER_STATE = ("fp32", "exp_avg", "exp_avg_sq")


def train_on(nproc: int, tmp_path: Path, data: Path, *overrides: str) -> None:
    """tiny.yaml on ``nproc`` ranks: one in this process, more under torchrun."""
    sets = [*tiny_overrides(tmp_path, data), *overrides]
    if nproc == 1:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in zip(
                LAUNCH_VARIABLES, ("0", "1", "0", "127.0.0.1", str(free_port())), strict=True
            ):
                patch.setenv(name, value)
            train(load_config(TINY_CONFIG, TrainConfig, sets))
        return
    result = torchrun(nproc, ["train", str(TINY_CONFIG), *set_options(sets)])
    assert result.returncode == 0, result.stderr[-3000:]


def universal_state(checkpoint: Path) -> dict[str, dict[str, torch.Tensor]]:
    """Per parameter: fp32 master weight, Adam moments and step, as `mathlm train reshard` writes them."""
    result = CliRunner().invoke(app, ["train", "reshard", str(checkpoint), "--workers", "1"])
    assert result.exit_code == 0, result.output
    state = {}
    zero = deepspeed_root(checkpoint) / UNIVERSAL_TAG / "zero"
    for folder in sorted(p for p in zero.iterdir() if p.is_dir()):  # and optimizer_state.pt: param groups
        entry = {key: torch.load(folder / f"{key}.pt")["param"] for key in OPTIMIZER_STATE}
        entry["step"] = torch.load(folder / "step.pt")
        state[folder.name] = entry
    return state


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stage", "saved_on", "resumed_on"), [(1, 2, 1), (3, 1, 2)], ids=["zero1-2to1", "zero3-1to2"]
)
def test_deepspeed_resumes_on_another_world_size(
    stage: int, saved_on: int, resumed_on: int, tiny_data: Path, tmp_path: Path, no_launch_env: None
) -> None:
    engine = ["engine.kind=deepspeed", f"engine.zero_stage={stage}"]
    full, resumed = tmp_path / "full", tmp_path / "resumed"
    train_on(saved_on, tmp_path, tiny_data, *engine, f"run_dir={full}", "checkpoint.keep_last=2")
    source = ckpt.checkpoint_path(full, 4)
    assert ckpt.read_state(source).world_size == saved_on
    train_on(resumed_on, tmp_path, tiny_data, *engine, f"run_dir={resumed}", f"checkpoint.resume={source}")

    # the trainer converted the step-4 checkpoint itself, once, next to the original files
    assert (deepspeed_root(source) / UNIVERSAL_TAG / CONVERSION_LOG).is_file()
    expected = step_losses(full)
    losses = step_losses(resumed)
    assert sorted(losses) == [5, 6, 7, 8]
    assert losses == pytest.approx({s: expected[s] for s in losses}, rel=TOLERANCE)
    assert ckpt.read_state(ckpt.latest_checkpoint(resumed)).world_size == resumed_on

    # weights and optimizer state at step 8 are the uninterrupted run's: the moments and Adam's step
    # count (8, not the 4 a reset optimizer would have reached) carried over
    reference = universal_state(ckpt.checkpoint_path(full, 8))
    continued = universal_state(ckpt.checkpoint_path(resumed, 8))
    assert sorted(continued) == sorted(reference) and len(reference) == 21  # every tensor of tiny.yaml
    for name, entry in continued.items():
        assert float(entry["step"]) == float(reference[name]["step"]) == 8.0, name
        for key in OPTIMIZER_STATE:
            torch.testing.assert_close(entry[key], reference[name][key], rtol=1e-4, atol=1e-7, msg=name)
