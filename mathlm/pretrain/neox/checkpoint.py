"""GPT-NeoX (DeepSpeed) checkpoint folders <-> Hugging Face Llama checkpoints.

A GPT-NeoX checkpoint folder written here::

    OUT/latest                                   "global_step0" (the tag DeepSpeed loads)
    OUT/global_step0/mp_rank_XX_model_states.pt  one per tensor-parallel rank
    OUT/global_step0/layer_II-model_XX-model_states.pt
                                                 pipeline layout only: one file per layer and rank
    OUT/mathlm_hf_config.json                    the Llama config, so ``neox-to-hf`` needs no other input
    OUT/tokenizer/                               the tokenizer files, when the source had them

Two layouts, as GPT-NeoX saves them: with ``pipe_parallel_size >= 1`` (its Llama configs) DeepSpeed's
pipeline engine keeps each layer in its own file (keys without the ``sequential.I.`` prefix) and the
``mp_rank`` files hold only metadata; with ``pipe_parallel_size: 0`` the ``mp_rank`` file's ``module``
holds every ``sequential.I.*`` tensor. The tensors and their tensor-parallel split are described in
:mod:`mathlm.pretrain.neox.layout`. Checkpoints are trusted input (they are pickles, as DeepSpeed's are).

The folder is a base model for GPT-NeoX to load with ``finetune: true`` (weights only): it holds no
optimizer, scheduler or random-number states (see :mod:`mathlm.pretrain.neox.config` on resuming).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any, Literal

import torch

from mathlm.errors import MathlmError
from mathlm.pretrain.neox.layout import LlamaDims, hf_to_neox, neox_to_hf

Layout = Literal["pipeline", "sequential"]
HF_CONFIG_NAME = "mathlm_hf_config.json"
TAG = "global_step0"
_LAYER_FILE = re.compile(r"layer_(\d+)-model_(\d+)-model_states\.pt$")
_RANK_FILE = re.compile(r"mp_rank_(\d+)_model_states\.pt$")
TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "tokenizer.model",
    "chat_template.jinja",
)


def dims_of(config: Any) -> LlamaDims:
    """The conversion sizes of a HF ``LlamaConfig``."""
    return LlamaDims(
        num_layers=config.num_hidden_layers,
        hidden_size=config.hidden_size,
        num_heads=config.num_attention_heads,
        num_kv_heads=config.num_key_value_heads or config.num_attention_heads,
        intermediate_size=config.intermediate_size,
        vocab_size=config.vocab_size,
    )


def convert_hf_to_neox(
    hf_dir: Path,
    out_dir: Path,
    tp: int = 1,
    layout: Layout = "pipeline",
    dtype: torch.dtype | None = None,
) -> Path:
    """Write the HF Llama checkpoint at ``hf_dir`` as a GPT-NeoX checkpoint folder with ``tp`` ranks.

    Refuses a folder whose ``latest`` names another step: that is a run's checkpoint folder, and
    pointing its ``latest`` at the base model would send the run's next launch back to it."""
    from transformers import AutoConfig

    latest = out_dir / "latest"
    if latest.is_file() and latest.read_text(encoding="utf-8").strip() != TAG:
        raise MathlmError(
            f"{out_dir} already holds a run's checkpoints ({latest} names "
            f"{latest.read_text(encoding='utf-8').strip()}); converting the base model into it would make "
            "the next launch restart from the base model. Choose another --output."
        )
    config = AutoConfig.from_pretrained(hf_dir)
    if config.model_type != "llama":
        raise MathlmError(
            f"{hf_dir}: model_type {config.model_type!r}; only Llama checkpoints convert to GPT-NeoX"
        )
    state = _read_safetensors(hf_dir, dtype)
    shards = hf_to_neox(state, dims_of(config), tp)
    step_dir = out_dir / TAG
    step_dir.mkdir(parents=True, exist_ok=True)
    meta = _base_model_metadata(tp)
    for rank, shard in enumerate(shards):
        _write_rank(step_dir, rank, shard, layout, meta)
    latest.write_text(TAG, encoding="utf-8")
    (out_dir / HF_CONFIG_NAME).write_text(config.to_json_string(), encoding="utf-8")
    _copy_tokenizer(hf_dir, out_dir / "tokenizer")
    return out_dir


