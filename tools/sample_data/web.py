"""The sample crawl: ~200 HTML responses (and the odd non-HTML one) in two Common-Crawl-like WARC files.

:func:`build_crawl` decides what each fetched URL is (a math page in some markup style and layout,
an everyday or non-English page, a near-duplicate, a page that copies a benchmark problem, a broken
record) and returns the records with the kinds the manifest promises for them.
"""

from __future__ import annotations

import html
import random
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from tools.sample_data import prose_foreign, prose_general, prose_math, web_pages
from tools.sample_data.benchmarks import Row, pick_math_problem
from tools.sample_data.document import Article, Block
from tools.sample_data.warc import HttpResponse, WarcBuilder

Rng = random.Random

WARC_NAMES = ("CC-SAMPLE-00000.warc.gz", "CC-SAMPLE-00001.warc.gz")
# How many pages of each math style, and the layouts they may use.
MATH_PLAN = {
    "mathjax_script": 17,
    "mathjax_dollar": 22,
    "mathjax_paren": 10,
    "katex": 17,
    "mathml": 14,
    "codecogs": 10,
    "wikipedia": 8,
    "wordpress": 6,
    "latex_no_mathjax": 5,
}
MATH_LAYOUTS = ("blog", "blog", "forum", "lecture", "portal")
GENERAL_LAYOUTS = {
    "recipe": "blog",
    "travel": "blog",
    "sports": "portal",
    "product": "product",
    "garden": "blog",
    "history": "wiki",
}
GENERAL_PAGES = 60
ASCIIMATH_PAGES = 3
HUGE_PAGE_BYTES = 300_000


@dataclass
class Fetch:
    """One crawled URL as it goes into a WARC file, with what it is meant to exercise."""

    response: HttpResponse
    kinds: list[str]
    truncate: bool = False


class CrawlBuilder:
    """Turns articles into fetches: picks a site, a URL and a layout, renders, remembers the kinds."""

    def __init__(self, seed: int) -> None:
        self.rng = Rng(seed)
        self.fetches: list[Fetch] = []
        self.urls: set[str] = set()

    def url_for(self, site: web_pages.Site, title: str) -> str:
        """A URL on ``site`` for a page titled ``title``, never one already crawled."""
        while True:
            section = self.rng.choice(["blog", "posts", "notes", "questions", "wiki", "p"])
            url = f"https://{site.domain}/{section}/{self.rng.randint(1000, 99999)}/{web_pages.slug(title)}"
            if url not in self.urls:
                self.urls.add(url)
                return url

    def teasers(self) -> list[str]:
        return [prose_general.general_article(self.rng, sentences=1).title for _ in range(4)]

    def render(
        self,
        article: Article,
        style: str,
        layout: str,
        site: web_pages.Site | None = None,
        lang: str = "en",
        url: str | None = None,
    ) -> tuple[str, str]:
        """The page's URL and HTML."""
        site = site or web_pages.make_site(self.rng, article.topic.split(":")[0])
        url = url or self.url_for(site, article.title)
        page = web_pages.PageInput(article, style, site, url, self.teasers(), self.rng.getrandbits(32), lang)
        return url, web_pages.LAYOUTS[layout](self.rng, page)

    def add_page(
        self,
        article: Article,
        style: str,
        layout: str,
        kinds: list[str],
        lang: str = "en",
        site: web_pages.Site | None = None,
    ) -> Fetch:
        url, page = self.render(article, style, layout, site, lang)
        fetch = Fetch(HttpResponse(url, page.encode("utf-8")), kinds + [f"layout:{layout}"])
        self.fetches.append(fetch)
        return fetch


def _math_kinds(article: Article, style: str, layout: str) -> list[str]:
    kinds = ["math", style, f"topic:{article.topic}"]
    if layout == "portal":
        kinds.append("boilerplate_heavy")
    if layout == "forum":
        kinds.append("qa")
    return kinds


def add_math_pages(crawl: CrawlBuilder) -> None:
    rng = crawl.rng
    for style, count in MATH_PLAN.items():
        for _ in range(count):
            layout = "wiki" if style == "wikipedia" else rng.choice(MATH_LAYOUTS)
            maker = prose_math.theorem_article if layout == "lecture" else prose_math.math_article
            article = maker(rng)
            crawl.add_page(article, style, layout, _math_kinds(article, style, layout))
    for _ in range(ASCIIMATH_PAGES):
        article = prose_math.asciimath_article(rng)
        crawl.add_page(article, "asciimath", "blog", ["math", "asciimath", f"topic:{article.topic}"])


def add_general_pages(crawl: CrawlBuilder) -> None:
    topics = prose_general.GENERAL_TOPICS
    for index in range(GENERAL_PAGES):
        topic = topics[index % len(topics)]
        article = prose_general.general_article(crawl.rng, topic)
        layout = GENERAL_LAYOUTS[topic]
        kinds = ["non_math", f"topic:{topic}"] + (["boilerplate_heavy"] if layout == "portal" else [])
        crawl.add_page(article, "none", layout, kinds)


