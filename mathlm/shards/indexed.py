"""The Megatron / GPT-NeoX memory-mapped indexed token format: the one writer and the one reader.

A dataset is a pair of files sharing a prefix:

``PREFIX.bin``
    every document's tokens back to back, little-endian, in one dtype (uint16 when the vocabulary
    has fewer than 65,500 entries, int32 otherwise: the same rule as GPT-NeoX and megatron-core).
``PREFIX.idx``
    ``b"MMIDIDX\\x00\\x00"`` (9 bytes), version ``1`` (uint64), the dtype code (uint8, megatron's
    table: 1 uint8, 2 int8, 3 int16, 4 int32, 5 int64, 6 float64, 7 float32, 8 uint16), the number of
    sequences ``S`` (uint64), the number of document-index entries ``S + 1`` (uint64), then
    ``sizes`` (S x int32, tokens per sequence), ``pointers`` (S x int64, byte offset of each sequence
    in the .bin) and ``doc_idx`` (S + 1 x int64, ``0, 1, ..., S``: every document is one sequence).

This is byte for byte what GPT-NeoX's ``tools/datasets/preprocess_data.py`` writes and what
megatron-core's ``IndexedDataset`` reads, so shards move between mathlm, GPT-NeoX and Megatron
unchanged. The reader validates sizes before mapping anything, so a truncated or mismatched shard is
an error naming the file instead of silently wrong tokens.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType

import numpy as np

from mathlm.errors import MathlmError

INDEX_MAGIC = b"MMIDIDX\x00\x00"
INDEX_VERSION = 1
# Megatron's dtype codes (megatron.core.datasets.indexed_dataset.DType); GPT-NeoX uses the same table.
DTYPE_CODES: dict[int, np.dtype] = {
    1: np.dtype(np.uint8),
    2: np.dtype(np.int8),
    3: np.dtype(np.int16),
    4: np.dtype(np.int32),
    5: np.dtype(np.int64),
    6: np.dtype(np.float64),
    7: np.dtype(np.float32),
    8: np.dtype(np.uint16),
}
_CODE_OF = {dtype: code for code, dtype in DTYPE_CODES.items()}
# magic + version + dtype code + sequence count + document-index count
HEADER_BYTES = len(INDEX_MAGIC) + 8 + 1 + 8 + 8
# GPT-NeoX and megatron switch to int32 a little below 2**16 (their threshold, kept for compatibility).
UINT16_VOCAB_LIMIT = 65500


def token_dtype(vocab_size: int) -> np.dtype:
    """The dtype GPT-NeoX/megatron use for a vocabulary: uint16 below 65,500 entries, else int32."""
    return np.dtype(np.uint16) if vocab_size < UINT16_VOCAB_LIMIT else np.dtype(np.int32)


def idx_path(prefix: str | Path) -> Path:
    return Path(f"{prefix}.idx")


def bin_path(prefix: str | Path) -> Path:
    return Path(f"{prefix}.bin")


class IndexedDatasetWriter:
    """Write documents to ``PREFIX.bin`` / ``PREFIX.idx``; the index is written by :meth:`finalize`.

    Tokens stream to the .bin file as documents arrive; only the per-document lengths stay in memory
    (4 bytes each). Until ``finalize`` there is no .idx, so an interrupted run never leaves a shard
    that looks complete. Use as a context manager to finalize on success and remove both files on error.
    """

    def __init__(self, prefix: str | Path, dtype: np.dtype | type) -> None:
        self.prefix = Path(prefix)
        self.dtype = np.dtype(dtype)
        if self.dtype not in _CODE_OF:
            raise MathlmError(f"{self.prefix}: token dtype {self.dtype} has no Megatron dtype code")
        self.prefix.parent.mkdir(parents=True, exist_ok=True)
        self._bin = open(bin_path(self.prefix), "wb")  # noqa: SIM115 - closed in finalize/abort
        self._sizes: list[np.ndarray] = []
        self.num_tokens = 0

    def add_document(self, tokens: Sequence[int] | np.ndarray) -> None:
        """Append one document (its end-of-document token included, if the caller wants one)."""
        self.add_documents(np.asarray(tokens, dtype=self.dtype), np.array([len(tokens)], dtype=np.int64))

    def add_documents(self, flat_tokens: np.ndarray, lengths: np.ndarray) -> None:
        """Append many documents at once: their tokens concatenated and each one's length (fast path)."""
        flat = np.ascontiguousarray(flat_tokens, dtype=self.dtype)
        if int(lengths.sum()) != flat.size:
            raise ValueError(f"lengths sum to {int(lengths.sum())} but {flat.size} tokens were given")
        self._bin.write(flat.tobytes())
        self._sizes.append(lengths.astype(np.int32))
        self.num_tokens += flat.size

    def add_index(self, prefix: str | Path) -> None:
        """Append every document of an existing shard (used to merge per-task shards into one)."""
        source = IndexedDataset(prefix)
        if source.dtype != self.dtype:
            raise MathlmError(
                f"{prefix}: dtype {source.dtype} differs from the output's {self.dtype}; "
                "merge only shards made with the same tokenizer"
            )
        with open(bin_path(prefix), "rb") as stream:
            while chunk := stream.read(64 << 20):
                self._bin.write(chunk)
        self._sizes.append(np.asarray(source.sizes, dtype=np.int32))
        self.num_tokens += source.num_tokens

    def finalize(self) -> None:
        """Close the .bin and write the .idx next to it."""
        self._bin.close()
        sizes = np.concatenate(self._sizes) if self._sizes else np.zeros(0, dtype=np.int32)
        write_index(idx_path(self.prefix), self.dtype, sizes)

    def abort(self) -> None:
        """Close and delete what was written: a failed run leaves no half shard behind."""
        self._bin.close()
        bin_path(self.prefix).unlink(missing_ok=True)
        idx_path(self.prefix).unlink(missing_ok=True)

    def __enter__(self) -> IndexedDatasetWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.finalize()
        else:
            self.abort()


