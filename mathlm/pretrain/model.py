"""The model: a Hugging Face ``LlamaForCausalLM`` loaded from a local directory or initialised at random.

Keeping the Hugging Face module (rather than a project re-implementation) means a checkpoint's weight
names are the released ones, export is a ``save_pretrained`` and vLLM loads the result unchanged.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import torch
from torch import nn

from mathlm.errors import MathlmError
from mathlm.pretrain.config import LlamaShape, ModelConfig

# Keys of the HF config that must agree between a checkpoint and the model it is loaded into.
SHAPE_KEYS = (
    "vocab_size",
    "hidden_size",
    "intermediate_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "tie_word_embeddings",
)


def compute_dtype(cfg: ModelConfig, device: torch.device) -> torch.dtype:
    """bf16 on GPU, fp32 on CPU unless the config names one."""
    if cfg.dtype == "auto":
        return torch.bfloat16 if device.type == "cuda" else torch.float32
    return getattr(torch, cfg.dtype)


def check_hf_checkpoint(path: Path) -> None:
    """Fail early, naming the directory, when it is not a Llama HF checkpoint with safetensors weights."""
    if not path.is_dir():
        raise MathlmError(
            f"model checkpoint {path} does not exist; set model.checkpoint to a local Hugging Face "
            "directory (config.json + *.safetensors)"
        )
    config_file = path / "config.json"
    if not config_file.is_file():
        raise MathlmError(
            f"model checkpoint {path} has no config.json; is it a Hugging Face model directory?"
        )
    if not list(path.glob("*.safetensors")):
        raise MathlmError(
            f"model checkpoint {path} has no *.safetensors weights; convert it with save_pretrained("
            "safe_serialization=True)"
        )
    model_type = json.loads(config_file.read_text()).get("model_type")
    if model_type != "llama":
        raise MathlmError(f"model checkpoint {path} is a '{model_type}' model; mathlm trains Llama models")


def llama_config(cfg: ModelConfig, prefer_shape: bool = False) -> Any:
    """The HF ``LlamaConfig`` of the run: the checkpoint's, or one built from ``model.shape``; RoPE base applied.

    With both, the checkpoint must have the pinned shape; ``prefer_shape`` skips reading the checkpoint
    (planning on a machine that does not hold it).
    """
    from transformers import LlamaConfig

    if cfg.checkpoint is not None and not (prefer_shape and cfg.shape is not None):
        check_hf_checkpoint(cfg.checkpoint)
        config = LlamaConfig.from_pretrained(cfg.checkpoint)
        if cfg.shape is not None:
            pinned, actual = shape_of(_config_from_shape(cfg.shape)), shape_of(config)
            diff = {k: (pinned[k], actual[k]) for k in pinned if pinned[k] != actual[k]}
            if diff:
                raise MathlmError(
                    f"model checkpoint {cfg.checkpoint} does not have the shape model.shape pins "
                    f"(key: (shape, checkpoint)): {diff}"
                )
    else:
        config = _config_from_shape(cfg.shape)  # type: ignore[arg-type]
    if cfg.rope_theta is not None:
        config.rope_parameters = {**(config.rope_parameters or {}), "rope_theta": cfg.rope_theta}
    config.use_cache = False
    return config


def _config_from_shape(shape: LlamaShape) -> Any:
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=shape.vocab_size,
        hidden_size=shape.hidden_size,
        intermediate_size=shape.intermediate_size,
        num_hidden_layers=shape.num_layers,
        num_attention_heads=shape.num_heads,
        num_key_value_heads=shape.num_kv_heads or shape.num_heads,
        max_position_embeddings=shape.max_position_embeddings,
        rope_theta=shape.rope_theta,
        tie_word_embeddings=shape.tie_word_embeddings,
        bos_token_id=1,
        eos_token_id=2,
    )


def build_model(cfg: ModelConfig) -> nn.Module:
    """The model's structure on the meta device: no memory, no weights read yet.

    Engines shard it first and then :func:`materialize` it, so each rank only ever allocates its own
    shards (a 34B model never exists whole on one host or GPU).
    """
    from transformers import LlamaForCausalLM

    config = llama_config(cfg)
    config._attn_implementation = cfg.attention
    with torch.device("meta"):
        model = LlamaForCausalLM(config)
    if cfg.activation_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    model.config.use_cache = False
    return model


def weight_source(cfg: ModelConfig) -> WeightSource:
    """Where initial weights come from: the checkpoint's safetensors, or the seeded random init."""
    if cfg.checkpoint is not None:
        return SafetensorsWeights(cfg.checkpoint)
    return RandomWeights(cfg.init_seed, llama_config(cfg).initializer_range)


