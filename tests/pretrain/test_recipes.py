"""The shipped recipes hold the published Llemma numbers and split over realistic clusters."""

from __future__ import annotations

import pytest

from mathlm.assets import CONFIGS_DIR
from mathlm.config import load_config
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.data import gradient_accumulation
from mathlm.pretrain.optim import lr_multiplier


@pytest.mark.parametrize(
    ("name", "lr", "warmup", "decay", "rope"),
    [
        ("llemma_7b", 1e-4, 500, 48000, 10000.0),
        ("llemma_34b", 5e-5, 500, 12000, None),
    ],
)
def test_llemma_recipes(name: str, lr: float, warmup: int, decay: int, rope: float | None) -> None:
    cfg = load_config(CONFIGS_DIR / "train" / f"{name}.yaml", TrainConfig)
    assert (cfg.optim.lr, cfg.schedule.warmup_steps, cfg.schedule.decay_steps) == (lr, warmup, decay)
    assert (cfg.optim.betas, cfg.optim.eps, cfg.optim.weight_decay, cfg.optim.grad_clip) == (
        (0.9, 0.95),
        1e-8,
        0.1,
        1.0,
    )
    assert cfg.model.rope_theta == rope
    assert (cfg.data.seq_len, cfg.data.global_batch_tokens) == (4096, 4_194_304)
    assert gradient_accumulation(cfg.data, world_size=256) * 256 * cfg.data.micro_batch_size == 1024
    # the schedule ends at 1/30 of the peak
    assert lr_multiplier(decay, cfg.schedule, cfg.optim.min_lr_ratio) == pytest.approx(1 / 30)


@pytest.mark.parametrize("name", ["tiny", "smollm2_135m_cpu"])
def test_cpu_configs_load(name: str) -> None:
    cfg = load_config(CONFIGS_DIR / "train" / f"{name}.yaml", TrainConfig)
    assert gradient_accumulation(cfg.data, world_size=1) >= 1
