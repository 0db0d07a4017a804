"""datatrove readers that account for every record: one bad record is counted and dropped, never its file,
its task or the build.

Every reader here counts, per step, ``records`` (lines, rows or submissions read), ``documents`` (the ones
it yields; datatrove's own counter) and ``dropped_<reason>`` for the rest, so that

    records == documents + sum(dropped_*)

holds for every task (:func:`accounting_gaps` checks it on a stage's stats). A dropped record is also
written, with its file and line (or row / byte offset), to ``<bad_records_folder>/<Reader>_<rank>.jsonl``
when a folder is given, and logged either way, so a person can find it.

Reasons: ``invalid_utf8``, ``malformed_json``, ``not_an_object`` (a JSONL line that is not a JSON
object), ``too_large`` (a line above :data:`MAX_LINE_BYTES`), ``wrong_type`` (a field of the wrong type,
e.g. an integer ``content``), ``no_text`` (no text field), ``empty`` (a blank text), ``truncated_file``
(a compressed file that ends early: the records before the cut are kept, the cut counts once),
``corrupt_file`` (a file that cannot be read as its format at all: a Parquet file with a broken footer,
a ``.gz`` that is not gzip), ``corrupt_row_group`` (one unreadable Parquet row group; the others are read).
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from datatrove.data import Document, DocumentsPipeline
from datatrove.io import DataFolderLike, get_datafolder
from datatrove.pipeline.readers.base import BaseDiskReader
from datatrove.utils.logging import logger

from mathlm.io import parse_jsonl_line

MAX_LINE_BYTES = 64 * 2**20  # one record; a bigger line is a data dump, not a document
_TRUNCATION_ERRORS: tuple[type[BaseException], ...] = (EOFError, zlib.error)
try:  # zstd-compressed JSONL (.jsonl.zst) is read through the optional zstandard package
    from zstandard import ZstdError

    _TRUNCATION_ERRORS += (ZstdError,)
except ImportError:
    pass


class BadRecord(Exception):
    """Raised by an adapter for a record it cannot use; ``reason`` becomes ``dropped_<reason>``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def parse_record_line(raw: bytes) -> tuple[dict[str, Any] | None, str | None, str]:
    """One JSONL line: ``(record, None, "")``, or ``(None, reason, detail)`` with the reasons of
    :func:`mathlm.io.parse_jsonl_line` plus ``too_large``. A blank line is ``(None, None, "")``: not a
    record at all."""
    if not raw.strip():
        return None, None, ""
    if len(raw) > MAX_LINE_BYTES:
        return None, "too_large", f"{len(raw):,} bytes"
    return parse_jsonl_line(raw)


def byte_lines(stream: Any, chunk_bytes: int = 2**16) -> Iterator[bytes]:
    """The lines of a binary stream, newline kept. Line by line where the stream can (so a gzip stream cut
    short still gives every line before the cut); in chunks for decompressing streams that cannot read
    lines (fsspec's zstd reader)."""
    try:
        line = stream.readline()
    except io.UnsupportedOperation:
        line = None
    if line is not None:
        while line:
            yield line
            line = stream.readline()
        return
    pending = b""
    while chunk := stream.read(chunk_bytes):
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for complete in lines:
            yield complete + b"\n"
    if pending:
        yield pending


def text_field(data: dict[str, Any], key: str) -> str:
    """``data[key]`` when it is a non-blank string; else :class:`BadRecord` with reason ``no_text`` (missing
    or null), ``wrong_type`` (not a string) or ``empty`` (blank)."""
    value = data.get(key)
    if value is None:
        raise BadRecord("no_text", f"no {key!r} field")
    if not isinstance(value, str):
        raise BadRecord("wrong_type", f"{key!r} is {type(value).__name__}, not a string")
    if not value.strip():
        raise BadRecord("empty", f"blank {key!r}")
    return value


def mapping_field(data: dict[str, Any], key: str) -> dict[str, Any]:
    """``data[key]`` when it is a dict (missing or null: ``{}``); :class:`BadRecord` (``wrong_type``) if not."""
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRecord("wrong_type", f"{key!r} is {type(value).__name__}, not an object")
    return value


class AccountedReader(BaseDiskReader):
    """Base of the readers here: :meth:`drop` counts and records a bad record, :meth:`record_to_document`
    turns a raw record into a Document (or a counted drop) through the adapter.

    Adapters of subclasses raise :class:`BadRecord` for a record they cannot use; any other exception
    of an adapter is a bug and still ends the task.
    """

    def __init__(
        self, data_folder: DataFolderLike, bad_records_folder: DataFolderLike | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data_folder, **kwargs)
        self.bad_records_folder = get_datafolder(bad_records_folder) if bad_records_folder else None
        self._bad_records = None
        self._rank = 0

    def _has_input(self) -> bool:
        if not self.data_folder.isdir(""):
            return False
        return bool(self.data_folder.list_files(recursive=self.recursive, glob_pattern=self.glob_pattern))

    def drop(self, reason: str, filepath: str, position: str, detail: str = "") -> None:
        """Count one dropped record (``dropped_<reason>``) and record where it was."""
        self.stat_update(f"dropped_{reason}")
        logger.warning(f"{filepath}:{position}: record dropped ({reason}){': ' + detail if detail else ''}")
        if self.bad_records_folder is None:
            return
        if self._bad_records is None:
            # one file per reader class and task; a re-run of the task rewrites it
            self._bad_records = self.bad_records_folder.open(
                f"{type(self).__name__}_{self._rank:05d}.jsonl", "wt"
            )
        entry = {"file": filepath, "position": position, "reason": reason, "detail": detail[:500]}
        self._bad_records.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._bad_records.flush()

    def record_to_document(
        self, data: dict[str, Any], filepath: str, index: int, position: str
    ) -> Document | None:
        """The Document of one record (``records`` counted), or None after counting why it was dropped."""
        self.stat_update("records")
        try:
            document = self.get_document_from_dict(data, filepath, index)
        except BadRecord as bad:
            self.drop(bad.reason, filepath, position, bad.detail)
            return None
        if document is None:  # datatrove's own check: the adapter gave no text
            self.drop("no_text", filepath, position)
        return document

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        self._rank = rank
        if self.paths_file is None and not self._has_input():
            # an upstream stage that kept nothing wrote nothing: zero records, not a failed task
            logger.warning(f"no input files in {self.data_folder.path}: this task reads nothing")
            if data:
                yield from data
            return
        try:
            yield from super().run(data, rank, world_size)
        finally:
            if self._bad_records is not None:
                self._bad_records.close()
                self._bad_records = None


