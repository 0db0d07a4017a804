"""Tiny real models for tests: random 2-layer Llama weights that speak SmolLM2's real tokenizer (fast on a
CPU, real tokenization)."""

from __future__ import annotations

import shutil
from pathlib import Path


def save_tiny_llama(path: Path, tokenizer_dir: Path, max_positions: int = 4096, seed: int = 0) -> Path:
    """Write a random 2-layer Llama checkpoint with the tokenizer files of ``tokenizer_dir`` to ``path``."""
    import torch
    from transformers import AutoConfig, LlamaConfig, LlamaForCausalLM

    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=AutoConfig.from_pretrained(tokenizer_dir).vocab_size,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=max_positions,
        bos_token_id=1,
        eos_token_id=2,
    )
    LlamaForCausalLM(config).save_pretrained(path, safe_serialization=True)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        if (tokenizer_dir / name).is_file():
            shutil.copy(tokenizer_dir / name, path / name)
    return path