def convert_neox_to_hf(
    neox_dir: Path, out_dir: Path, hf_config: Any | None = None, dtype: torch.dtype | None = None
) -> Path:
    """Write the GPT-NeoX checkpoint at ``neox_dir`` (a folder with ``latest``, or a ``global_stepN``
    folder) as a HF ``LlamaForCausalLM`` with safetensors. ``hf_config`` defaults to the
    ``mathlm_hf_config.json`` a ``hf-to-neox`` conversion left there."""
    from transformers import LlamaConfig, LlamaForCausalLM

    step_dir = _step_dir(neox_dir)
    config = hf_config or _stored_config(neox_dir, LlamaConfig)
    state = neox_to_hf(_read_ranks(step_dir), dims_of(config))
    if config.tie_word_embeddings:  # one tensor serves both; GPT-NeoX kept a copy in final_linear
        state["lm_head.weight"] = state["model.embed_tokens.weight"]
    with torch.device("meta"):
        model = LlamaForCausalLM(config)
    model.load_state_dict(
        {k: v.to(dtype) if dtype else v for k, v in state.items()}, strict=True, assign=True
    )
    if config.tie_word_embeddings:
        model.tie_weights()
    model.save_pretrained(out_dir, safe_serialization=True)
    _copy_tokenizer(neox_dir / "tokenizer", out_dir)
    return out_dir


def _read_safetensors(hf_dir: Path, dtype: torch.dtype | None) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    files = sorted(hf_dir.glob("*.safetensors"))
    if not files:
        raise MathlmError(f"{hf_dir}: no *.safetensors files; save the model with safe_serialization=True")
    state: dict[str, torch.Tensor] = {}
    for file in files:
        state.update(load_file(file))
    return {name: tensor.to(dtype) if dtype else tensor for name, tensor in state.items()}


def _base_model_metadata(tp: int) -> dict[str, Any]:
    """The non-tensor entries of each ``mp_rank`` file that DeepSpeed reads on a weights-only load."""
    return {
        "dp_world_size": 1,
        "mp_world_size": tp,
        "iteration": 0,
        "global_steps": 0,
        "skipped_steps": 0,
        "checkpoint_version": 3.0,
        "optimizer": None,
        "lr_scheduler": None,
    }


def _write_rank(
    step_dir: Path, rank: int, shard: dict[str, torch.Tensor], layout: Layout, meta: dict[str, Any]
) -> None:
    if layout == "sequential":
        torch.save(meta | {"module": shard}, step_dir / f"mp_rank_{rank:02d}_model_states.pt")
        return
    per_layer: dict[int, dict[str, torch.Tensor]] = {}
    for key, tensor in shard.items():
        _, index, name = key.split(".", 2)
        per_layer.setdefault(int(index), {})[name] = tensor
    for index, tensors in per_layer.items():
        torch.save(tensors, step_dir / f"layer_{index:02d}-model_{rank:02d}-model_states.pt")
    torch.save(meta | {"module": None}, step_dir / f"mp_rank_{rank:02d}_model_states.pt")


def _step_dir(neox_dir: Path) -> Path:
    """The ``global_stepN`` folder: ``neox_dir`` itself, or the one its ``latest`` file names."""
    if any(neox_dir.glob("mp_rank_*_model_states.pt")):
        return neox_dir
    latest = neox_dir / "latest"
    if not latest.is_file():
        raise MathlmError(
            f"{neox_dir}: neither a global_stepN folder (mp_rank_*_model_states.pt) nor a GPT-NeoX "
            "checkpoint folder with a `latest` file"
        )
    step_dir = neox_dir / latest.read_text(encoding="utf-8").strip()
    if not step_dir.is_dir():
        raise MathlmError(f"{latest} names {step_dir.name}, which does not exist in {neox_dir}")
    return step_dir


