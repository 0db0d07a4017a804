"""Numerics of the engines, read from the engines' own state: fp32 gradient accumulation and reduction
on DeepSpeed, the learning rate logged for the step that used it, a non-finite loss skipping the update."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import torch

from mathlm.pretrain import checkpoint as ckpt
from mathlm.pretrain import engine as engine_module
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.data import gradient_accumulation
from mathlm.pretrain.distributed import init_distributed, shutdown_distributed
from mathlm.pretrain.engine import DeepSpeedEngine, build_engine
from mathlm.pretrain.parallel import build_layout
from mathlm.pretrain.trainer import train

ENGINES = {
    "fsdp2": ["engine.kind=fsdp2"],
    "zero1": ["engine.kind=deepspeed", "engine.zero_stage=1"],
    "zero3": ["engine.kind=deepspeed", "engine.zero_stage=3"],
}


@pytest.fixture
def built_engine(
    tiny_config: Callable[..., TrainConfig], single_process: None
) -> Iterator[Callable[..., object]]:
    """``make(*overrides)``: the engine a run of tiny.yaml would build, in a world of one."""

    def make(*overrides: str) -> object:
        cfg = tiny_config(*overrides)
        ctx = init_distributed("gloo")
        layout = build_layout(cfg.engine, ctx.world_size, ctx.rank, ctx.device)
        dtype = getattr(torch, cfg.model.dtype) if cfg.model.dtype != "auto" else torch.float32
        return build_engine(
            cfg.model,
            cfg.engine,
            cfg.optim,
            cfg.schedule,
            layout,
            ctx.device,
            ctx.rank,
            dtype,
            cfg.data.micro_batch_size,
            gradient_accumulation(cfg.data, layout.dp_size),
        )

    yield make
    shutdown_distributed()


def test_deepspeed_bf16_accumulates_and_reduces_gradients_in_fp32(
    built_engine: Callable[..., object],
) -> None:
    engine = built_engine("engine.kind=deepspeed", "engine.zero_stage=1", "model.dtype=bfloat16")
    assert isinstance(engine, DeepSpeedEngine)
    ds = engine.model
    assert ds.get_data_types() == (
        torch.bfloat16,
        torch.float32,
    )  # (model dtype, gradient accumulation dtype)
    assert ds.communication_data_type == torch.float32
    # ZeRO-1 with bf16 weights and fp32 accumulation runs DeepSpeed's BF16_Optimizer: its gradient buffers are fp32
    assert type(ds.optimizer).__name__ == "BF16_Optimizer"
    tokens = torch.randint(0, 512, (2, 33))
    engine.forward_backward(tokens, last_micro_batch=False)
    accumulated = ds.optimizer.fp32_groups_gradients_flat
    assert accumulated and all(flat.dtype == torch.float32 for flat in accumulated)
    assert any(float(flat.abs().sum()) > 0 for flat in accumulated)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_non_finite_loss_skips_the_update(
    engine: str,
    tiny_config: Callable[..., TrainConfig],
    single_process: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A NaN in step 3's loss: no update, no schedule advance, no checkpoint there; training goes on."""
    real_loss = engine_module.causal_lm_loss
    calls = {"train": 0}

    def loss_with_a_nan(model: torch.nn.Module, tokens: torch.Tensor) -> torch.Tensor:
        loss = real_loss(model, tokens)
        if torch.is_grad_enabled():  # a training micro-batch, not the held-out evaluation
            calls["train"] += 1
            if (calls["train"] - 1) // 4 + 1 == 3:  # 4 micro-batches per step in tiny.yaml
                return loss * float("nan")
        return loss

    monkeypatch.setattr(engine_module, "causal_lm_loss", loss_with_a_nan)
    train(tiny_config(*ENGINES[engine], "checkpoint.every=1", "checkpoint.keep_last=10"))
    records = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    steps = {r["step"]: r for r in records if "loss" in r}
    assert [s for s, r in steps.items() if r["skipped"]] == [3]
    assert all(r["loss"] == r["loss"] for s, r in steps.items() if s != 3)  # finite (not NaN) elsewhere
    assert steps[4]["lr"] == steps[3]["lr"]  # the schedule did not advance on the skipped step
    run_dir = tmp_path / "run"
    assert not ckpt.checkpoint_path(run_dir, 3).exists() and ckpt.checkpoint_path(run_dir, 4).exists()
    assert ckpt.read_state(ckpt.latest_checkpoint(run_dir)).skipped_steps == 1
    if engine != "fsdp2":  # DeepSpeed's own counter agrees
        (model_states,) = (ckpt.latest_checkpoint(run_dir) / "deepspeed" / "deepspeed").glob(
            "*model_states.pt"
        )
        states = torch.load(model_states, weights_only=False)
        assert (states["skipped_steps"], states["global_steps"]) == (
            1,
            8,
        )  # DeepSpeed counts skipped steps too


def test_learning_rate_is_logged_for_the_step_that_used_it(
    tiny_config: Callable[..., TrainConfig], single_process: None, tmp_path: Path
) -> None:
    """Warmup of 2 steps: step 1 uses half the peak, step 2 the peak (DeepSpeed used to log one step ahead)."""
    train(tiny_config(*ENGINES["zero1"], "schedule.total_steps=2"))
    records = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert [r["lr"] for r in records if "lr" in r] == [3e-3 / 2, 3e-3]
