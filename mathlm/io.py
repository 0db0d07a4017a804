"""File I/O every stage shares: one JSONL reader with an explicit bad-line policy, and atomic writes.

Reading. :func:`iter_jsonl_lines` gives every non-blank line's outcome (the record, or why it is bad);
:func:`read_jsonl` yields the records and applies a policy to the bad lines, chosen by the caller because
it depends on what the file is:

* ``on_bad="raise"`` (default): a bad line is an error naming ``file:line`` and the reason. Right for
  files whose every line matters (a benchmark test set, a run's own results: skipping would change a score).
* ``on_bad="skip"``: the line is counted, with its reason and position, into a :class:`BadLines` the
  caller passes and reports. Right for corpora, where one corrupt record must not stop a build but must
  not vanish either.

Reasons: ``invalid_utf8``, ``malformed_json``, ``not_an_object`` and ``truncated_gzip`` (a ``.gz`` file
that ends mid-stream: everything before the cut is read). ``.gz`` files are decompressed by suffix.

Writing. :func:`atomic_write` (and the ``write_*_atomic`` helpers) write to a temporary file in the
target's folder, fsync it, rename it over the target and fsync the folder: a reader, or a run resumed
after a crash, sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from mathlm.errors import MathlmError

BadLinePolicy = Literal["raise", "skip"]
# Read once at import (setting the umask is the only way to read it, and is not thread-safe later).
_UMASK = os.umask(0)
os.umask(_UMASK)


@dataclass(frozen=True)
class JsonlLine:
    """One non-blank line's outcome: ``record`` when it is a JSON object, else ``reason`` and ``detail``."""

    path: str
    line: int
    record: dict[str, Any] | None
    reason: str | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.reason is None

    def where(self) -> str:
        return f"{self.path}:{self.line}"


def parse_jsonl_line(raw: bytes) -> tuple[dict[str, Any] | None, str | None, str]:
    """One line's bytes -> (record, None, "") or (None, reason, detail)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return None, "invalid_utf8", str(err)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        return None, "malformed_json", str(err)
    if not isinstance(value, dict):
        return None, "not_an_object", f"a JSON {type(value).__name__}, not an object"
    return value, None, ""


def iter_jsonl_lines(path: str | Path) -> Iterator[JsonlLine]:
    """Every non-blank line of a JSONL (or JSONL.gz) file with its 1-based line number and outcome."""
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    number = 0
    try:
        with opener(path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if raw.strip():
                    record, reason, detail = parse_jsonl_line(raw)
                    yield JsonlLine(str(path), number, record, reason, detail)
    except (EOFError, zlib.error, gzip.BadGzipFile) as err:
        yield JsonlLine(str(path), number + 1, None, "truncated_gzip", f"{type(err).__name__}: {err}")


@dataclass
class BadLines:
    """Skipped lines, counted by reason, with the first ``max_examples`` kept (file:line, reason, detail)."""

    max_examples: int = 20
    counts: Counter[str] = field(default_factory=Counter)
    examples: list[JsonlLine] = field(default_factory=list)

    def add(self, line: JsonlLine) -> None:
        self.counts[line.reason or "unknown"] += 1
        if len(self.examples) < self.max_examples:
            self.examples.append(line)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        """``"3 bad lines skipped (malformed_json: 2, invalid_utf8: 1); first at a.jsonl:7"``, or ``""``."""
        if not self.total:
            return ""
        reasons = ", ".join(f"{reason}: {count}" for reason, count in self.counts.most_common())
        return f"{self.total} bad lines skipped ({reasons}); first at {self.examples[0].where()}"


def read_jsonl(
    path: str | Path, on_bad: BadLinePolicy = "raise", bad: BadLines | None = None
) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSONL (or JSONL.gz) file, in order; blank lines are ignored.

    ``on_bad="raise"`` raises :class:`~mathlm.errors.MathlmError` at the first bad line (``file:line:
    reason``); ``on_bad="skip"`` counts each bad line into ``bad``, which is then required so that what was
    skipped can be reported.
    """
    if on_bad == "skip" and bad is None:
        raise ValueError("on_bad='skip' needs a BadLines to count the skipped lines into")
    for line in iter_jsonl_lines(path):
        if line.record is not None:
            yield line.record
        elif on_bad == "raise":
            raise MathlmError(f"{line.where()}: {line.reason} ({line.detail})")
        else:
            assert bad is not None
            bad.add(line)


@contextmanager
def atomic_write(
    path: str | Path, mode: Literal["w", "wb"] = "w", encoding: str | None = "utf-8"
) -> Iterator[IO[Any]]:
    """Open a temporary file next to ``path`` for writing; on a clean exit it replaces ``path``, durably.

    On an exception the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o666 & ~_UMASK)  # mkstemp creates 0600; give the file the usual mode
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_text_atomic(path: str | Path, text: str) -> Path:
    with atomic_write(path) as handle:
        handle.write(text)
    return Path(path)


def write_json_atomic(path: str | Path, data: Any, indent: int | None = 2) -> Path:
    """``data`` as JSON (non-ASCII kept, trailing newline)."""
    return write_text_atomic(path, json.dumps(data, indent=indent, ensure_ascii=False) + "\n")


def write_jsonl_atomic(path: str | Path, records: Iterable[Any]) -> Path:
    """One JSON value per line."""
    with atomic_write(path) as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return Path(path)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (a no-op where directories cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
