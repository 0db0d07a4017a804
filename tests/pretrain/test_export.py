"""`mathlm export hf`: a training checkpoint becomes a Hugging Face model with the trained weights."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from mathlm.errors import MathlmError
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.export import export_hf
from mathlm.pretrain.trainer import train
from mathlm.shards.mixture import BlendedDataset


def heldout_loss(model: torch.nn.Module, cfg: TrainConfig) -> float:
    """Mean next-token loss of a HF model over the run's held-out samples, computed here from its logits."""
    data = BlendedDataset.from_config(
        cfg.data.eval_mixture, cfg.data.seq_len, cfg.data.eval_samples, cfg.data.seed
    )
    tokens = torch.from_numpy(np.stack([data[i] for i in range(len(data))]))
    losses = []
    with torch.no_grad():
        for batch in tokens.split(cfg.data.micro_batch_size):
            logits = model(input_ids=batch[:, :-1]).logits
            losses.append(
                torch.nn.functional.cross_entropy(
                    logits.reshape(-1, logits.size(-1)), batch[:, 1:].reshape(-1)
                )
            )
    return float(torch.stack(losses).mean())


@pytest.mark.parametrize(
    "engine",
    [
        ["engine.kind=fsdp2", "model.activation_checkpointing=true"],
        ["engine.kind=deepspeed", "engine.zero_stage=3"],
    ],
)
def test_export_loads_in_transformers_with_the_trained_weights(
    engine: list[str],
    tiny_config: Callable[..., TrainConfig],
    tiny_hf_model: Path,
    single_process: None,
    tmp_path: Path,
) -> None:
    from transformers import AutoModelForCausalLM

    # Continue from a HF checkpoint with Llemma's RoPE contraction (1e6 -> 1e4), as in production.
    cfg = tiny_config(
        *engine,
        "model.shape=null",
        f"model.checkpoint={tiny_hf_model}",
        "model.rope_theta=10000",
        "schedule.total_steps=3",
    )
    summary = train(cfg)
    export_hf(cfg.run_dir, tmp_path / "hf")
    exported = AutoModelForCausalLM.from_pretrained(tmp_path / "hf").eval()
    assert exported.config.rope_parameters["rope_theta"] == 10000
    assert exported.config.use_cache  # generation with a KV cache, as inference engines expect
    # The exported logits give the held-out loss the trainer measured at the end of training.
    assert heldout_loss(exported, cfg) == pytest.approx(summary.eval_loss_end, rel=1e-5)
    original = AutoModelForCausalLM.from_pretrained(tiny_hf_model)
    assert not torch.equal(original.model.embed_tokens.weight, exported.model.embed_tokens.weight)


def test_start_loss_is_the_hf_model_with_contracted_rope(
    tiny_config: Callable[..., TrainConfig], tiny_hf_model: Path, single_process: None
) -> None:
    from transformers import AutoConfig, AutoModelForCausalLM

    cfg = tiny_config(
        "model.shape=null",
        f"model.checkpoint={tiny_hf_model}",
        "model.rope_theta=10000",
        "schedule.total_steps=1",
    )
    summary = train(cfg)
    config = AutoConfig.from_pretrained(tiny_hf_model)
    config.rope_parameters["rope_theta"] = 10000.0
    reference = AutoModelForCausalLM.from_pretrained(tiny_hf_model, config=config).eval()
    assert heldout_loss(reference, cfg) == pytest.approx(summary.eval_loss_start, rel=1e-5)


def test_export_refuses_an_incomplete_checkpoint_and_a_non_empty_target(tmp_path: Path) -> None:
    partial = tmp_path / "run" / "checkpoints" / ".tmp-step_00000004"
    partial.mkdir(parents=True)
    with pytest.raises(MathlmError, match="incomplete"):
        export_hf(partial, tmp_path / "out")
    with pytest.raises(MathlmError, match="does not exist"):
        export_hf(tmp_path / "nope", tmp_path / "out")
