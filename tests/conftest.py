"""Fixtures shared by the whole suite. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import os

# Tests never reach outside the machine: libraries that would try a hub use local files only.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# `tests.support.slurm_cluster`: a real local Slurm cluster for the session;
# `tests.support.tokenizers`: real tokenizers (a Llama-style sentencepiece model, SmolLM2's).
pytest_plugins = ["tests.support.slurm_cluster", "tests.support.tokenizers"]