def _read_ranks(step_dir: Path) -> list[dict[str, torch.Tensor]]:
    """Every tensor-parallel rank's ``sequential.I.*`` tensors, from either layout."""
    ranks = sorted(int(m.group(1)) for p in step_dir.iterdir() if (m := _RANK_FILE.match(p.name)))
    if ranks != list(range(len(ranks))) or not ranks:
        raise MathlmError(f"{step_dir}: tensor-parallel rank files {ranks} are not 0..N-1")
    shards: list[dict[str, torch.Tensor]] = [{} for _ in ranks]
    layer_files = [(p, _LAYER_FILE.match(p.name)) for p in step_dir.iterdir()]
    for path, match in layer_files:
        if match:
            index, rank = int(match.group(1)), int(match.group(2))
            tensors = torch.load(path, map_location="cpu", weights_only=False)
            shards[rank].update({f"sequential.{index}.{name}": t for name, t in tensors.items()})
    if not any(shards):
        for rank in ranks:
            state = torch.load(
                step_dir / f"mp_rank_{rank:02d}_model_states.pt", map_location="cpu", weights_only=False
            )
            shards[rank] = {
                k: v for k, v in (state.get("module") or {}).items() if k.startswith("sequential.")
            }
    return shards


def _stored_config(neox_dir: Path, config_class: Any) -> Any:
    for folder in (neox_dir, neox_dir.parent):
        path = folder / HF_CONFIG_NAME
        if path.is_file():
            return config_class.from_dict(json.loads(path.read_text(encoding="utf-8")))
    raise MathlmError(
        f"{neox_dir}: no {HF_CONFIG_NAME}; pass --neox-config (the GPT-NeoX YAML the model was "
        "trained with) and --tokenizer so the Llama config can be rebuilt"
    )


def _copy_tokenizer(source: Path, target: Path) -> None:
    present = [source / name for name in TOKENIZER_FILES if (source / name).is_file()]
    if present:
        target.mkdir(parents=True, exist_ok=True)
        for path in present:
            shutil.copy2(path, target / path.name)


def config_for_neox_checkpoint(
    neox_dir: Path, neox_config: Path | None, tokenizer: Path | None
) -> Any | None:
    """The Llama config of a GPT-NeoX checkpoint: None when a ``hf-to-neox`` conversion stored one there
    (and no tokenizer overrides its special tokens), else rebuilt from the GPT-NeoX YAML and the tokenizer."""
    import yaml

    from mathlm.pretrain.neox.config import llama_config_from_neox

    if neox_config is None:
        if tokenizer is None:
            return None
        from transformers import LlamaConfig

        config = _stored_config(neox_dir, LlamaConfig)
        config.vocab_size, config.bos_token_id, config.eos_token_id = tokenizer_ids(tokenizer)
        return config
    if tokenizer is None:
        raise MathlmError(
            "--neox-config needs --tokenizer too: the vocabulary size and the bos/eos ids come from it"
        )
    neox = yaml.safe_load(neox_config.read_text(encoding="utf-8"))
    return llama_config_from_neox(neox, *tokenizer_ids(tokenizer))


def tokenizer_ids(tokenizer: Path) -> tuple[int, int, int]:
    """(vocabulary size, bos id, eos id) of a sentencepiece ``.model`` or a Hugging Face tokenizer folder."""
    if tokenizer.suffix == ".model":
        import sentencepiece

        sp = sentencepiece.SentencePieceProcessor(model_file=str(tokenizer))
        return sp.get_piece_size(), sp.bos_id(), sp.eos_id()
    from transformers import AutoTokenizer

    loaded = AutoTokenizer.from_pretrained(tokenizer)
    if loaded.eos_token_id is None:
        raise MathlmError(f"{tokenizer}: the tokenizer defines no eos token")
    bos = loaded.bos_token_id if loaded.bos_token_id is not None else loaded.eos_token_id
    return len(loaded), bos, loaded.eos_token_id


def install_tokenizer(tokenizer: Path, out_dir: Path) -> None:
    """Put the tokenizer next to a converted HF model: a sentencepiece model becomes an equivalent HF
    fast tokenizer (mathlm's converter, which agrees with sentencepiece); a HF folder is copied."""
    if tokenizer.suffix == ".model":
        from mathlm.shards.tokenizer import hf_tokenizer_from_sentencepiece

        hf_tokenizer_from_sentencepiece(tokenizer, out_dir)
        shutil.copy2(tokenizer, out_dir / "tokenizer.model")
    else:
        _copy_tokenizer(tokenizer, out_dir)