def add_foreign_pages(crawl: CrawlBuilder) -> None:
    for language in prose_foreign.LANGUAGES:
        for with_math in (True, False):
            article = prose_foreign.foreign_article(crawl.rng, language, with_math)
            kinds = [f"non_english:{language}", "math" if with_math else "non_math"]
            crawl.add_page(
                article, "mathjax_dollar" if with_math else "none", "lecture", kinds, lang=language
            )


def _edited(rng: Rng, article: Article, edits: int) -> Article:
    """The same article with a few small edits: a changed title suffix, a dropped or added sentence."""
    blocks = [Block(b.kind, b.text) for b in article.blocks]
    for _ in range(edits):
        index = rng.randrange(len(blocks))
        if rng.random() < 0.5:
            blocks[index].text += " (Edited: fixed a typo.)"
        else:
            blocks.insert(
                index,
                Block(
                    "p",
                    rng.choice(
                        [
                            "Update: thanks to the readers who pointed out an error.",
                            "This post was first published on my old blog.",
                            "Reposted with permission of the author.",
                        ]
                    ),
                ),
            )
    return Article(
        article.title + rng.choice(["", " - updated", " (repost)"]), article.topic, blocks, article.is_math
    )


def _compilation(rng: Rng, is_math: bool) -> Article:
    """Three articles on different topics under one title: long and varied enough that page chrome and
    small edits cannot pull two copies below the near-duplicate threshold."""
    if is_math:
        parts = [
            prose_math.math_article(rng, topic, paragraphs=9)
            for topic in rng.sample(prose_math.MATH_TOPICS, 3)
        ]
    else:
        parts = [
            prose_general.general_article(rng, topic, sentences=12) for topic in prose_general.GENERAL_TOPICS
        ]
    return Article(
        parts[0].title, parts[0].topic, [block for part in parts for block in part.blocks], is_math
    )


def add_near_duplicates(crawl: CrawlBuilder) -> list[list[str]]:
    """Four pairs and one cluster of four: the same article with small edits on different sites."""
    rng = crawl.rng
    groups = []
    for group_index, size in enumerate([2, 2, 2, 2, 4]):
        is_math = group_index != 1
        base = _compilation(rng, is_math)
        style = rng.choice(["mathjax_dollar", "mathjax_paren"]) if is_math else "none"
        urls = []
        for member in range(size):
            article = base if member == 0 else _edited(rng, base, edits=1)
            layout = rng.choice(["blog", "lecture", "wiki"]) if member else "blog"
            kinds = ["math", style] if is_math else ["non_math"]
            kinds += [f"near_duplicate_group:{group_index}"] + (
                [f"near_duplicate_of:{urls[0]}"] if member else []
            )
            urls.append(crawl.add_page(article, style, layout, kinds).response.url)
        groups.append(urls)
    return groups


