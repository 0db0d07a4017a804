"""mathlm.io: the JSONL reader's bad-line policies and atomic writes."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from mathlm.errors import MathlmError
from mathlm.io import (
    BadLines,
    atomic_write,
    iter_jsonl_lines,
    read_jsonl,
    write_json_atomic,
    write_jsonl_atomic,
)

GOOD = [{"id": 1, "text": "a"}, {"id": 2, "text": "é ∑"}]


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Line 1 good, 2 blank, 3 malformed, 4 a list, 5 invalid UTF-8, 6 good."""
    return write_lines(
        tmp_path / "mixed.jsonl",
        [
            json.dumps(GOOD[0]).encode(),
            b"   ",
            b'{"id": 3, "text": ',
            b"[1, 2]",
            b'{"text": "\xff\xfe"}',
            json.dumps(GOOD[1], ensure_ascii=False).encode(),
        ],
    )


def test_good_file_reads_every_object(tmp_path: Path) -> None:
    path = write_jsonl_atomic(tmp_path / "good.jsonl", GOOD)
    assert list(read_jsonl(path)) == GOOD


def test_raise_names_file_line_and_reason(mixed: Path) -> None:
    reader = read_jsonl(mixed)
    assert next(reader) == GOOD[0]
    with pytest.raises(MathlmError, match=rf"^{mixed}:3: malformed_json \("):
        next(reader)


def test_skip_counts_each_bad_line_with_reason_and_position(mixed: Path) -> None:
    bad = BadLines()
    assert list(read_jsonl(mixed, on_bad="skip", bad=bad)) == GOOD
    assert bad.counts == {"malformed_json": 1, "not_an_object": 1, "invalid_utf8": 1}
    assert [(line.line, line.reason) for line in bad.examples] == [
        (3, "malformed_json"),
        (4, "not_an_object"),
        (5, "invalid_utf8"),
    ]
    assert (
        bad.summary()
        == f"3 bad lines skipped (malformed_json: 1, not_an_object: 1, invalid_utf8: 1); first at {mixed}:3"
    )


def test_skip_without_a_collector_is_refused(mixed: Path) -> None:
    with pytest.raises(ValueError, match="needs a BadLines"):
        list(read_jsonl(mixed, on_bad="skip"))


def test_truncated_gzip_keeps_what_precedes_the_cut(tmp_path: Path) -> None:
    whole = gzip.compress(
        b"".join(json.dumps({"id": i, "text": "x" * 50}).encode() + b"\n" for i in range(2000))
    )
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    outcomes = list(iter_jsonl_lines(path))
    assert outcomes[-1].reason == "truncated_gzip"
    good = [line.record for line in outcomes if line.ok]
    assert good and [record["id"] for record in good] == list(range(len(good)))
    bad = BadLines()
    assert len(list(read_jsonl(path, on_bad="skip", bad=bad))) == len(good)
    assert bad.counts == {"truncated_gzip": 1}


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path: Path) -> None:
    target = write_json_atomic(tmp_path / "sub" / "state.json", {"step": 1})
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write('{"step": 2, "half')
        raise RuntimeError("crash mid-write")
    assert json.loads(target.read_text()) == {"step": 1}
    assert sorted(p.name for p in target.parent.iterdir()) == ["state.json"]  # no temporary file left
    write_json_atomic(target, {"step": 2})
    assert json.loads(target.read_text()) == {"step": 2}


def test_atomic_write_gives_the_usual_file_mode(tmp_path: Path) -> None:
    target = write_json_atomic(tmp_path / "mode.json", {})
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
