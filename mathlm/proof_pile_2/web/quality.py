"""OpenWebMath's small quality filters, one job each: length, accented characters, URL blacklist.

- ``MinLengthFilter``: drop extracted texts shorter than 100 characters (menus, stubs, error pages).
- ``AccentedCharsFilter``: drop texts where more than 1.5% of the characters are accented Latin letters
  (é, ñ, ü, ...): these are mostly non-English pages that language id let through because their math
  and formulas look English.
- ``UrlBlacklistFilter``: drop pages from listed domains (and their subdomains); the list comes from the
  config and/or a file with one domain per line (``#`` comments allowed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from mathlm.errors import MathlmError

# Latin-1 Supplement and Latin Extended-A/B letters: the accented letters of European languages.
ACCENTED_RE = re.compile(r"[\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F]")


class MinLengthFilter(BaseFilter):
    """Keep documents with at least ``min_chars`` characters; drops counted as ``dropped_too_short``."""

    name = "📏 Min length"

    def __init__(self, min_chars: int = 100, exclusion_writer: DiskWriter | None = None):
        super().__init__(exclusion_writer)
        self.min_chars = min_chars

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return len(doc.text) >= self.min_chars or (False, "too_short")


class AccentedCharsFilter(BaseFilter):
    """Keep documents whose share of accented characters is at most ``max_ratio``."""

    name = "é Accented chars"

    def __init__(self, max_ratio: float = 0.015, exclusion_writer: DiskWriter | None = None):
        super().__init__(exclusion_writer)
        self.max_ratio = max_ratio

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if not doc.text:
            return True
        ratio = len(ACCENTED_RE.findall(doc.text)) / len(doc.text)
        return ratio <= self.max_ratio or (False, "accented_chars")


class UrlBlacklistFilter(BaseFilter):
    """Drop documents whose ``metadata["url"]`` host is a listed domain or a subdomain of one."""

    name = "⛔ URL blacklist"

    def __init__(
        self,
        domains: Iterable[str] = (),
        domains_file: str | Path | None = None,
        exclusion_writer: DiskWriter | None = None,
    ):
        super().__init__(exclusion_writer)
        listed = [*domains, *(read_domain_list(domains_file) if domains_file else [])]
        self.domains = frozenset(domain.strip().lower().lstrip(".") for domain in listed if domain.strip())

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        host = (urlsplit(doc.metadata.get("url") or "").hostname or "").lower()
        parts = host.split(".")
        if any(".".join(parts[i:]) in self.domains for i in range(len(parts))):
            return False, "url_blacklist"
        return True


def read_domain_list(path: str | Path) -> list[str]:
    """Domains from a text file, one per line; blank lines and ``#`` comments are ignored."""
    path = Path(path)
    if not path.is_file():
        raise MathlmError(
            f"URL blacklist file not found: {path} (set web.pipeline.url_blacklist_file to an existing file "
            f"with one domain per line, or leave it empty)"
        )
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]
