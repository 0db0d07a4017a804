"""FastWarcReader on real gzipped WARC files: HTML pages out, everything broken counted and skipped."""

from __future__ import annotations

import gzip
import uuid
from pathlib import Path

from datatrove.utils.stats import Stats

from mathlm.proof_pile_2.web.warc import FastWarcReader


def warc_record(kind: str, url: str, block: bytes, record_id: str | None = None) -> bytes:
    """One uncompressed WARC record."""
    record_id = record_id or f"<urn:uuid:{uuid.uuid4()}>"
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: {record_id}\r\nWARC-Target-URI: {url}\r\n"
        f"WARC-Date: 2023-09-21T04:12:00Z\r\nContent-Type: application/http; msgtype={kind}\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def response(
    url: str, body: bytes, content_type: str = "text/html; charset=utf-8", record_id: str | None = None
) -> bytes:
    """A gzip member holding one HTTP response record."""
    http = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return gzip.compress(warc_record("response", url, http + body, record_id), mtime=0)


def request(url: str) -> bytes:
    return gzip.compress(warc_record("request", url, b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n"), mtime=0)


def corrupted(member: bytes) -> bytes:
    """The same gzip member with its deflate data overwritten: it no longer decompresses."""
    broken = bytearray(member)
    broken[20:40] = b"\xff" * 20
    return bytes(broken)


def read_all(folder: Path, rank: int = 0, world_size: int = 1) -> tuple[list, Stats]:
    reader = FastWarcReader(str(folder))
    docs = list(reader.run(rank=rank, world_size=world_size))
    return docs, reader.stats


def count(stats: Stats, key: str) -> int:
    return int(stats[key].total)


def test_html_responses_become_documents_with_metadata(tmp_path: Path) -> None:
    page = "<html><body><p>Let $x^2 = 4$, so x = ±2.</p></body></html>"
    members = [
        request("http://example.org/a"),
        response(
            "http://example.org/a", page.encode(), record_id="<urn:uuid:11111111-1111-4111-8111-111111111111>"
        ),
        response("http://example.org/logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png"),
        response(
            "http://example.org/b", b"<html><body>xhtml</body></html>", content_type="application/xhtml+xml"
        ),
    ]
    (tmp_path / "CC-0.warc.gz").write_bytes(b"".join(members))
    docs, stats = read_all(tmp_path)
    assert [doc.metadata["url"] for doc in docs] == ["http://example.org/a", "http://example.org/b"]
    first = docs[0]
    assert first.text == page
    assert first.id == "<urn:uuid:11111111-1111-4111-8111-111111111111>"
    assert first.metadata["date"] == "2023-09-21T04:12:00Z"
    assert first.metadata["content_type"] == "text/html"
    assert first.metadata["warc_file"] == "CC-0.warc.gz"
    assert count(stats, "non_html") == 1
    assert count(stats, "corrupt_record") == 0


def test_charsets_are_honoured_and_bad_bytes_never_raise(tmp_path: Path) -> None:
    latin1 = "<html><body>Théorème de Pythagore</body></html>".encode("latin-1")
    undeclared = '<html><head><meta charset="windows-1252"></head><body>café “quoted”</body></html>'
    members = [
        response("http://a.org/latin1", latin1, content_type="text/html; charset=iso-8859-1"),
        response("http://a.org/meta", undeclared.encode("cp1252"), content_type="text/html"),
        response("http://a.org/broken", b"<html><body>ok \xff\xfe\xc3 end</body></html>"),
    ]
    (tmp_path / "x.warc.gz").write_bytes(b"".join(members))
    docs, _ = read_all(tmp_path)
    texts = {doc.metadata["url"]: doc.text for doc in docs}
    assert "Théorème" in texts["http://a.org/latin1"]
    assert "café" in texts["http://a.org/meta"]
    assert texts["http://a.org/broken"].startswith("<html><body>ok") and "end" in texts["http://a.org/broken"]


def test_corrupt_and_truncated_records_are_counted_and_reading_continues(tmp_path: Path) -> None:
    good = [response(f"http://m.org/{i}", f"<html><body>page {i}</body></html>".encode()) for i in range(4)]
    truncated_tail = response("http://m.org/tail", b"<html><body>" + b"x" * 500 + b"</body></html>")
    members = [
        good[0],
        corrupted(good[1]),
        good[2],
        good[3][: len(good[3]) // 2],
        good[3],
        truncated_tail[:-120],
    ]
    (tmp_path / "damaged.warc.gz").write_bytes(b"".join(members))
    docs, stats = read_all(tmp_path)
    assert [doc.metadata["url"] for doc in docs] == ["http://m.org/0", "http://m.org/2", "http://m.org/3"]
    assert count(stats, "corrupt_record") == 3


def test_each_task_reads_its_own_files(tmp_path: Path) -> None:
    for i in range(2):
        (tmp_path / f"CC-{i}.warc.gz").write_bytes(
            response(f"http://s.org/{i}", b"<html><body>p</body></html>")
        )
    for rank in range(2):
        docs, stats = read_all(tmp_path, rank=rank, world_size=2)
        assert [doc.metadata["warc_file"] for doc in docs] == [f"CC-{rank}.warc.gz"]
        assert count(stats, "input_files") == 1


def test_uncompressed_warc_resumes_after_junk_and_broken_headers(tmp_path: Path) -> None:
    def plain_response(i: int) -> bytes:
        body = f"<html><body>page {i}</body></html>".encode()
        http = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        return warc_record("response", f"http://u.org/{i}", http + body)

    broken_header = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: not-a-number\r\n\r\ngarbage\r\n\r\n"
    junk = b"some bytes that are no WARC record\r\n"
    records = [plain_response(i) for i in range(3)]
    (tmp_path / "plain.warc").write_bytes(records[0] + broken_header + records[1] + junk + records[2])
    docs, stats = read_all(tmp_path)
    assert [doc.metadata["url"] for doc in docs] == ["http://u.org/0", "http://u.org/1", "http://u.org/2"]
    assert count(stats, "corrupt_record") >= 2
