"""Fixtures of the evaluation tests: a tiny random Llama that speaks SmolLM2's real tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.tiny_models import save_tiny_llama


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory, smollm2_checkpoint: Path) -> Path:
    """Random 2-layer Llama weights with SmolLM2's tokenizer files: a real model, fast on a CPU."""
    return save_tiny_llama(tmp_path_factory.mktemp("tiny_llama"), smollm2_checkpoint)