def write_index(path: Path, dtype: np.dtype, sizes: np.ndarray) -> None:
    """Write an .idx file for documents of the given lengths (one sequence per document)."""
    count = int(sizes.size)
    pointers = np.zeros(count, dtype=np.int64)
    if count:
        np.cumsum(sizes[:-1].astype(np.int64) * dtype.itemsize, out=pointers[1:])
    with open(path, "wb") as stream:
        stream.write(INDEX_MAGIC)
        stream.write(struct.pack("<QB", INDEX_VERSION, _CODE_OF[dtype]))
        stream.write(struct.pack("<QQ", count, count + 1))
        stream.write(sizes.astype("<i4").tobytes())
        stream.write(pointers.astype("<i8").tobytes())
        stream.write(np.arange(count + 1, dtype="<i8").tobytes())


class IndexedDataset:
    """A read-only, memory-mapped view of ``PREFIX.idx`` / ``PREFIX.bin`` with random access by document.

    Opening checks the header, the version, the dtype code, that the index is exactly as long as its
    counts say and that the .bin holds every token the index points at; any mismatch raises
    :class:`MathlmError` naming the file. ``dataset[i]`` is a zero-copy view of document ``i``;
    :meth:`tokens` reads an arbitrary flat token range (what fixed-length samples are cut from).
    """

    def __init__(self, prefix: str | Path) -> None:
        self.prefix = Path(prefix)
        self.idx_file = idx_path(self.prefix)
        self.bin_file = bin_path(self.prefix)
        for path in (self.idx_file, self.bin_file):
            if not path.is_file():
                raise MathlmError(
                    f"{path}: not found; a token shard is PREFIX.idx + PREFIX.bin "
                    "(pass the prefix, without the extension)"
                )
        self.dtype, self.sizes, self.pointers, self.doc_idx = read_index(self.idx_file)
        self.offsets = np.zeros(self.sizes.size + 1, dtype=np.int64)
        np.cumsum(self.sizes, out=self.offsets[1:])
        self.num_tokens = int(self.offsets[-1])
        self._check_pointers()
        self._check_bin_size()
        self._tokens = (
            np.memmap(self.bin_file, dtype=self.dtype, mode="r")
            if self.num_tokens
            else np.zeros(0, dtype=self.dtype)
        )

    def _check_pointers(self) -> None:
        """Pointers must be the running byte offsets of contiguous documents (what this format promises)."""
        expected = self.offsets[:-1] * self.dtype.itemsize
        if not np.array_equal(self.pointers, expected):
            bad = int(np.flatnonzero(self.pointers != expected)[0])
            raise MathlmError(
                f"{self.idx_file}: pointer of sequence {bad} is {int(self.pointers[bad])}, "
                f"expected {int(expected[bad])}; the index is corrupt, re-tokenize this shard"
            )

    def _check_bin_size(self) -> None:
        expected = self.num_tokens * self.dtype.itemsize
        actual = self.bin_file.stat().st_size
        if actual != expected:
            raise MathlmError(
                f"{self.bin_file}: {actual:,} bytes but its index {self.idx_file.name} describes "
                f"{self.num_tokens:,} {self.dtype} tokens ({expected:,} bytes); the shard is "
                "truncated or mismatched, re-tokenize it"
            )

    def __getstate__(self) -> dict[str, Path]:
        """Pickle by prefix: data-loader workers reopen the maps instead of copying the tokens."""
        return {"prefix": self.prefix}

    def __setstate__(self, state: dict[str, Path]) -> None:
        self.__init__(state["prefix"])  # type: ignore[misc]

    def __len__(self) -> int:
        return int(self.sizes.size)

    def __getitem__(self, i: int) -> np.ndarray:
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"document {i} out of range for {self.prefix} ({n} documents)")
        i %= n
        return self._tokens[self.offsets[i] : self.offsets[i + 1]]

    def __iter__(self) -> Iterator[np.ndarray]:
        for i in range(len(self)):
            yield self[i]

    def tokens(self, start: int, stop: int) -> np.ndarray:
        """Tokens ``start:stop`` of the whole shard, documents concatenated in order."""
        return self._tokens[start:stop]