class AccountedJsonlReader(AccountedReader):
    """JSONL (plain, ``.gz``, ``.zst``) read line by line as bytes: a bad line (invalid UTF-8, not JSON,
    not an object, a field of the wrong type) is dropped with its line number; a truncated compressed
    file keeps every line before the cut and counts the cut once (``truncated_file``)."""

    name = "🐿 JSONL (accounted)"

    def __init__(
        self,
        data_folder: DataFolderLike,
        adapter: Callable | None = None,
        compression: str | None = "infer",
        **kwargs: Any,
    ) -> None:
        super().__init__(data_folder, adapter=adapter, **kwargs)
        self.compression = compression

    def read_file(self, filepath: str) -> DocumentsPipeline:
        line_number = 0
        try:
            with self.data_folder.open(filepath, "rb", compression=self.compression) as stream:
                for line_number, raw in enumerate(byte_lines(stream), start=1):
                    record, reason, detail = parse_record_line(raw)
                    if reason is not None:
                        self.stat_update("records")
                        self.drop(reason, filepath, f"line {line_number}", detail)
                        continue
                    if record is None:
                        continue
                    with self.track_time():
                        document = self.record_to_document(
                            record, filepath, line_number - 1, f"line {line_number}"
                        )
                    if document is not None:
                        yield document
        except gzip.BadGzipFile as err:  # not gzip at all although named so: nothing in it is readable
            self.stat_update("records")
            self.drop("corrupt_file", filepath, f"after line {line_number}", f"{type(err).__name__}: {err}")
        except _TRUNCATION_ERRORS as err:
            self.stat_update("records")
            self.drop("truncated_file", filepath, f"after line {line_number}", f"{type(err).__name__}: {err}")


class AccountedParquetReader(AccountedReader):
    """Parquet read batch by batch: a file whose footer or schema cannot be read counts once as
    ``corrupt_file``; a damaged row group counts once (``corrupt_row_group``) and the others are read;
    a bad row (wrong type, no text) is dropped with its row number."""

    name = "📒 Parquet (accounted)"

    def __init__(
        self,
        data_folder: DataFolderLike,
        adapter: Callable | None = None,
        batch_size: int = 1000,
        **kwargs: Any,
    ) -> None:
        super().__init__(data_folder, adapter=adapter, **kwargs)
        self.batch_size = batch_size

    def read_file(self, filepath: str) -> DocumentsPipeline:
        import pyarrow as pa
        import pyarrow.parquet as pq

        with self.data_folder.open(filepath, "rb") as handle:
            try:
                parquet = pq.ParquetFile(handle)
            except (pa.ArrowException, OSError, ValueError) as err:
                self.stat_update("records")
                self.drop("corrupt_file", filepath, "footer", f"{type(err).__name__}: {err}")
                return
            row = 0
            for group in range(parquet.num_row_groups):
                try:
                    rows = parquet.read_row_group(group).to_pylist()
                except (pa.ArrowException, OSError, ValueError) as err:
                    self.stat_update("records")
                    self.drop(
                        "corrupt_row_group", filepath, f"row group {group}", f"{type(err).__name__}: {err}"
                    )
                    row += parquet.metadata.row_group(group).num_rows
                    continue
                for record in rows:
                    document = self.record_to_document(record, filepath, row, f"row {row}")
                    row += 1
                    if document is not None:
                        yield document


def accounting_gaps(step_stats: list[dict[str, Any]]) -> list[str]:
    """The steps whose counters break ``in == kept + dropped by reason``, each as a line saying by how much.

    ``step_stats`` is one task's (or a merged) datatrove stats list: ``[{"name", "stats": {label: value}}]``
    with values as totals or ``{"total": ...}``. Readers here are checked on ``records`` vs ``documents``;
    filters (steps that count ``forwarded``) on ``total`` vs ``forwarded``; both against their
    ``dropped_*`` counters, so a drop without a named reason is a gap. Writers and signature steps,
    which pass everything on, have nothing to check.
    """
    gaps = []
    for step in step_stats:
        counters = {
            label: value.get("total", 0) if isinstance(value, dict) else value
            for label, value in step["stats"].items()
        }
        dropped = sum(value for label, value in counters.items() if label.startswith("dropped_"))
        checks = []
        if "records" in counters:
            checks.append(("records", "documents"))
        if "total" in counters and ("forwarded" in counters or "dropped" in counters):
            checks.append(("total", "forwarded"))
        for seen, kept in checks:
            if counters[seen] != counters.get(kept, 0) + dropped:
                gaps.append(
                    f"{step['name']}: {seen}={counters[seen]} but {kept}={counters.get(kept, 0)} + dropped={dropped}"
                )
    return gaps
