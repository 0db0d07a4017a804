"""A small deterministic writer of Common-Crawl-style WARC files (one gzip member per record).

Common Crawl's WARC files open with a ``warcinfo`` record, then hold a ``request`` and a ``response``
record per fetched URL, each record compressed as its own gzip member so readers can seek. Record ids
come from a seeded RNG and dates from a fixed clock, and gzip members carry mtime 0, so the same
inputs give the same bytes.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

CRAWL_START = datetime(2023, 9, 21, 4, 12, 0, tzinfo=UTC)
_STATUS_TEXT = {200: "OK", 301: "Moved Permanently", 404: "Not Found"}


@dataclass
class HttpResponse:
    """One fetched URL: the status, the HTTP headers and the raw body bytes."""

    url: str
    body: bytes
    content_type: str = "text/html; charset=UTF-8"
    status: int = 200
    extra_headers: list[tuple[str, str]] = field(default_factory=list)

    def http_bytes(self) -> bytes:
        headers = [
            ("Date", "Thu, 21 Sep 2023 04:12:00 GMT"),
            ("Server", "nginx"),
            ("Content-Type", self.content_type),
            ("Content-Length", str(len(self.body))),
            *self.extra_headers,
            ("Connection", "close"),
        ]
        head = f"HTTP/1.1 {self.status} {_STATUS_TEXT[self.status]}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers
        )
        return head.encode("latin-1") + b"\r\n" + self.body


def _digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def _record(headers: list[tuple[str, str]], block: bytes) -> bytes:
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    head += f"Content-Length: {len(block)}\r\n\r\n"
    return head.encode("utf-8") + block + b"\r\n\r\n"


def gzip_member(data: bytes) -> bytes:
    """``data`` as one gzip member with a zero timestamp and no file name (byte-stable)."""
    return gzip.compress(data, compresslevel=9, mtime=0)


class WarcBuilder:
    """Accumulates gzip-member records of one WARC file; ``records`` lists (type, record id, url)."""

    def __init__(self, filename: str, seed: int) -> None:
        self.rng = random.Random(seed)
        self.members: list[bytes] = []
        self.records: list[dict[str, str]] = []
        self.clock = CRAWL_START
        self.warcinfo_id = self._new_id()
        info = (
            b"software: mathlm-sample-generator/1.0\r\nformat: WARC File Format 1.0\r\n"
            b"isPartOf: CC-SAMPLE-2023-40\r\ndescription: synthetic sample crawl for tests\r\n"
            b"robots: checked via crawler-commons\r\n"
        )
        self._add(
            "warcinfo",
            self.warcinfo_id,
            "",
            [("WARC-Filename", filename), ("Content-Type", "application/warc-fields")],
            info,
        )

    def _new_id(self) -> str:
        return f"<urn:uuid:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}>"

    def _tick(self) -> str:
        self.clock += timedelta(seconds=self.rng.randint(1, 40))
        return self.clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _add(
        self,
        kind: str,
        record_id: str,
        url: str,
        headers: list[tuple[str, str]],
        block: bytes,
        truncate: bool = False,
    ) -> None:
        common = [("WARC-Type", kind), ("WARC-Date", self._tick()), ("WARC-Record-ID", record_id)]
        member = gzip_member(_record(common + headers, block))
        if truncate:
            member = member[: len(member) * 3 // 5]
        self.members.append(member)
        self.records.append({"type": kind, "record_id": record_id, "url": url})

    def add_fetch(self, response: HttpResponse, ip: str, truncate: bool = False) -> str:
        """Add the request and response records of one fetch; returns the response record id."""
        request_id, response_id = self._new_id(), self._new_id()
        host = response.url.split("/")[2]
        path = "/" + response.url.split("/", 3)[3] if response.url.count("/") >= 3 else "/"
        request = (
            f"GET {path} HTTP/1.1\r\nUser-Agent: CCBot/2.0 (https://commoncrawl.org/faq/)\r\n"
            f"Accept: text/html,application/xhtml+xml;q=0.9,*/*;q=0.8\r\nAccept-Encoding: br,gzip\r\n"
            f"Host: {host}\r\nConnection: Keep-Alive\r\n\r\n"
        ).encode("latin-1")
        self._add(
            "request",
            request_id,
            response.url,
            [
                ("WARC-Target-URI", response.url),
                ("WARC-IP-Address", ip),
                ("WARC-Warcinfo-ID", self.warcinfo_id),
                ("WARC-Concurrent-To", response_id),
                ("Content-Type", "application/http; msgtype=request"),
                ("WARC-Block-Digest", _digest(request)),
            ],
            request,
        )
        block = response.http_bytes()
        self._add(
            "response",
            response_id,
            response.url,
            [
                ("WARC-Target-URI", response.url),
                ("WARC-IP-Address", ip),
                ("WARC-Warcinfo-ID", self.warcinfo_id),
                ("WARC-Concurrent-To", request_id),
                ("Content-Type", "application/http; msgtype=response"),
                ("WARC-Payload-Digest", _digest(response.body)),
                ("WARC-Block-Digest", _digest(block)),
                ("WARC-Identified-Payload-Type", response.content_type.split(";")[0]),
            ],
            block,
            truncate,
        )
        return response_id

    def to_bytes(self) -> bytes:
        return b"".join(self.members)
