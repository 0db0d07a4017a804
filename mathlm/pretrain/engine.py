"""One small training-engine interface, two implementations: PyTorch FSDP2 and DeepSpeed ZeRO 1-3.

The loop only ever calls ``forward_backward`` per micro-batch, ``step`` per optimizer step, and
``save``/``load`` for checkpoints; how parameters, gradients and optimizer state are spread over the
ranks is decided once, in :func:`parallelize_fsdp2` or the DeepSpeed config built in
:func:`deepspeed_config`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from mathlm.pretrain.config import EngineConfig, ModelConfig, OptimConfig, ScheduleConfig
from mathlm.pretrain.model import decoder_layers
from mathlm.pretrain.optim import build_optimizer, build_scheduler, parameter_groups, reset_peak_lr

DEEPSPEED_TAG = "deepspeed"


def causal_lm_loss(model: nn.Module, tokens: torch.Tensor) -> torch.Tensor:
    """Mean next-token cross-entropy of ``tokens`` (batch, seq_len + 1), computed in fp32."""
    inputs, targets = tokens[:, :-1], tokens[:, 1:]
    logits = model(input_ids=inputs).logits
    return F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), targets.reshape(-1))


class Engine(ABC):
    """Owns the (wrapped) model, the optimizer and the LR scheduler of a run."""

    model: nn.Module

    @abstractmethod
    def forward_backward(self, tokens: torch.Tensor, last_micro_batch: bool) -> torch.Tensor:
        """Loss of one micro-batch (detached), gradients accumulated for the coming ``step``."""

    @abstractmethod
    def step(self) -> float:
        """Clip, apply the optimizer and advance the schedule; returns the global grad norm before clipping."""

    @abstractmethod
    def lr(self) -> float:
        """The learning rate the next step will use."""

    @abstractmethod
    def save(self, directory: Path) -> None:
        """Write model, optimizer and scheduler state under ``directory`` (every rank calls this)."""

    @abstractmethod
    def load(self, directory: Path) -> None:
        """Restore what :meth:`save` wrote (every rank calls this)."""

    @torch.no_grad()
    def eval_loss(self, tokens: torch.Tensor) -> torch.Tensor:
        """Loss without gradients (held-out data)."""
        self.model.eval()
        try:
            return causal_lm_loss(self.model, tokens).detach()
        finally:
            self.model.train()


def parallelize_fsdp2(model: nn.Module, model_cfg: ModelConfig, engine_cfg: EngineConfig,
                      dtype: torch.dtype) -> nn.Module:
    """Shard each decoder layer, then the root (embeddings, final norm, head), with FSDP2 ``fully_shard``.

    Parameters stay fp32 (the master copy); ``dtype`` is only the compute dtype of the all-gathered
    weights, and gradients are reduced in fp32, as in the Llemma recipe.
    """
    from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard

    policy = MixedPrecisionPolicy(param_dtype=dtype, reduce_dtype=torch.float32)
    for layer in decoder_layers(model):
        if model_cfg.compile:
            layer.compile()
        fully_shard(layer, mp_policy=policy, reshard_after_forward=engine_cfg.reshard_after_forward)
    fully_shard(model, mp_policy=policy, reshard_after_forward=engine_cfg.reshard_after_forward)
    return model


class FSDP2Engine(Engine):
    """FSDP2: per-layer sharded parameters, torch AdamW on the shards, DCP checkpoints."""

    def __init__(self, model: nn.Module, model_cfg: ModelConfig, engine_cfg: EngineConfig, optim: OptimConfig,
                 schedule: ScheduleConfig, dtype: torch.dtype, grad_accum: int) -> None:
        self.model = parallelize_fsdp2(model, model_cfg, engine_cfg, dtype)
        self.optimizer = build_optimizer(parameter_groups(self.model, optim.weight_decay), optim)
        self.scheduler = build_scheduler(self.optimizer, optim, schedule)
        self.grad_clip = optim.grad_clip
        self.grad_accum = grad_accum
        self.peak_lr = optim.lr

    def forward_backward(self, tokens: torch.Tensor, last_micro_batch: bool) -> torch.Tensor:
        # Reduce-scatter gradients only once per step; earlier micro-batches accumulate locally.
        self.model.set_requires_gradient_sync(last_micro_batch)  # type: ignore[operator]
        loss = causal_lm_loss(self.model, tokens)
        (loss / self.grad_accum).backward()
        return loss.detach()

    def step(self) -> float:
        norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.grad_clip)
        norm = norm.full_tensor() if hasattr(norm, "full_tensor") else norm
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        return float(norm)

    def lr(self) -> float:
        return self.scheduler.get_last_lr()[0]

    def save(self, directory: Path) -> None:
        import torch.distributed.checkpoint as dcp
        from torch.distributed.checkpoint.state_dict import get_state_dict

        model_state, optim_state = get_state_dict(self.model, self.optimizer)
        dcp.save({"model": model_state, "optim": optim_state}, checkpoint_id=str(directory / "dcp"))
        if torch.distributed.get_rank() == 0:
            torch.save(self.scheduler.state_dict(), directory / "scheduler.pt")

    def load(self, directory: Path) -> None:
        import torch.distributed.checkpoint as dcp
        from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict

        model_state, optim_state = get_state_dict(self.model, self.optimizer)
        state = {"model": model_state, "optim": optim_state}
        dcp.load(state, checkpoint_id=str(directory / "dcp"))
        set_state_dict(self.model, self.optimizer, model_state_dict=state["model"],
                       optim_state_dict=state["optim"])
        self.scheduler.load_state_dict(torch.load(directory / "scheduler.pt", weights_only=True))
        reset_peak_lr(self.scheduler, self.peak_lr)


def deepspeed_config(engine_cfg: EngineConfig, optim: OptimConfig, dtype: torch.dtype, micro_batch: int,
                     grad_accum: int) -> dict[str, Any]:
    """The DeepSpeed JSON config for a run: ZeRO stage, bf16 with fp32 master weights, clipping."""
    return {
        "train_micro_batch_size_per_gpu": micro_batch,
        "gradient_accumulation_steps": grad_accum,
        "gradient_clipping": optim.grad_clip,
        "zero_optimization": {"stage": engine_cfg.zero_stage},
        "bf16": {"enabled": dtype == torch.bfloat16},
        # a torch AdamW is not on DeepSpeed's list of tested optimizers; it is what we want on CPU and GPU
        "zero_allow_untested_optimizer": True,
        "steps_per_print": 2**31 - 1,
        "wall_clock_breakdown": False,
    }


def skip_deepspeed_shm_build() -> None:
    """Tell DeepSpeed its shared-memory CPU collective is unavailable, so it uses gloo instead of
    JIT-compiling a C++ extension (~50 s) on first use. The compatibility table is a module-level dict
    that DeepSpeed documents as editable; GPUs use NCCL and never consult this op."""
    import deepspeed.ops

    deepspeed.ops.__compatible_ops__["deepspeed_shm_comm"] = False


class DeepSpeedEngine(Engine):
    """DeepSpeed ZeRO stage 1-3 around the same model and a torch AdamW; DeepSpeed's own checkpoints."""

    def __init__(self, model: nn.Module, engine_cfg: EngineConfig, optim: OptimConfig, schedule: ScheduleConfig,
                 dtype: torch.dtype, micro_batch: int, grad_accum: int) -> None:
        import deepspeed

        if not torch.cuda.is_available():
            skip_deepspeed_shm_build()
        self.optim_cfg = optim
        self.model, self.optimizer, _, self.scheduler = deepspeed.initialize(
            model=model,
            model_parameters=parameter_groups(model, optim.weight_decay),
            optimizer=lambda params: build_optimizer(params, optim),
            lr_scheduler=lambda opt: build_scheduler(opt, optim, schedule),
            config=deepspeed_config(engine_cfg, optim, dtype, micro_batch, grad_accum),
        )

    def forward_backward(self, tokens: torch.Tensor, last_micro_batch: bool) -> torch.Tensor:
        # DeepSpeed divides by the accumulation steps itself and steps only at the boundary.
        loss = causal_lm_loss(self.model, tokens)
        self.model.backward(loss)  # type: ignore[operator]
        self.model.step()  # type: ignore[operator]
        return loss.detach()

    def step(self) -> float:
        norm = self.model.get_global_grad_norm()  # type: ignore[operator]
        return float(norm) if norm is not None else float("nan")

    def lr(self) -> float:
        return self.scheduler.get_last_lr()[0]

    def save(self, directory: Path) -> None:
        self.model.save_checkpoint(str(directory / "deepspeed"), tag=DEEPSPEED_TAG)  # type: ignore[operator]

    def load(self, directory: Path) -> None:
        path, _ = self.model.load_checkpoint(  # type: ignore[operator]
            str(directory / "deepspeed"), tag=DEEPSPEED_TAG, load_optimizer_states=True,
            load_lr_scheduler_states=True)
        if path is None:
            raise FileNotFoundError(f"no DeepSpeed checkpoint under {directory / 'deepspeed'}")
        reset_peak_lr(self.scheduler, self.optim_cfg.lr)


def build_engine(model: nn.Module, model_cfg: ModelConfig, engine_cfg: EngineConfig, optim: OptimConfig,
                 schedule: ScheduleConfig, dtype: torch.dtype, micro_batch: int, grad_accum: int) -> Engine:
    """The engine the config names, around an fp32 ``model`` already on its device."""
    if engine_cfg.kind == "deepspeed":
        if model_cfg.compile:
            model.compile()
        return DeepSpeedEngine(model, engine_cfg, optim, schedule, dtype, micro_batch, grad_accum)
    return FSDP2Engine(model, model_cfg, engine_cfg, optim, schedule, dtype, grad_accum)
