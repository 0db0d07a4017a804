"""The extractor over every HTML page of the embedded sample crawl (``mathlm/assets/sample/web``)."""

from __future__ import annotations

import json

from fastwarc.warc import ArchiveIterator, WarcRecordType

from mathlm.assets import SAMPLE_DATA_DIR
from mathlm.proof_pile_2.web.extract import decode_html, extract_math_text

# Manifest kinds that say how a page writes its math; a page with one of them must keep math.
MATH_MARKUP_KINDS = {
    "mathjax_dollar",
    "mathjax_script",
    "mathjax_paren",
    "katex",
    "mathml",
    "codecogs",
    "wikipedia",
    "wordpress",
    "latex_no_mathjax",
    "asciimath",
}


def sample_pages() -> list[tuple[dict, str]]:
    """(manifest record, decoded HTML) for every HTML response of the sample WARCs."""
    manifest = json.loads((SAMPLE_DATA_DIR / "manifest.json").read_text())["web"]
    records = {record["record_id"]: record for record in manifest["records"]}
    pages = []
    for name in manifest["files"]:
        with open(SAMPLE_DATA_DIR / name, "rb") as stream:
            for response in ArchiveIterator(stream, record_types=WarcRecordType.response):
                content_type = response.http_headers.get("Content-Type", "")
                if "html" in content_type:
                    record = records[response.headers.get("WARC-Record-ID")]
                    pages.append((record, decode_html(response.reader.read(), content_type)))
    return pages


def test_every_sample_page_extracts_and_math_pages_keep_their_math():
    pages = sample_pages()
    assert len(pages) > 150
    math_pages = 0
    for record, html in pages:
        page = extract_math_text(html, url=record["url"])  # never raises, whatever the page
        kinds = {kind.split(":")[0] for kind in record["kinds"]}
        if kinds & MATH_MARKUP_KINDS:
            math_pages += 1
            assert page.found_math and page.math_fragments, f"{record['url']} {record['kinds']}: math lost"
            assert all(latex in page.text for latex in page.math_fragments), record["url"]
        if "non_math" in kinds:
            assert not page.found_math, f"{record['url']}: math on a non-math page: {page.math_fragments[:3]}"
    assert math_pages > 100
