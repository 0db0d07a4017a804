"""Fixtures of the inference tests: a tiny random Llama with SmolLM2's real tokenizer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.tiny_models import save_tiny_llama


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory, smollm2_checkpoint: Path) -> Path:
    return save_tiny_llama(tmp_path_factory.mktemp("inference_tiny_llama"), smollm2_checkpoint)
