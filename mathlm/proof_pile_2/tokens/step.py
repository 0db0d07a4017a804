"""The datatrove step that tokenizes documents into one Megatron/GPT-NeoX shard per task."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.batching import batched

from mathlm.proof_pile_2.readers import AccountedJsonlReader, AccountedParquetReader, text_field
from mathlm.shards.indexed import IndexedDatasetWriter, token_dtype
from mathlm.shards.tokenizer import BatchTokenizer, encode_documents, load_tokenizer


@functools.lru_cache(maxsize=4)
def shared_tokenizer(path: str, eos_token: str | None) -> BatchTokenizer:
    """One tokenizer per process and file, so its chunk cache stays warm over every task a worker runs."""
    return load_tokenizer(path, eos_token)


def task_prefix(output_prefix: str | Path, rank: int) -> Path:
    """Where task ``rank`` writes its shard: ``PREFIX_00000`` (.bin/.idx), GPT-NeoX-style numbering."""
    return Path(f"{output_prefix}_{rank:05d}")


def text_or_skip(reader: Any, data: dict, path: str, id_in_file: int | str) -> dict:
    """Reader adapter: keep only the text; a record without a text string, or with a blank one, is dropped
    and counted by the reader (``dropped_no_text``, ``dropped_wrong_type``, ``dropped_empty``) with its
    file and line (see :func:`~mathlm.proof_pile_2.readers.text_field`).

    Empty and whitespace-only documents are dropped rather than tokenized: they would become a lone
    end-of-document token, teaching nothing while shifting every later sample boundary.
    """
    return {"text": text_field(data, reader.text_key), "id": f"{path}/{id_in_file}"}


class TextJsonlReader(AccountedJsonlReader):
    """JSONL reader for tokenization: every line is a record; bad ones (not JSON, not an object, invalid
    UTF-8, no text) are counted and logged to ``bad_records_folder`` with their line, and a truncated
    ``.gz`` keeps the lines before the cut (see :mod:`mathlm.proof_pile_2.readers`)."""

    name = "🐿 Jsonl (text only)"

    def __init__(self, data_folder: str, paths_file: str, bad_records_folder: str | None = None) -> None:
        super().__init__(
            data_folder, paths_file=paths_file, adapter=text_or_skip, bad_records_folder=bad_records_folder
        )


class TextParquetReader(AccountedParquetReader):
    """Parquet reader for tokenization, with the same accounting as :class:`TextJsonlReader` (row numbers)."""

    name = "📒 Parquet (text only)"

    def __init__(self, data_folder: str, paths_file: str, bad_records_folder: str | None = None) -> None:
        super().__init__(
            data_folder, paths_file=paths_file, adapter=text_or_skip, bad_records_folder=bad_records_folder
        )


class TokenizeToShards(PipelineStep):
    """Tokenize every document of this task into ``PREFIX_<rank>.bin/.idx``, end-of-document token appended.

    Documents are encoded in batches of ``batch_size`` with one native call each and written as one
    block per batch. A task that fails leaves no shard (the writer removes its partial .bin), so a
    re-run with datatrove's completion tracking redoes exactly the failed tasks.
    """

    name = "🔢 tokenize to Megatron shards"
    type = "🔢 - TOKENIZER"

    def __init__(
        self,
        output_prefix: str | Path,
        tokenizer: str | Path,
        eos_token: str | None = None,
        batch_size: int = 512,
    ) -> None:
        super().__init__()
        self.output_prefix = str(output_prefix)
        self.tokenizer_path = str(tokenizer)
        self.eos_token = eos_token
        self.batch_size = batch_size

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        tokenizer = shared_tokenizer(self.tokenizer_path, self.eos_token)
        with IndexedDatasetWriter(
            task_prefix(self.output_prefix, rank), token_dtype(tokenizer.vocab_size)
        ) as out:
            for batch in batched(self._usable(data), self.batch_size):
                with self.track_time(unit="batch"):
                    flat, lengths = encode_documents(tokenizer, [document.text for document in batch])
                    out.add_documents(flat, lengths)
                self.stat_update("documents", value=len(batch))
                self.stat_update("tokens", value=int(flat.size))
        return iter(())

    def _usable(self, data: DocumentsPipeline) -> Iterator[Document]:
        """Documents with text; blank ones from upstream steps are counted and dropped (see text_or_skip)."""
        for document in data or ():
            if document.text.strip():
                yield document
            else:
                self.stat_update("dropped_empty")
