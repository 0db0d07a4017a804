"""The extractor as a datatrove step and as ``mathlm data extract-html``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from mathlm.proof_pile_2.web.extract_step import MathHtmlExtractor

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def stat(step: MathHtmlExtractor, name: str) -> float:
    return step.stats[name].total


def test_step_extracts_records_metadata_and_counts_every_drop():
    # A page that takes seconds (40,000 formulas) against a half-second budget.
    slow_page = "<p>" + "<math><mfrac><mi>a</mi><msqrt><mi>b</mi></msqrt></mfrac></math> " * 40_000 + "</p>"
    docs = [
        Document(text=fixture_text("katex_notes.html"), id="katex", metadata={"url": "https://a.example/l4"}),
        Document(text="<html><body><nav>Home</nav><script>var x;</script></body></html>", id="empty"),
        Document(text=slow_page, id="slow"),
        Document(text=None, id="no-text"),  # a reader that produced no text at all
        Document(text=fixture_text("text_delimiters.html"), id="forum"),
    ]
    step = MathHtmlExtractor(timeout=0.5)
    out = list(step.run(iter(docs)))

    assert [doc.id for doc in out] == ["katex", "forum"]
    katex = out[0]
    assert katex.text.startswith("Lecture 4: Gaussian integrals\n\nWe want to compute $I = \\int_{-\\infty}")
    assert katex.metadata == {
        "url": "https://a.example/l4",
        "found_math": True,
        "math_fragments": 5,
        "title": "Lecture 4: Gaussian integrals",
    }
    assert out[1].metadata["math_fragments"] == 11
    assert stat(step, "total") == 5
    assert stat(step, "forwarded") == 2
    assert stat(step, "dropped_empty") == 1
    assert stat(step, "dropped_timeout") == 1
    assert stat(step, "dropped_parse_error") == 1
    assert stat(step, "math_katex") == 5
    assert stat(step, "math_text_delimited") == 11
    assert stat(step, "found_math") == 2


def test_step_runs_in_a_datatrove_pipeline(tmp_path: Path):
    pages = tmp_path / "html"
    pages.mkdir()
    with open(pages / "pages.jsonl", "w", encoding="utf-8") as handle:
        for name in ("mathjax_blog.html", "wikipedia_article.html", "boilerplate_heavy.html"):
            record = {"id": name, "text": fixture_text(name), "metadata": {"url": name}}
            handle.write(json.dumps(record) + "\n")
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(pages)),
            MathHtmlExtractor(),
            JsonlWriter(str(tmp_path / "text"), compression=None),
        ],
        tasks=1,
        logging_dir=str(tmp_path / "logs"),
    ).run()
    records = [json.loads(line) for line in (tmp_path / "text" / "00000.jsonl").read_text().splitlines()]
    assert [record["id"] for record in records] == [
        "mathjax_blog.html",
        "wikipedia_article.html",
        "boilerplate_heavy.html",
    ]
    assert all(record["metadata"]["found_math"] for record in records)
    assert "\n$$e^{i\\pi }+1=0$$\n" in records[1]["text"]
    assert [record["metadata"]["math_fragments"] for record in records] == [7, 4, 2]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mathlm.cli", "data", "extract-html", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_prints_text_or_json():
    page = FIXTURES / "latin1.html"
    text = run_cli(str(page))
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("Le théorème de Pythagore\n")
    assert "\n$$a^2 + b^2 = c^2$$\n" in text.stdout

    as_json = run_cli(
        str(FIXTURES / "wikipedia_article.html"), "--url", "https://en.wikipedia.org/wiki/X", "--json"
    )
    assert as_json.returncode == 0, as_json.stderr
    page_json = json.loads(as_json.stdout)
    assert page_json["title"] == "Euler's identity - Wikipedia"
    assert page_json["math_fragments"] == [r"e^{i\pi }+1=0", "e", "i^{2}=-1", r"x=\pi"]
    assert page_json["found_math"] is True
    assert page_json["math_stats"] == {"wikipedia_image": 4}


def test_cli_missing_file_is_a_clear_error(tmp_path: Path):
    missing = run_cli(str(tmp_path / "nope.html"))
    assert missing.returncode == 2
    assert "nope.html: no such file" in " ".join(missing.stderr.split())