def read_index(path: Path) -> tuple[np.dtype, np.ndarray, np.ndarray, np.ndarray]:
    """Parse and validate an .idx file: (dtype, sizes, pointers, doc_idx)."""
    size = path.stat().st_size
    if size < HEADER_BYTES:
        raise MathlmError(
            f"{path}: {size} bytes, shorter than the {HEADER_BYTES}-byte header; truncated index"
        )
    with open(path, "rb") as stream:
        header = stream.read(HEADER_BYTES)
    if header[: len(INDEX_MAGIC)] != INDEX_MAGIC:
        raise MathlmError(
            f"{path}: not a Megatron/GPT-NeoX index (header {header[:9]!r}, expected {INDEX_MAGIC!r})"
        )
    version, code, count, doc_count = struct.unpack("<QBQQ", header[len(INDEX_MAGIC) :])
    if version != INDEX_VERSION:
        raise MathlmError(f"{path}: index version {version}, only version {INDEX_VERSION} exists")
    if code not in DTYPE_CODES:
        raise MathlmError(f"{path}: unknown dtype code {code}; expected one of {sorted(DTYPE_CODES)}")
    expected = HEADER_BYTES + count * (4 + 8) + doc_count * 8
    if size < expected:
        raise MathlmError(
            f"{path}: {size:,} bytes but its header describes {count:,} sequences "
            f"({expected:,} bytes); the index is truncated, re-tokenize this shard"
        )
    data = np.memmap(path, dtype=np.uint8, mode="r")
    sizes = np.frombuffer(data, dtype="<i4", count=count, offset=HEADER_BYTES)
    pointers = np.frombuffer(data, dtype="<i8", count=count, offset=HEADER_BYTES + 4 * count)
    doc_idx = np.frombuffer(data, dtype="<i8", count=doc_count, offset=HEADER_BYTES + 12 * count)
    return DTYPE_CODES[code], sizes, pointers, doc_idx
