"""The final Proof-Pile-2 documents: one record per document, one folder per subset and split.

Files: ``WORKDIR/<source>/<split>/<task>.jsonl.gz`` (or ``.parquet``) where ``source`` is ``arxiv``,
``open-web-math`` or ``algebraic-stack``. A JSONL record is flat: ``text``, ``id``, ``source``, then
``url`` (arXiv, web) or ``path``/``repo`` (code), then every score and attribute the stages computed
(``math_score``, ``language_score``, ``lang``, ``duplicate_count``...). Parquet needs one schema per
file while documents of one subset may carry different attributes, so there the fixed columns are
``text``, ``id``, ``source``, ``url``, ``path`` and the rest goes into ``metadata`` as a JSON string.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from datatrove.data import Document
from datatrove.pipeline.writers import JsonlWriter, ParquetWriter
from datatrove.pipeline.writers.disk_base import DiskWriter

# Bookkeeping of the pipeline itself, not attributes of the document.
INTERNAL_KEYS = frozenset({"split", "file_path"})
LEADING_KEYS = ("source", "url", "path")


def document_record(writer: DiskWriter, doc: Document) -> dict[str, Any]:
    """The flat JSONL record of a document (a datatrove writer adapter)."""
    metadata = {key: value for key, value in doc.metadata.items() if key not in INTERNAL_KEYS}
    leading = {key: metadata.pop(key) for key in LEADING_KEYS if key in metadata}
    return {"text": doc.text, "id": doc.id, **leading, **metadata}


def parquet_record(writer: DiskWriter, doc: Document) -> dict[str, Any]:
    """The fixed-schema Parquet row of a document."""
    record = document_record(writer, doc)
    fixed = {key: record.pop(key, None) for key in ("text", "id", *LEADING_KEYS)}
    return {
        **{key: value if value is None else str(value) for key, value in fixed.items()},
        "metadata": json.dumps(record, ensure_ascii=False, default=str),
    }


def output_writer(folder: str, output_format: Literal["jsonl.gz", "parquet"] = "jsonl.gz") -> DiskWriter:
    """The writer of the final documents into ``folder/<source>/<split>/``."""
    if output_format == "parquet":
        return ParquetWriter(
            folder, output_filename="${source}/${split}/${rank}.parquet", adapter=parquet_record
        )
    return JsonlWriter(
        folder,
        output_filename="${source}/${split}/${rank}.jsonl.gz",
        compression="gzip",
        adapter=document_record,
    )
