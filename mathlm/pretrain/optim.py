"""AdamW and the learning-rate schedule of the Llemma recipe: linear warmup, cosine decay to 1/30 of peak."""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch
from torch import nn

from mathlm.pretrain.config import OptimConfig, ScheduleConfig


def lr_multiplier(step: int, schedule: ScheduleConfig, min_ratio: float) -> float:
    """Factor on the peak LR for optimizer step ``step`` (0-based): warmup, cosine, then flat at the floor."""
    if schedule.warmup_steps and step < schedule.warmup_steps:
        return (step + 1) / schedule.warmup_steps
    span = max(1, schedule.decay_steps - schedule.warmup_steps)
    progress = min(1.0, (step - schedule.warmup_steps) / span)
    return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def parameter_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """Decay matrices only: norms and biases (1-D tensors) are not decayed, as in the Llemma/NeoX runs."""
    decay, no_decay = [], []
    for param in model.parameters():
        if param.requires_grad:
            (decay if param.dim() >= 2 else no_decay).append(param)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def build_optimizer(
    params: Iterable[dict] | Iterable[torch.Tensor], cfg: OptimConfig
) -> torch.optim.Optimizer:
    """Plain torch AdamW (foreach); on GPU the fused kernel. Never a DeepSpeed C++ op, so nothing is JIT-built."""
    fused = torch.cuda.is_available()
    return torch.optim.AdamW(
        params,
        lr=cfg.lr,
        betas=cfg.betas,
        eps=cfg.eps,
        weight_decay=cfg.weight_decay,
        fused=fused or None,
        foreach=None if fused else True,
    )


def build_scheduler(
    optimizer: torch.optim.Optimizer, optim: OptimConfig, schedule: ScheduleConfig
) -> torch.optim.lr_scheduler.LambdaLR:
    """A LambdaLR over :func:`lr_multiplier`; its state (the step count) is checkpointed with the optimizer."""
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: lr_multiplier(step, schedule, optim.min_lr_ratio)
    )


def reset_peak_lr(scheduler: torch.optim.lr_scheduler.LambdaLR, lr: float) -> None:
    """After loading a checkpoint, make the config's peak LR the schedule's base again.

    A LambdaLR's state carries the peak it was created with, so without this a resumed run would
    silently ignore a changed ``optim.lr``; with the LR unchanged the values are bit-identical.
    """
    scheduler.base_lrs = [lr for _ in scheduler.base_lrs]
    for group, factor in zip(scheduler.optimizer.param_groups, scheduler.lr_lambdas, strict=True):
        group["lr"] = lr * factor(scheduler.last_epoch)
    scheduler._last_lr = [group["lr"] for group in scheduler.optimizer.param_groups]