def materialize(model: nn.Module, source: WeightSource, device: torch.device) -> None:
    """Allocate a (possibly sharded) meta-device model on ``device`` and fill it from ``source``.

    A parameter that is a DTensor (FSDP2 and/or TP shard) receives only this rank's slice, read as
    such from the source; a plain parameter receives the whole tensor. Buffers that are not saved in
    checkpoints (RoPE frequencies) are recomputed.
    """
    model.to_empty(device=device)
    with torch.no_grad():
        for name, param in model.named_parameters():
            local, slices = local_part(param)
            local.copy_(source.read(name, tuple(param.shape), slices))
        recompute_rope_buffers(model, device)


def local_part(param: torch.Tensor) -> tuple[torch.Tensor, tuple[slice, ...]]:
    """This rank's tensor of ``param`` and where it sits in the global tensor."""
    from torch.distributed.tensor import DTensor
    from torch.distributed.tensor._utils import compute_local_shape_and_global_offset

    if isinstance(param, DTensor):
        shape, offset = compute_local_shape_and_global_offset(
            param.shape, param.device_mesh, param.placements
        )
        return param.to_local(), tuple(slice(o, o + n) for o, n in zip(offset, shape, strict=True))
    return param.data, tuple(slice(0, n) for n in param.shape)


def recompute_rope_buffers(model: nn.Module, device: torch.device) -> None:
    """Recompute the RoPE frequencies in fp32: they are not in checkpoints, a meta-device model has none, and
    ``deepspeed.zero.Init`` creates them in bf16 (a 2e-4 error in the angles, visible in the loss)."""
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

    for module in model.modules():
        if isinstance(module, LlamaRotaryEmbedding):
            fresh = LlamaRotaryEmbedding(module.config)
            for name, buffer in fresh.named_buffers(recurse=False):
                module.register_buffer(name, buffer.to(device), persistent=False)


class WeightSource:
    """Initial weights by parameter name, read slice by slice (a rank reads only what it holds)."""

    def read(self, name: str, shape: tuple[int, ...], slices: tuple[slice, ...]) -> torch.Tensor:
        """The fp32 values of ``name[slices]``; ``shape`` is the parameter's global shape."""
        raise NotImplementedError


class SafetensorsWeights(WeightSource):
    """A Hugging Face checkpoint's ``*.safetensors`` files, read lazily: only the requested slice of a
    tensor leaves the file (safetensors slices memory-mapped data without loading the rest)."""

    def __init__(self, directory: Path) -> None:
        from safetensors import safe_open

        self.directory = directory
        index = directory / "model.safetensors.index.json"
        if index.is_file():
            weight_map = json.loads(index.read_text())["weight_map"]
            self.files = {name: directory / file for name, file in weight_map.items()}
        else:
            self.files = {}
            for file in sorted(directory.glob("*.safetensors")):
                with safe_open(str(file), framework="pt") as handle:
                    self.files.update({name: file for name in handle.keys()})  # noqa: SIM118 (not a dict)
        self._open: dict[Path, Any] = {}

    def read(self, name: str, shape: tuple[int, ...], slices: tuple[slice, ...]) -> torch.Tensor:
        from safetensors import safe_open

        file = self.files.get(name)
        if file is None:
            raise MathlmError(
                f"model checkpoint {self.directory} has no tensor {name}; is it a Llama checkpoint of "
                "the configured shape?"
            )
        if file not in self._open:
            self._open[file] = safe_open(str(file), framework="pt")
        tensor = self._open[file].get_slice(name)
        if tuple(tensor.get_shape()) != shape:
            raise MathlmError(
                f"{file}: tensor {name} has shape {tuple(tensor.get_shape())}, the model expects {shape}"
            )
        return tensor[slices].to(torch.float32)


class RandomWeights(WeightSource):
    """Hugging Face's Llama initialisation (normal(0, initializer_range), norms at 1), seeded per tensor
    by name, so every parallel layout starts from exactly the same weights."""

    def __init__(self, seed: int, std: float) -> None:
        self.seed = seed
        self.std = std

    def read(self, name: str, shape: tuple[int, ...], slices: tuple[slice, ...]) -> torch.Tensor:
        if name.endswith("norm.weight"):
            return torch.ones(shape)[slices]
        generator = torch.Generator().manual_seed(self.seed * 1_000_003 + zlib.crc32(name.encode()))
        return torch.normal(0.0, self.std, shape, generator=generator)[slices]


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
