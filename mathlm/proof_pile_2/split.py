"""Train/validation/test split by a stable hash of the document id (Proof-Pile-2: 99% / 0.5% / 0.5%).

The split of a document depends only on its id (an arXiv paper id, a URL, a repository path): the
first 8 bytes of SHA-256 of the UTF-8 id, read as a big-endian integer and scaled to [0, 1), fall in
``[0, validation)`` -> validation, ``[validation, validation + test)`` -> test, the rest -> train. So
the same paper lands in the same split on every run, on any machine, with any number of tasks, and a
paper that appears in two snapshots of arXiv cannot leak from train into test.
"""

from __future__ import annotations

import hashlib

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep

SPLITS = ("train", "validation", "test")


def split_of(doc_id: str, validation: float = 0.005, test: float = 0.005) -> str:
    """The split ``doc_id`` belongs to, given the validation and test fractions."""
    digest = hashlib.sha256(doc_id.encode("utf-8")).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    if position < validation:
        return "validation"
    if position < validation + test:
        return "test"
    return "train"


class AssignSplit(PipelineStep):
    """Sets ``metadata["split"]`` of every document from its id (:func:`split_of`); counts each split."""

    type = "🔀 - SPLIT"
    name = "🔀 train/validation/test by id hash"

    def __init__(self, validation: float = 0.005, test: float = 0.005) -> None:
        super().__init__()
        if validation < 0 or test < 0 or validation + test >= 1:
            raise ValueError(
                f"split fractions must be >= 0 and leave room for train, got {validation=} {test=}"
            )
        self.validation = validation
        self.test = test

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        for doc in data:
            split = split_of(doc.id, self.validation, self.test)
            doc.metadata["split"] = split
            self.stat_update(split)
            yield doc
