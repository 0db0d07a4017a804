"""The blended training mixture: exact proportions, determinism, resume without replay, planning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mathlm.assets import CONFIGS_DIR
from mathlm.config import ConfigError, load_config
from mathlm.errors import MathlmError
from mathlm.shards.indexed import IndexedDataset, IndexedDatasetWriter
from mathlm.shards.mixture import BlendedDataset, MixtureConfig, TokenWindows, load_mixture, plan_mixture

PROOF_PILE_2 = {
    "arxiv": 0.271,
    "open-web-math": 0.543,
    "algebraic-stack": 0.136,
    "pile": 0.02,
    "redpajama-github": 0.03,
}
SEQ_LEN = 16


def _shard(prefix: Path, marker: int, num_docs: int, seed: int) -> IndexedDataset:
    """Documents of tokens ``marker * 10**6 + position``: a sample's tokens tell its source and place."""
    rng = np.random.default_rng(seed)
    position = 0
    with IndexedDatasetWriter(prefix, np.int32) as writer:
        for _ in range(num_docs):
            length = int(rng.integers(5, 60))
            writer.add_document(marker * 10**6 + np.arange(position, position + length))
            position += length
    return IndexedDataset(prefix)


@pytest.fixture(scope="module")
def proof_pile_2_like(tmp_path_factory: pytest.TempPathFactory) -> MixtureConfig:
    """The real Proof-Pile-2 mixture config, pointed at small shards of very different sizes."""
    root = tmp_path_factory.mktemp("tokens")
    for marker, name in enumerate(PROOF_PILE_2):
        for part in range(2):
            _shard(root / f"{name}_{part:05d}", marker, num_docs=40 + 150 * marker, seed=marker * 10 + part)
    cfg = load_mixture(CONFIGS_DIR / "data" / "proof_pile_2_mixture.yaml", overrides=[f"root={root}"])
    return cfg.model_copy(
        update={"sources": [s.model_copy(update={"paths": [f"{s.name}_*"]}) for s in cfg.sources]}
    )


def test_published_weights_are_the_llemma_proportions() -> None:
    cfg = load_mixture(CONFIGS_DIR / "data" / "proof_pile_2_mixture.yaml")
    assert cfg.proportions() == pytest.approx(PROOF_PILE_2)
    web, arxiv, code = (cfg.proportions()[k] for k in ("open-web-math", "arxiv", "algebraic-stack"))
    assert web / arxiv == pytest.approx(2, rel=0.01) and arxiv / code == pytest.approx(2, rel=0.01)


def test_proportions_over_1e5_samples_are_exact(proof_pile_2_like: MixtureConfig) -> None:
    data = BlendedDataset.from_config(proof_pile_2_like, seq_len=SEQ_LEN, num_samples=100_000, seed=3)
    realised = {row["source"]: row["realised"] for row in data.report()}
    for name, weight in PROOF_PILE_2.items():
        assert abs(realised[name] - weight) < 0.01 * weight
    # Each sample's tokens come from the source the schedule names (the marker token).
    markers = {name: i for i, name in enumerate(PROOF_PILE_2)}
    for k in range(0, 100_000, 997):
        sample = data[k]
        assert sample.dtype == np.int64 and sample.shape == (SEQ_LEN + 1,)
        assert set((sample // 10**6).tolist()) == {markers[data.source_of(k)]}


def test_resume_at_k_equals_the_uninterrupted_run(proof_pile_2_like: MixtureConfig) -> None:
    full = BlendedDataset.from_config(proof_pile_2_like, seq_len=SEQ_LEN, num_samples=5_000, seed=7)
    uninterrupted = [full[k] for k in range(5_000)]
    resumed = BlendedDataset.from_config(proof_pile_2_like, seq_len=SEQ_LEN, num_samples=5_000, seed=7)
    k = 3_217
    assert all(np.array_equal(resumed[i], uninterrupted[i]) for i in range(k, 5_000))
    other_seed = BlendedDataset.from_config(proof_pile_2_like, seq_len=SEQ_LEN, num_samples=5_000, seed=8)
    assert any(not np.array_equal(other_seed[i], uninterrupted[i]) for i in range(100))


def test_every_window_is_visited_once_per_epoch(tmp_path: Path) -> None:
    """A source's token stream (documents concatenated across shards) is covered window by window."""
    with IndexedDatasetWriter(tmp_path / "a", np.int32) as writer:
        writer.add_document(np.arange(0, 50))
    with IndexedDatasetWriter(tmp_path / "b", np.int32) as writer:
        writer.add_document(np.arange(50, 81))
        writer.add_document(np.arange(81, 101))
    shards = [IndexedDataset(tmp_path / "a"), IndexedDataset(tmp_path / "b")]
    windows = TokenWindows("only", shards, seq_len=10)
    assert len(windows) == 10 and windows[4].tolist() == list(range(40, 51))  # crosses the shard boundary
    with pytest.raises(IndexError):
        windows[10]
    data = BlendedDataset([("only", shards, 1.0)], seq_len=10, num_samples=20, seed=0)
    epoch_one = sorted(int(data[k][0]) for k in range(10))
    assert epoch_one == list(range(0, 100, 10))
    assert all(np.array_equal(data[k], np.arange(data[k][0], data[k][0] + 11)) for k in range(20))
    assert data.report()[0]["epochs"] == pytest.approx(2.0)


def test_plan_uses_declared_sizes_before_shards_exist() -> None:
    cfg = load_mixture(CONFIGS_DIR / "data" / "proof_pile_2_mixture.yaml", overrides=["root=/nonexistent"])
    rows = {row["source"]: row for row in plan_mixture(cfg, 55e9, seq_len=4096)}
    assert rows["open-web-math"]["epochs"] == pytest.approx(0.543 * 55 / 15, rel=1e-3)
    assert rows["arxiv"]["realised"] == pytest.approx(0.271, abs=1e-6)


def test_bad_configs_and_sources_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "m.yaml"
    bad.write_text("sources:\n  - {name: a, weight: 0, paths: [x]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"m\.yaml:2.*weight"):
        load_config(bad, MixtureConfig)
    _shard(tmp_path / "tiny", 0, num_docs=1, seed=0)
    with pytest.raises(MathlmError, match="source 'tiny' has .* tokens"):
        BlendedDataset(
            [("tiny", [IndexedDataset(tmp_path / "tiny")], 1.0)], seq_len=4096, num_samples=1, seed=0
        )
    cfg = MixtureConfig(root=str(tmp_path), sources=[{"name": "gone", "weight": 1, "paths": ["missing"]}])
    with pytest.raises(MathlmError, match="missing.idx"):
        plan_mixture(cfg, 1e6, seq_len=128)
