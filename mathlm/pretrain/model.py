"""The model: a Hugging Face ``LlamaForCausalLM`` loaded from a local directory or initialised at random.

Keeping the Hugging Face module (rather than a project re-implementation) means a checkpoint's weight
names are the released ones, export is a ``save_pretrained`` and vLLM loads the result unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn

from mathlm.errors import MathlmError
from mathlm.pretrain.config import LlamaShape, ModelConfig

# Keys of the HF config that must agree between a checkpoint and the model it is loaded into.
SHAPE_KEYS = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
              "num_key_value_heads", "tie_word_embeddings")


def compute_dtype(cfg: ModelConfig, device: torch.device) -> torch.dtype:
    """bf16 on GPU, fp32 on CPU unless the config names one."""
    if cfg.dtype == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    return getattr(torch, cfg.dtype)


def check_hf_checkpoint(path: Path) -> None:
    """Fail early, naming the directory, when it is not a Llama HF checkpoint with safetensors weights."""
    if not path.is_dir():
        raise MathlmError(f"model checkpoint {path} does not exist; set model.checkpoint to a local Hugging Face "
                          "directory (config.json + *.safetensors)")
    config_file = path / "config.json"
    if not config_file.is_file():
        raise MathlmError(f"model checkpoint {path} has no config.json; is it a Hugging Face model directory?")
    if not list(path.glob("*.safetensors")):
        raise MathlmError(f"model checkpoint {path} has no *.safetensors weights; convert it with save_pretrained("
                          "safe_serialization=True)")
    model_type = json.loads(config_file.read_text()).get("model_type")
    if model_type != "llama":
        raise MathlmError(f"model checkpoint {path} is a '{model_type}' model; mathlm trains Llama models")


def llama_config(cfg: ModelConfig) -> Any:
    """The HF ``LlamaConfig`` of the run: the checkpoint's, or one built from ``model.shape``; RoPE base applied."""
    from transformers import LlamaConfig

    if cfg.checkpoint is not None:
        check_hf_checkpoint(cfg.checkpoint)
        config = LlamaConfig.from_pretrained(cfg.checkpoint)
    else:
        config = _config_from_shape(cfg.shape)  # type: ignore[arg-type]
    if cfg.rope_theta is not None:
        config.rope_parameters = {**(config.rope_parameters or {}), "rope_theta": cfg.rope_theta}
    config.use_cache = False
    return config


def _config_from_shape(shape: LlamaShape) -> Any:
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=shape.vocab_size, hidden_size=shape.hidden_size, intermediate_size=shape.intermediate_size,
        num_hidden_layers=shape.num_layers, num_attention_heads=shape.num_heads,
        num_key_value_heads=shape.num_kv_heads or shape.num_heads,
        max_position_embeddings=shape.max_position_embeddings, rope_theta=shape.rope_theta,
        tie_word_embeddings=shape.tie_word_embeddings, bos_token_id=1, eos_token_id=2,
    )


def build_model(cfg: ModelConfig, device: torch.device) -> nn.Module:
    """Load or initialise the model in fp32 on ``device`` (the engine casts for compute)."""
    from transformers import LlamaForCausalLM

    config = llama_config(cfg)
    config._attn_implementation = cfg.attention
    if cfg.checkpoint is not None:
        model = LlamaForCausalLM.from_pretrained(cfg.checkpoint, config=config, dtype=torch.float32,
                                                 attn_implementation=cfg.attention)
    else:
        torch.manual_seed(cfg.init_seed)
        model = LlamaForCausalLM(config).to(torch.float32)
    if cfg.activation_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.config.use_cache = False
    return model.to(device)


def decoder_layers(model: nn.Module) -> list[nn.Module]:
    """The transformer blocks, the unit of sharding, compilation and activation checkpointing."""
    return list(model.model.layers)  # type: ignore[union-attr]


def shape_of(config: Any) -> dict[str, Any]:
    """The architecture keys of a HF config, for comparing a checkpoint with the model it is loaded into."""
    values = config if isinstance(config, dict) else config.to_dict()
    return {key: values.get(key) for key in SHAPE_KEYS}


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """(all parameters, parameters outside the token embedding): the second drives the FLOP count."""
    total = sum(p.numel() for p in model.parameters())
    embedding = model.get_input_embeddings().weight.numel()  # type: ignore[operator]
    return total, total - embedding
