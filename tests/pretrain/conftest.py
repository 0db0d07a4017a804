"""Fixtures of the trainer's tests: learnable token shards, a tiny random Llama checkpoint, run configs
(their helpers are in ``tests/support/pretrain.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mathlm.config import load_config
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.distributed import LAUNCH_VARIABLES, free_port
from tests.support.pretrain import TINY_CONFIG, VOCAB, tiny_overrides, write_shard


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data root with ``train`` and ``heldout`` shards, as tiny.yaml's mixtures expect."""
    root = tmp_path_factory.mktemp("tiny_data")
    write_shard(root / "train", num_docs=300, seed=0)
    write_shard(root / "heldout", num_docs=20, seed=1)
    return root


@pytest.fixture(scope="session")
def tiny_hf_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random tiny Llama saved as a Hugging Face directory (safetensors), the shape of tiny.yaml."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    path = tmp_path_factory.mktemp("tiny_hf")
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=VOCAB,
        hidden_size=64,
        intermediate_size=176,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        rope_theta=1_000_000.0,
    )
    LlamaForCausalLM(config).save_pretrained(path, safe_serialization=True)
    return path


@pytest.fixture
def single_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment torchrun gives a world of one, on a fresh loopback port (for in-process runs)."""
    for name, value in zip(LAUNCH_VARIABLES, ("0", "1", "0", "127.0.0.1", str(free_port())), strict=True):
        monkeypatch.setenv(name, value)


@pytest.fixture
def tiny_config(tmp_path: Path, tiny_data: Path) -> Callable[..., TrainConfig]:
    """``make(*overrides)``: tiny.yaml with its data root and run directory pointed into the test's tmp dir."""

    def make(*overrides: str) -> TrainConfig:
        return load_config(TINY_CONFIG, TrainConfig, [*tiny_overrides(tmp_path, tiny_data), *overrides])

    return make


@pytest.fixture
def no_launch_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Subprocesses start from a clean launch environment (torchrun sets its own)."""
    for name in LAUNCH_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    yield
