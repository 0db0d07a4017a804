"""Lines that a site repeats on many of its pages (menus, credits, copyright lines) are boilerplate.

The extractor judges one page at a time, on its structure (``extract.remove_boilerplate``); what it cannot
see is that "Built with Sphinx using a theme provided by Read the Docs" or "Copyright 2004-2022, M.S.
Andersen" is on every page of the site. This step sees a task's pages together: for each host it counts on
how many pages each line occurs, and removes from every page of that host the lines that occur on at least
``min_pages`` of them and on at least ``min_share`` of the host's pages.

One pass inside a task, not two over the whole crawl: the pages of a task are buffered (``window`` at a
time, so memory is bounded) and need no extra stage, shared state or second read of the data. The price is
that a site whose pages are spread over many tasks is judged on the pages each task holds; a host with
fewer than ``min_pages`` pages in a window is left alone.

Guards, so that the main content is never emptied: a line holding a formula (or inside a display formula)
is never removed, and a page that would keep less than ``min_kept_share`` of its characters is left whole.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import islice
from urllib.parse import urlsplit

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.typeshelper import StatHints

from mathlm.errors import MathlmError
from mathlm.proof_pile_2.web.extract import squeeze

# An unescaped dollar, \( or \[: the line opens or holds a formula (literal dollars are written \$).
MATH_MARK = re.compile(r"(?<!\\)\$|\\\(|\\\[")
DISPLAY_DOLLARS = re.compile(r"(?<!\\)\$\$")
WORD = re.compile(r"[^\W\d_]{2,}")
MIN_WORDS = 2


def line_key(line: str) -> str:
    """What makes two lines "the same line": the same words, whitespace collapsed."""
    return " ".join(line.split())


def is_candidate(key: str) -> bool:
    """Whether a line says enough to be furniture: at least two words. A lone "true", "2.75" or "." is a
    program's output or punctuation that recurs on pages of one site because they are about one thing."""
    return len(WORD.findall(key)) >= MIN_WORDS


def math_lines(lines: list[str]) -> list[bool]:
    """For each line, whether it holds a formula or lies inside a ``$$..$$`` display opened above it."""
    flags, open_display = [], False
    for line in lines:
        flags.append(open_display or bool(MATH_MARK.search(line)))
        if len(DISPLAY_DOLLARS.findall(line)) % 2:
            open_display = not open_display
    return flags


def host_of(document: Document) -> str | None:
    url = document.metadata.get("url") or ""
    try:
        return urlsplit(url).hostname
    except ValueError:  # a malformed URL (bad port, brackets): the page has no host to compare with
        return None


class SiteBoilerplateRemover(PipelineStep):
    """Remove the lines a host repeats across its pages in this task (see the module docstring).

    Documents are neither dropped nor reordered. Stats: ``site_pages`` (pages of hosts with enough pages to
    judge), ``lines_removed`` and ``chars_removed``, ``pages_changed``, and ``kept_whole`` (pages left as
    they were because removing their repeated lines would have left too little).
    """

    name = "🧹 Site boilerplate"
    type = "✂️ - FORMAT"

    def __init__(
        self, min_pages: int = 3, min_share: float = 0.5, min_kept_share: float = 0.3, window: int = 10_000
    ):
        """
        Args:
            min_pages: a line must occur on at least this many pages of a host (and a host needs this many
                pages in the window to be judged at all).
            min_share: ...and on at least this share of the host's pages in the window.
            min_kept_share: a page that would keep less than this share of its characters is left whole.
            window: documents buffered and judged together (bounds the memory one task uses).
        """
        super().__init__()
        if min_pages < 2:
            raise MathlmError(
                f"site boilerplate: min_pages must be at least 2 (a line on one page is not repeated), got {min_pages}"
            )
        if not 0 < min_share <= 1 or not 0 <= min_kept_share <= 1:
            raise MathlmError(
                f"site boilerplate: min_share must be in (0, 1] and min_kept_share in [0, 1], got {min_share} "
                f"and {min_kept_share}"
            )
        if window < min_pages:
            raise MathlmError(
                f"site boilerplate: window ({window}) must hold at least min_pages ({min_pages}) documents"
            )
        self.min_pages = min_pages
        self.min_share = min_share
        self.min_kept_share = min_kept_share
        self.window = window

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        documents: Iterator[Document] = iter(data)
        while batch := list(islice(documents, self.window)):
            with self.track_time():
                self.strip_repeated_lines(batch)
            for document in batch:
                self.stat_update(StatHints.total)
                self.stat_update(StatHints.forwarded)
                self.update_doc_stats(document)
                yield document

    def strip_repeated_lines(self, batch: list[Document]) -> None:
        """Remove, in place, each host's repeated lines from its pages in ``batch``."""
        by_host: dict[str, list[Document]] = defaultdict(list)
        for document in batch:
            host = host_of(document)
            if host:
                by_host[host].append(document)
        for pages in by_host.values():
            if len(pages) < self.min_pages:
                continue
            self.stat_update("site_pages", value=len(pages))
            repeated = self.repeated_lines(pages)
            if repeated:
                for document in pages:
                    self.strip_page(document, repeated)

    def repeated_lines(self, pages: list[Document]) -> set[str]:
        """The line keys that occur (outside formulas) on enough of these pages, once on each.

        A site prints its furniture once per page; a line that some page repeats ("... from mpmath import
        *" before each example) is the content's own pattern and stays everywhere.
        """
        pages_with: Counter[str] = Counter()
        repeated_within: set[str] = set()
        for document in pages:
            lines = document.text.splitlines()
            on_page = Counter(
                key
                for line, math in zip(lines, math_lines(lines))
                if not math and is_candidate(key := line_key(line))
            )
            pages_with.update(on_page.keys())
            repeated_within.update(key for key, count in on_page.items() if count > 1)
        needed = max(self.min_pages, self.min_share * len(pages))
        return {key for key, count in pages_with.items() if count >= needed and key not in repeated_within}

    def strip_page(self, document: Document, repeated: set[str]) -> None:
        lines = document.text.splitlines()
        kept = [
            line
            for line, math in zip(lines, math_lines(lines))
            if math or not line.strip() or line_key(line) not in repeated
        ]
        if len(kept) == len(lines):
            return
        text = squeeze("\n".join(kept), "\n", 2).strip()
        if len(text) < self.min_kept_share * len(document.text.strip()):
            self.stat_update("kept_whole")
            return
        self.stat_update("pages_changed")
        self.stat_update("lines_removed", value=len(lines) - len(kept))
        self.stat_update("chars_removed", value=len(document.text) - len(text))
        document.text = text
