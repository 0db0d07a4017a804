"""`mathlm data build` (web subset only) on the real-page corpus packed into a WARC file.

Every math page with recoverable LaTeX must come out (unless a near-duplicate of a page that did), and
every non-math page must be dropped by a filter that says so (``keep_excluded`` writes each dropped page
under the folder of the filter that dropped it).
"""

from __future__ import annotations

import gzip
import json
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mathlm.config import validate_config
from mathlm.proof_pile_2.build import run_build
from mathlm.proof_pile_2.config import DataBuildConfig
from mathlm.proof_pile_2.web.extract import extract_math_text

CORPUS = Path(__file__).resolve().parents[2] / "data" / "real_pages"
MANIFEST = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["pages"]
NEAR_DUPLICATE_JACCARD = 0.5


def url_of(entry: dict) -> str:
    return f"https://{entry['package']}.example.org/{entry['id']}.html"


def pack_warc(path: Path) -> None:
    """One response record per corpus page, the bytes as the package ships them."""
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for entry in MANIFEST:
            body = (CORPUS / entry["file"]).read_bytes()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url_of(entry), "response", payload=BytesIO(body), http_headers=http)
            )


def read_urls(folder: Path) -> set[str]:
    urls = set()
    for path in folder.rglob("*.jsonl.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                urls.add(record.get("url") or record.get("metadata", {}).get("url"))
    return urls


def shingles(text: str) -> set[tuple[str, ...]]:
    words = text.split()
    return {tuple(words[i : i + 5]) for i in range(max(1, len(words) - 4))}


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("real-pages")
    (root / "warcs").mkdir()
    pack_warc(root / "warcs" / "real-pages.warc.gz")
    config = validate_config(
        {
            "executor": "local",
            "arxiv": {"enabled": False},
            "code": {"enabled": False},
            "web": {
                "warcs": str(root / "warcs"),
                "tasks": 1,
                "workers": 1,
                "pipeline": {"keep_excluded": True},
            },
            "decontamination": {"mode": "remove", "report_n": None},
            "output": {"format": "jsonl.gz", "tasks": 1},
        },
        DataBuildConfig,
    )
    return run_build(config, root / "work")


@pytest.mark.slow
def test_every_latex_math_page_survives_unless_a_near_duplicate_of_a_kept_one(build) -> None:
    kept = read_urls(build.workdir / "open-web-math")
    texts = {
        entry["id"]: shingles(
            extract_math_text((CORPUS / entry["file"]).read_text(encoding="utf-8", errors="replace")).text
        )
        for entry in MANIFEST
        if entry["latex"]
    }
    kept_ids = [entry["id"] for entry in MANIFEST if url_of(entry) in kept]
    assert len(set(kept_ids) & set(texts)) >= len(texts) - 3  # the corpus has two near-duplicate pairs
    for entry in MANIFEST:
        if not entry["latex"] or url_of(entry) in kept:
            continue
        mine = texts[entry["id"]]
        twins = [
            other
            for other in kept_ids
            if other in texts
            and len(mine & texts[other]) / len(mine | texts[other]) >= NEAR_DUPLICATE_JACCARD
        ]
        assert twins, f"{entry['id']} was lost and no near-duplicate of it was kept"


@pytest.mark.slow
def test_every_non_math_page_is_dropped_with_its_reason(build) -> None:
    kept = read_urls(build.workdir / "open-web-math")
    excluded = build.workdir / "work" / "open-web-math" / "excluded"
    reasons = {folder.name: read_urls(folder) for folder in excluded.iterdir() if folder.is_dir()}
    for entry in MANIFEST:
        if entry["math"]:
            continue
        url = url_of(entry)
        assert url not in kept, entry["id"]
        assert [name for name, urls in reasons.items() if url in urls], (
            f"{entry['id']}: dropped without a reason"
        )


@pytest.mark.slow
def test_no_real_page_is_removed_as_contaminated(build) -> None:
    steps = next(stage for stage in build.stats["stages"] if stage["stage"] == "final/decontaminate")["steps"]
    contaminated = {
        label: count
        for step in steps
        for label, count in step["counters"].items()
        if label.startswith("contaminated")
    }
    assert contaminated == {}


@pytest.mark.slow
def test_site_boilerplate_step_ran_on_the_hosts_with_several_pages(build) -> None:
    extract = next(stage for stage in build.stats["stages"] if stage["stage"].endswith("web/extract"))
    site = next(step for step in extract["steps"] if "Site boilerplate" in step["step"])
    counters = site["counters"]
    # each package is one host: the prefiltered pages of libitpp-doc, python-mpmath-doc, ... are judged together
    assert counters["total"] == counters["forwarded"] > 0
    assert counters["site_pages"] > 0 and counters["lines_removed"] >= 1  # Doxygen's "Detailed Description"
