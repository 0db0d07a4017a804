"""The indexed token format: what we write is what megatron-core reads, and damaged shards are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mathlm.errors import MathlmError
from mathlm.shards.indexed import IndexedDataset, IndexedDatasetWriter, token_dtype


def _documents(seed: int, count: int, vocab: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, vocab, size=int(rng.integers(1, 300))) for _ in range(count)]


def _write(prefix: Path, docs: list[np.ndarray], vocab: int) -> None:
    with IndexedDatasetWriter(prefix, token_dtype(vocab)) as writer:
        for doc in docs:
            writer.add_document(doc)


@pytest.mark.parametrize("vocab", [32016, 128256])
def test_megatron_core_reads_our_shards(tmp_path: Path, vocab: int) -> None:
    from megatron.core.datasets.indexed_dataset import IndexedDataset as MegatronIndexedDataset

    docs = _documents(0, 257, vocab)
    _write(tmp_path / "shard", docs, vocab)
    theirs = MegatronIndexedDataset(str(tmp_path / "shard"), multimodal=False, mmap=True)
    assert theirs.index.dtype == (np.uint16 if vocab < 65500 else np.int32)
    assert len(theirs) == len(docs)
    assert list(theirs.document_indices) == list(range(len(docs) + 1))
    for i, doc in enumerate(docs):
        assert np.array_equal(theirs[i], doc)


def test_bytes_equal_megatron_core_builder(tmp_path: Path) -> None:
    import torch
    from megatron.core.datasets.indexed_dataset import IndexedDatasetBuilder

    docs = _documents(6, 40, 32016)
    _write(tmp_path / "ours", docs, 32016)
    builder = IndexedDatasetBuilder(str(tmp_path / "theirs.bin"), dtype=np.uint16)
    for doc in docs:
        builder.add_item(torch.from_numpy(doc.astype(np.int64)))
        builder.end_document()
    builder.finalize(str(tmp_path / "theirs.idx"))
    for ext in ("idx", "bin"):
        assert (tmp_path / f"ours.{ext}").read_bytes() == (tmp_path / f"theirs.{ext}").read_bytes()


def test_reader_round_trip_and_batch_writes_match_single_writes(tmp_path: Path) -> None:
    docs = _documents(1, 50, 32016)
    _write(tmp_path / "one", docs, 32016)
    with IndexedDatasetWriter(tmp_path / "many", np.uint16) as writer:
        writer.add_documents(np.concatenate(docs), np.array([len(d) for d in docs]))
    for name in ("one", "many"):
        assert (tmp_path / f"{name}.idx").read_bytes() == (tmp_path / "one.idx").read_bytes()
        assert (tmp_path / f"{name}.bin").read_bytes() == (tmp_path / "one.bin").read_bytes()
    ours = IndexedDataset(tmp_path / "one")
    assert len(ours) == 50 and ours.num_tokens == sum(len(d) for d in docs)
    assert all(np.array_equal(ours[i], d) for i, d in enumerate(docs))
    assert np.array_equal(ours.tokens(0, ours.num_tokens), np.concatenate(docs))


def test_merging_shards_concatenates_documents(tmp_path: Path) -> None:
    first, second = _documents(2, 10, 1000), _documents(3, 7, 1000)
    _write(tmp_path / "a", first, 1000)
    _write(tmp_path / "b", second, 1000)
    with IndexedDatasetWriter(tmp_path / "ab", np.uint16) as writer:
        writer.add_index(tmp_path / "a")
        writer.add_index(tmp_path / "b")
    merged = IndexedDataset(tmp_path / "ab")
    assert [m.tolist() for m in merged] == [d.tolist() for d in first + second]


@pytest.mark.parametrize(
    ("suffix", "keep", "message"),
    [
        ("idx", -5, r"s\.idx.*truncated"),  # arrays cut short
        ("idx", 10, r"s\.idx.*truncated"),  # header cut short
        ("bin", -2, r"s\.bin.*truncated or mismatched"),
        ("bin", None, r"s\.bin.*truncated or mismatched"),  # longer than the index says (appended garbage)
    ],
)
def test_damaged_shard_is_an_error_naming_the_file(
    tmp_path: Path, suffix: str, keep: int | None, message: str
) -> None:
    _write(tmp_path / "s", _documents(4, 20, 1000), 1000)
    path = tmp_path / f"s.{suffix}"
    data = path.read_bytes()
    path.write_bytes(data[:keep] if keep is not None else data + b"\x00\x01")
    with pytest.raises(MathlmError, match=message):
        IndexedDataset(tmp_path / "s")


def test_failed_write_leaves_no_shard(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), IndexedDatasetWriter(tmp_path / "s", np.uint16) as writer:
        writer.add_document([1, 2, 3])
        raise RuntimeError("tokenizer crashed")
    assert not list(tmp_path.iterdir())
