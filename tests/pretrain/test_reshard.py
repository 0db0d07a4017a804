"""A DeepSpeed run saved on N ranks resumes on M ranks and continues the uninterrupted N-rank run.

The global batch of a step does not depend on the world size (tests/pretrain/test_parallel.py, and
``BatchPlan``): 2 ranks x 2 micro-batches or 1 rank x 4 read the same 8 samples, so a resumed run on
another world size computes the same losses up to float reassociation in the gradient reduction.
Tolerance: relative 1e-5 on the losses (measured: ZeRO-1 2 -> 1 bit-identical, bf16 ZeRO-1 2 -> 1 at
most 4.8e-7 absolute, ZeRO-3 1 -> 2 at most 9.5e-7). The optimizer state is compared directly: weights,
Adam moments and Adam's step count at the end of the resumed run against the uninterrupted run's,
through the universal form that ``mathlm train reshard`` writes of both final checkpoints; per tensor,
the largest difference must stay within 1e-5 of the tensor's largest value (measured at most 4.9e-7;
the moments span 3e-9 to 1e-2, so a fixed absolute tolerance would not see a reset of the small ones).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
import torch
from typer.testing import CliRunner

from mathlm.cli import app
from mathlm.config import load_config
from mathlm.errors import MathlmError
from mathlm.pretrain import checkpoint as ckpt
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.distributed import LAUNCH_VARIABLES, free_port
from mathlm.pretrain.reshard import (
    CONVERSION_LOG,
    UNIVERSAL_TAG,
    deepspeed_root,
    saved_world_size,
    universal_checkpoint,
)
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


def universal_state(checkpoint: Path) -> tuple[dict[str, dict[str, torch.Tensor]], set[float]]:
    """Per parameter fp32 master weight and Adam moments, and the Adam step counts found, as
    `mathlm train reshard` writes them."""
    result = CliRunner().invoke(app, ["train", "reshard", str(checkpoint), "--workers", "1"])
    assert result.exit_code == 0, result.output
    zero = deepspeed_root(checkpoint) / UNIVERSAL_TAG / "zero"
    tensors, steps = {}, set()
    for folder in sorted(p for p in zero.iterdir() if p.is_dir()):
        entry = {key: torch.load(folder / f"{key}.pt") for key in OPTIMIZER_STATE}
        # ZeRO-1/2 files hold {"param": tensor, "cat_dim": ...}, ZeRO-3 files the tensor itself
        tensors[folder.name] = {k: v["param"] if isinstance(v, dict) else v for k, v in entry.items()}
        if (folder / "step.pt").is_file():  # ZeRO-1/2: the step of each parameter
            steps.add(float(torch.load(folder / "step.pt")))
    # ZeRO-3 keeps the step of each parameter group in the optimizer's global state
    optimizer = torch.load(zero / "optimizer_state.pt", weights_only=False).get("optimizer_state_dict", {})
    steps.update(float(group["step"]) for group in optimizer.get("state", {}).values())
    return tensors, steps


@pytest.mark.slow
@pytest.mark.parametrize(
    ("stage", "dtype", "saved_on", "resumed_on"),
    [(1, "float32", 2, 1), (1, "bfloat16", 2, 1), (3, "float32", 1, 2)],
    # bf16 ZeRO-1 is the 7B recipe's path on GPUs: DeepSpeed's BF16_Optimizer, other file names
    ids=["zero1-2to1", "zero1-bf16-2to1", "zero3-1to2"],
)
def test_deepspeed_resumes_on_another_world_size(
    stage: int,
    dtype: str,
    saved_on: int,
    resumed_on: int,
    tiny_data: Path,
    tmp_path: Path,
    no_launch_env: None,
) -> None:
    engine = ["engine.kind=deepspeed", f"engine.zero_stage={stage}", f"model.dtype={dtype}"]
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
    reference, reference_steps = universal_state(ckpt.checkpoint_path(full, 8))
    continued, continued_steps = universal_state(ckpt.checkpoint_path(resumed, 8))
    assert continued_steps == reference_steps == {8.0}
    assert sorted(continued) == sorted(reference) and len(reference) == 21  # every tensor of tiny.yaml
    for name, entry in continued.items():
        for key in OPTIMIZER_STATE:
            expected = reference[name][key]
            error = float((entry[key] - expected).abs().max() / expected.abs().max())
            assert error <= TOLERANCE, f"{name} {key}: max difference {error:.2e} of its largest value"


def fake_checkpoint(run_dir: Path, engine: str) -> Path:
    """A checkpoint directory with the trainer's files but unreadable DeepSpeed partitions."""
    checkpoint = ckpt.checkpoint_path(run_dir, 4)
    tag_dir = deepspeed_root(checkpoint) / "deepspeed"
    tag_dir.mkdir(parents=True)
    for rank in range(2):
        (tag_dir / f"zero_pp_rank_{rank}_mp_rank_00_optim_states.pt").write_bytes(b"not a torch file")
    (tag_dir / "mp_rank_00_model_states.pt").write_bytes(b"not a torch file")
    state = ckpt.TrainerState(step=4, engine=engine, world_size=2)
    (checkpoint / ckpt.STATE_FILE).write_text(json.dumps(asdict(state)))
    (checkpoint / ckpt.COMPLETE_MARKER).write_text("{}")
    return checkpoint


def test_a_failed_conversion_says_what_to_do_and_leaves_nothing_loadable(tmp_path: Path) -> None:
    checkpoint = fake_checkpoint(tmp_path / "run", "deepspeed")
    assert saved_world_size(checkpoint) == 2
    with pytest.raises(MathlmError, match="Resume on the world size the checkpoint was saved with"):
        universal_checkpoint(checkpoint)
    assert not (deepspeed_root(checkpoint) / UNIVERSAL_TAG).exists()
    with pytest.raises(MathlmError, match="holds no ZeRO optimizer partitions"):
        saved_world_size(tmp_path / "elsewhere")


def test_reshard_command_leaves_fsdp2_checkpoints_alone(tmp_path: Path) -> None:
    checkpoint = fake_checkpoint(tmp_path / "run", "fsdp2")
    result = CliRunner().invoke(app, ["train", "reshard", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert "already loads on any number of ranks" in " ".join(result.output.split())
    assert not (deepspeed_root(checkpoint) / UNIVERSAL_TAG).exists()
