"""Exact deduplication of 2,048-character chunks, as AlgebraicStack did for the files it fetched from GitHub.

Definition. A document's chunks are its consecutive, non-overlapping 2,048-character slices that are
complete (``text[0:2048]``, ``text[2048:4096]``, ...; a shorter tail is not a chunk), or the whole
text when it is shorter than 2,048 characters. Documents are ordered by (task, position in the
task's input). **A document is a duplicate when one of its chunks is also a chunk of an earlier
document**; duplicates are dropped whole and the earliest copy is kept. A chunk repeated inside one
document does not make it a duplicate of itself. Chunks are compared by 64-bit BLAKE2b hashes.

Why chunks and not whole files: vendored copies of a library differ in a header line or a few
added lemmas, and a single shared 2,048-character block is already strong evidence of a copy.

Three stages, so it runs on any number of tasks:

1. :class:`ChunkDedupSignature` (inside the filtering stage, just before its writer): records
   ``(chunk hash, document position)`` per task, split into hash buckets;
2. :class:`ChunkDedupFinder` (one task per bucket): sorts all records of its bucket and marks every
   document whose chunk appeared in an earlier one;
3. :class:`ChunkDedupFilter` (reading the filtering stage's output, same task count as stage 1):
   drops the marked documents (``dropped_duplicate_chunk``).
"""

from __future__ import annotations

import hashlib

import numpy as np
from datatrove.data import DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.base import PipelineStep

CHUNK_CHARS = 2048
SIGNATURE_DTYPE = np.dtype([("hash", "<u8"), ("doc", "<u4")])
_RECORD_DTYPE = np.dtype([("hash", "<u8"), ("task", "<u4"), ("doc", "<u4")])
_DUPLICATE_DTYPE = np.dtype("<u4")


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """The complete ``size``-character chunks of ``text``, or ``[text]`` when it is shorter than ``size``."""
    if len(text) < size:
        return [text] if text else []
    return [text[start : start + size] for start in range(0, len(text) - size + 1, size)]


def chunk_hashes(text: str, size: int = CHUNK_CHARS) -> list[int]:
    """Distinct 64-bit hashes of the chunks of ``text``, in first-seen order."""
    seen: dict[int, None] = {}
    for chunk in chunks(text, size):
        digest = hashlib.blake2b(chunk.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        seen.setdefault(int.from_bytes(digest, "little"), None)
    return list(seen)


def _bucket_of(hashes: np.ndarray, buckets: int) -> np.ndarray:
    return (hashes % np.uint64(buckets)).astype(np.int64)


class ChunkDedupSignature(PipelineStep):
    """Passes documents through unchanged and records their chunk hashes in ``FOLDER/<bucket>/<task>.sig``."""

    type = "🫂 - DEDUP"
    name = "🧩 chunk dedup 1: signatures"

    def __init__(
        self, output_folder: DataFolderLike, buckets: int = 1, chunk_chars: int = CHUNK_CHARS
    ) -> None:
        super().__init__()
        if buckets < 1:
            raise ValueError(f"buckets must be >= 1, got {buckets}")
        self.output_folder = get_datafolder(output_folder)
        self.buckets = buckets
        self.chunk_chars = chunk_chars

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        hashes: list[int] = []
        positions: list[int] = []
        for position, doc in enumerate(data or ()):
            doc_hashes = chunk_hashes(doc.text, self.chunk_chars)
            hashes.extend(doc_hashes)
            positions.extend([position] * len(doc_hashes))
            self.stat_update("chunks", value=len(doc_hashes))
            yield doc
        records = np.empty(len(hashes), dtype=SIGNATURE_DTYPE)
        records["hash"] = np.array(hashes, dtype=np.uint64)
        records["doc"] = np.array(positions, dtype=np.uint32)
        bucket_ids = _bucket_of(records["hash"], self.buckets)
        for bucket in range(self.buckets):
            with self.output_folder.open(f"{bucket:04d}/{rank:05d}.sig", "wb") as handle:
                handle.write(records[bucket_ids == bucket].tobytes())


class ChunkDedupFinder(PipelineStep):
    """Task ``b`` reads bucket ``b`` of every task's signatures and writes, per task, the positions of its
    duplicate documents to ``OUTPUT/<b>/<task>.dup``. Run with as many tasks as there are buckets."""

    type = "🫂 - DEDUP"
    name = "🧩 chunk dedup 2: find duplicates"

    def __init__(self, signatures_folder: DataFolderLike, output_folder: DataFolderLike) -> None:
        super().__init__()
        self.signatures_folder = get_datafolder(signatures_folder)
        self.output_folder = get_datafolder(output_folder)

    def _load_bucket(self, bucket: int) -> np.ndarray:
        parts = []
        for name in self.signatures_folder.list_files(subdirectory=f"{bucket:04d}", glob_pattern="*.sig"):
            task = int(name.rsplit("/", 1)[-1].removesuffix(".sig"))
            with self.signatures_folder.open(name, "rb") as handle:
                signatures = np.frombuffer(handle.read(), dtype=SIGNATURE_DTYPE)
            part = np.empty(len(signatures), dtype=_RECORD_DTYPE)
            part["hash"], part["doc"], part["task"] = signatures["hash"], signatures["doc"], task
            parts.append(part)
        return np.concatenate(parts) if parts else np.empty(0, dtype=_RECORD_DTYPE)

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        records = self._load_bucket(rank)
        records = records[np.lexsort((records["doc"], records["task"], records["hash"]))]
        later_copy = np.zeros(len(records), dtype=bool)
        later_copy[1:] = records["hash"][1:] == records["hash"][:-1]
        duplicates = records[later_copy]
        self.stat_update("chunks", value=len(records))
        self.stat_update("duplicate_chunks", value=len(duplicates))
        for task in np.unique(duplicates["task"]):
            positions = np.unique(duplicates["doc"][duplicates["task"] == task]).astype(_DUPLICATE_DTYPE)
            with self.output_folder.open(f"{rank:04d}/{int(task):05d}.dup", "wb") as handle:
                handle.write(positions.tobytes())
        if data:
            yield from data


class ChunkDedupFilter(PipelineStep):
    """Drops the documents the finder marked for this task (``dropped_duplicate_chunk``)."""

    type = "🫂 - DEDUP"
    name = "🧩 chunk dedup 3: drop duplicates"

    def __init__(self, duplicates_folder: DataFolderLike) -> None:
        super().__init__()
        self.duplicates_folder = get_datafolder(duplicates_folder)

    def _duplicates_of(self, rank: int) -> set[int]:
        positions: set[int] = set()
        for name in self.duplicates_folder.list_files(glob_pattern=f"*/{rank:05d}.dup"):
            with self.duplicates_folder.open(name, "rb") as handle:
                positions.update(np.frombuffer(handle.read(), dtype=_DUPLICATE_DTYPE).tolist())
        return positions

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        duplicates = self._duplicates_of(rank)
        for position, doc in enumerate(data or ()):
            self.stat_update("total")
            if position in duplicates:
                self.stat_update("dropped", "dropped_duplicate_chunk")
                continue
            self.stat_update("forwarded")
            yield doc
