"""The datatrove step that tokenizes documents into one Megatron/GPT-NeoX shard per task."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.readers import JsonlReader
from datatrove.utils.batching import batched

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
    """Reader adapter: keep only the text; count records without a text string or with a blank one.

    Empty and whitespace-only documents are skipped rather than tokenized: they would become a lone
    end-of-document token, teaching nothing while shifting every later sample boundary. The counts
    (``skipped_no_text``, ``skipped_empty``) appear in the step's stats and the command's summary.
    """
    text = data.get(reader.text_key)
    if not isinstance(text, str):
        reader.stat_update("skipped_no_text")
        return {}
    if not text.strip():
        reader.stat_update("skipped_empty")
        return {}
    return {"text": text, "id": f"{path}/{id_in_file}"}


class TextJsonlReader(JsonlReader):
    """JSONL reader for tokenization: a line that is not a JSON object is counted (``skipped_malformed``)
    and skipped instead of ending the file (datatrove's reader logs and moves on without counting, and
    stops the task on a line holding a JSON array or number)."""

    name = "🐿 Jsonl (text only)"

    def __init__(self, data_folder: str, paths_file: str) -> None:
        super().__init__(data_folder, paths_file=paths_file, adapter=text_or_skip)

    def read_file(self, filepath: str) -> DocumentsPipeline:
        import orjson

        with self.data_folder.open(filepath, "r", compression=self.compression) as stream:
            for line_number, line in enumerate(stream):
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError:
                    record = None
                if not isinstance(record, dict):
                    self.stat_update("skipped_malformed")
                    continue
                document = self.get_document_from_dict(record, filepath, line_number)
                if document:
                    yield document


class TokenizeToShards(PipelineStep):
    """Tokenize every document of this task into ``PREFIX_<rank>.bin/.idx``, end-of-document token appended.

    Documents are encoded in batches of ``batch_size`` with one native call each and written as one
    block per batch. A task that fails leaves no shard (the writer removes its partial .bin), so a
    re-run with datatrove's completion tracking redoes exactly the failed tasks.
    """

    name = "🔢 tokenize to Megatron shards"
    type = "🔢 - TOKENIZER"

    def __init__(self, output_prefix: str | Path, tokenizer: str | Path, eos_token: str | None = None,
                 batch_size: int = 512) -> None:
        super().__init__()
        self.output_prefix = str(output_prefix)
        self.tokenizer_path = str(tokenizer)
        self.eos_token = eos_token
        self.batch_size = batch_size

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        tokenizer = shared_tokenizer(self.tokenizer_path, self.eos_token)
        with IndexedDatasetWriter(task_prefix(self.output_prefix, rank), token_dtype(tokenizer.vocab_size)) as out:
            for batch in batched(self._usable(data), self.batch_size):
                with self.track_time(unit="batch"):
                    flat, lengths = encode_documents(tokenizer, [document.text for document in batch])
                    out.add_documents(flat, lengths)
                self.stat_update("documents", value=len(batch))
                self.stat_update("tokens", value=int(flat.size))
        return iter(())

    def _usable(self, data: DocumentsPipeline) -> Iterator[Document]:
        """Documents with text; blank ones from upstream steps are counted and skipped (see text_or_skip)."""
        for document in data or ():
            if document.text.strip():
                yield document
            else:
                self.stat_update("skipped_empty")
