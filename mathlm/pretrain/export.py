"""``mathlm export hf``: a training checkpoint (FSDP2 or DeepSpeed) as a Hugging Face model directory.

Runs in one process without a process group: FSDP2's distributed checkpoint is read with
``no_dist=True``, DeepSpeed's ZeRO partitions are merged into fp32 weights by DeepSpeed's own reader.
The result is ``config.json`` + safetensors that ``transformers`` and vLLM load; the tokenizer files of
the model the run started from are copied along when it had them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import torch
import yaml

from mathlm.errors import MathlmError
from mathlm.pretrain import checkpoint as ckpt
from mathlm.pretrain.reshard import DEEPSPEED_TAG, deepspeed_root

TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "tokenizer.model",
    "special_tokens_map.json",
    "generation_config.json",
)


def export_hf(source: Path, output: Path, dtype: str = "float32") -> Path:
    """Write the checkpoint ``source`` (a run directory means its latest) to ``output``; returns the checkpoint."""
    from transformers import LlamaConfig, LlamaForCausalLM

    checkpoint = ckpt.resolve_checkpoint(source)
    state = ckpt.read_state(checkpoint)
    config = LlamaConfig.from_dict(ckpt.read_model_config(checkpoint))
    with torch.device("meta"):
        model = LlamaForCausalLM(config)
    weights = _read_weights(checkpoint, state.engine, model)
    model.load_state_dict(weights, strict=True, assign=True)
    if config.tie_word_embeddings:
        model.tie_weights()
    model = model.to(getattr(torch, dtype))
    if output.exists() and any(output.iterdir()):
        raise MathlmError(f"export target {output} is not empty; choose a new --output directory")
    staging = output.with_name(output.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    model.config.use_cache = True  # training turns the KV cache off; inference (HF, vLLM) wants it on
    model.save_pretrained(staging, safe_serialization=True)
    _copy_tokenizer(checkpoint, staging)
    if output.exists():
        output.rmdir()
    staging.rename(output)
    return checkpoint


def _read_weights(checkpoint: Path, engine: str, model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """fp32 weights keyed like ``model.state_dict()``."""
    expected = model.state_dict()
    tied = bool(getattr(model.config, "tie_word_embeddings", False))
    if engine == "deepspeed":
        from deepspeed.utils.zero_to_fp32 import get_fp32_state_dict_from_zero_checkpoint

        weights = get_fp32_state_dict_from_zero_checkpoint(str(deepspeed_root(checkpoint)), tag=DEEPSPEED_TAG)
    else:
        import torch.distributed.checkpoint as dcp

        weights = {name: torch.empty(t.shape, dtype=torch.float32) for name, t in expected.items()}
        # FSDP2's state dict leaves out the tied head; it is re-tied after loading.
        if tied:
            weights.pop("lm_head.weight", None)
        dcp.load({"model": weights}, checkpoint_id=str(checkpoint / "dcp"), no_dist=True)
    if tied and "lm_head.weight" not in weights:
        weights["lm_head.weight"] = weights["model.embed_tokens.weight"]
    missing = sorted(set(expected) - set(weights))
    if missing:
        raise MathlmError(
            f"checkpoint {checkpoint} lacks weights {missing[:3]}...; is it a mathlm training "
            "checkpoint of this model?"
        )
    return {name: weights[name].to(torch.float32) for name in expected}


def _copy_tokenizer(checkpoint: Path, output: Path) -> None:
    """Copy the tokenizer of the model the run started from, when the run config names one on disk."""
    run_config = checkpoint.parent.parent / "config.yaml"
    if not run_config.is_file():
        return
    source = (yaml.safe_load(run_config.read_text()) or {}).get("model", {}).get("checkpoint")
    if not source:
        return
    for name in TOKENIZER_FILES:
        if (Path(source) / name).is_file() and not (output / name).exists():
            shutil.copy2(Path(source) / name, output / name)