def _indefinite(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def add_contaminated_pages(crawl: CrawlBuilder, math_rows: list[Row], gsm_rows: list[Row]) -> list[Row]:
    """Pages that copy a MATH problem (one with its solution) and a GSM8k problem verbatim."""
    rng = crawl.rng
    copied = []
    for with_solution in (False, True):
        row = pick_math_problem(math_rows, rng, {int(str(c["index"])) for c in copied})
        blocks = [
            Block(
                "p",
                "Can someone help me with this one? " + str(row["problem"]) + " I tried a few things "
                "but I keep getting a different answer than the book.",
            )
        ]
        if with_solution:
            blocks.append(Block("p", str(row["solution"])))
        blocks += [
            Block("p", p)
            for p in prose_math.math_paragraphs(rng, [prose_math.MATH_TOPICS[rng.randrange(9)]], 2)
        ]
        article = Article(
            f"Homework question {rng.randint(100, 999)}: stuck on {_indefinite(str(row['type']))} problem",
            "algebra",
            blocks,
        )
        kind = f"contaminated:math:{row['idx']}"
        crawl.add_page(article, "mathjax_dollar", "forum", ["math", "mathjax_dollar", "qa", kind])
        copied.append(
            {
                "benchmark": "math",
                "index": row["idx"],
                "with_solution": with_solution,
                "url": crawl.fetches[-1].response.url,
            }
        )
    line = rng.randrange(len(gsm_rows))
    question = str(gsm_rows[line]["question"])
    blocks = [
        Block(
            "p",
            f"My son brought this home from school and we are both confused. {question} "
            "Is the answer in the back of the book wrong?",
        ),
        Block("p", " ".join(prose_general.general_sentences(rng, "recipe", 3))),
    ]
    article = Article("Grade 4 word problem help", "gsm8k", blocks, is_math=True)
    crawl.add_page(article, "none", "forum", ["math", "qa", f"contaminated:gsm8k:{line}"])
    copied.append(
        {"benchmark": "gsm8k", "index": line, "with_solution": False, "url": crawl.fetches[-1].response.url}
    )
    return copied


def tiny_png() -> bytes:
    """A valid 8x8 grey PNG image."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    raw = b"".join(b"\x00" + bytes([128] * 8) for _ in range(8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def tiny_pdf() -> bytes:
    """A one-page PDF with a line of text (objects and xref table by hand)."""
    stream = b"BT /F1 12 Tf 72 720 Td (Lecture notes: the chain rule) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def add_edge_cases(crawl: CrawlBuilder) -> None:
    """Empty body, undecodable bytes, non-HTML payloads, a redirect, a 404 and a ~300 KB page."""
    rng = crawl.rng
    site = web_pages.make_site(rng, "misc")
    crawl.fetches.append(Fetch(HttpResponse(crawl.url_for(site, "empty"), b""), ["empty"]))
    article = prose_foreign.foreign_article(rng, "fr", with_math=False)
    url, page = crawl.render(article, "none", "blog", lang="fr")
    crawl.fetches.append(Fetch(HttpResponse(url, page.encode("cp1252")), ["bad_encoding", "non_english:fr"]))
    crawl.fetches.append(
        Fetch(
            HttpResponse(crawl.url_for(site, "diagram.png"), tiny_png(), "image/png"), ["non_html:image/png"]
        )
    )
    crawl.fetches.append(
        Fetch(
            HttpResponse(crawl.url_for(site, "notes.pdf"), tiny_pdf(), "application/pdf"),
            ["non_html:application/pdf"],
        )
    )
    target = crawl.url_for(site, "moved")
    crawl.fetches.append(
        Fetch(
            HttpResponse(
                crawl.url_for(site, "old"),
                f'<a href="{html.escape(target)}">Moved</a>'.encode(),
                status=301,
                extra_headers=[("Location", target)],
            ),
            ["redirect"],
        )
    )
    crawl.fetches.append(
        Fetch(
            HttpResponse(
                crawl.url_for(site, "missing"),
                b"<html><body><h1>404 Not Found</h1></body></html>",
                status=404,
            ),
            ["http_error"],
        )
    )
    huge = prose_math.math_article(rng, "analysis", paragraphs=4)
    while sum(len(b.text) for b in huge.blocks) < HUGE_PAGE_BYTES:
        topic = prose_math.MATH_TOPICS[rng.randrange(len(prose_math.MATH_TOPICS))]
        huge.blocks.append(Block("h2", f"Section {len(huge.blocks)}: {topic.replace('_', ' ')}"))
        huge.blocks += [Block("p", p) for p in prose_math.math_paragraphs(rng, [topic], 6)]
    crawl.add_page(huge, "mathjax_dollar", "lecture", ["math", "mathjax_dollar", "huge"])


def build_crawl(
    seed: int, math_rows: list[Row], gsm_rows: list[Row]
) -> tuple[list[Fetch], dict[str, object]]:
    """All fetches in crawl order (the last one truncated) and the crawl-level manifest facts."""
    crawl = CrawlBuilder(seed)
    add_math_pages(crawl)
    add_general_pages(crawl)
    add_foreign_pages(crawl)
    groups = add_near_duplicates(crawl)
    copied = add_contaminated_pages(crawl, math_rows, gsm_rows)
    add_edge_cases(crawl)
    crawl.rng.shuffle(crawl.fetches)
    corrupt = crawl.add_page(
        prose_math.math_article(crawl.rng, "calculus", paragraphs=12),
        "mathjax_script",
        "blog",
        ["math", "mathjax_script", "corrupt"],
    )
    corrupt.truncate = True
    return crawl.fetches, {"near_duplicate_groups": groups, "contamination": copied}


def write_warcs(fetches: list[Fetch], out_dir: Path, seed: int) -> list[dict[str, object]]:
    """Split the fetches over the two WARC files (the truncated one last) and write them; returns manifest rows."""
    out_dir.mkdir(parents=True, exist_ok=True)
    half = (len(fetches) - 1) // 2
    rows: list[dict[str, object]] = []
    for file_index, (name, part) in enumerate(zip(WARC_NAMES, [fetches[:half], fetches[half:]], strict=True)):
        builder = WarcBuilder(name, seed + file_index)
        for fetch in part:
            ip = f"10.{file_index}.{len(builder.records) % 250}.{len(builder.records) // 250 + 1}"
            record_id = builder.add_fetch(fetch.response, ip, fetch.truncate)
            rows.append(
                {
                    "file": f"web/{name}",
                    "record_index": len(builder.records) - 1,
                    "record_id": record_id,
                    "url": fetch.response.url,
                    "status": fetch.response.status,
                    "content_type": fetch.response.content_type,
                    "kinds": fetch.kinds,
                }
            )
        (out_dir / name).write_bytes(builder.to_bytes())
    return rows
