"""The open-web-math pipeline end to end on the embedded sample crawl, with datatrove's local executor.

The sample's manifest says what each WARC record is (math markup kind, non-English, near-duplicate,
corrupt, ...), so the test checks the output against what a user of the subset relies on.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.writers import JsonlWriter

from mathlm.assets import SAMPLE_DATA_DIR
from mathlm.config import ConfigError, validate_config
from mathlm.proof_pile_2.stage import Stage
from mathlm.proof_pile_2.web.extract_step import MathHtmlExtractor
from mathlm.proof_pile_2.web.langid import LanguageFilter
from mathlm.proof_pile_2.web.math_score import FastTextMathScorer, MathScoreFilter
from mathlm.proof_pile_2.web.perplexity import PerplexityFilter
from mathlm.proof_pile_2.web.pipeline import WebPipelineConfig, build_web_pipeline
from mathlm.proof_pile_2.web.prefilter import MathPrefilter
from mathlm.proof_pile_2.web.quality import AccentedCharsFilter, MinLengthFilter, UrlBlacklistFilter
from mathlm.proof_pile_2.web.site_boilerplate import SiteBoilerplateRemover
from mathlm.proof_pile_2.web.train import train_kenlm, train_math_classifier
from mathlm.proof_pile_2.web.warc import FastWarcReader

WARCS = SAMPLE_DATA_DIR / "web"
CORPORA = SAMPLE_DATA_DIR / "corpora"
MANIFEST = json.loads((SAMPLE_DATA_DIR / "manifest.json").read_text(encoding="utf-8"))["web"]
MARKUP_KINDS = {
    "mathjax_dollar",
    "mathjax_paren",
    "mathjax_script",
    "katex",
    "mathml",
    "codecogs",
    "wordpress",
    "wikipedia",
    "latex_no_mathjax",
}


def kinds_of(url: str) -> list[str]:
    return next(record["kinds"] for record in MANIFEST["records"] if record["url"] == url)


def read_jsonl_gz(folder: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl.gz")) for line in gzip.open(path, "rt")]


def stage_stats(logs: Path, stage: str) -> dict[str, dict]:
    """Each step's counters from the stats.json datatrove wrote for a stage, by step name."""
    steps = json.loads((logs / stage / "stats.json").read_text(encoding="utf-8"))
    return {step["name"].split(": ", 1)[1]: step["stats"] for step in steps}


def counter(stats: dict, key: str) -> int:
    value = stats.get(key, 0)
    return int(value["total"] if isinstance(value, dict) else value)


def run_locally(stages: list[Stage], logs: Path) -> None:
    """Each stage on datatrove's local executor, in order (each depends on the one before)."""
    for stage in stages:
        LocalPipelineExecutor(
            stage.steps, tasks=stage.tasks, workers=2, logging_dir=str(logs / stage.name.replace("/", "_"))
        ).run()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full run with both trained models, 2 tasks (one per WARC file) on 2 workers."""
    root = tmp_path_factory.mktemp("web")
    train_kenlm(CORPORA / "math.jsonl", root / "math.arpa", order=5)
    train_math_classifier(CORPORA / "math.jsonl", CORPORA / "general.jsonl", root / "clf.bin", epochs=10)
    cfg = WebPipelineConfig(kenlm_model=str(root / "math.arpa"), math_classifier=str(root / "clf.bin"))
    pipeline = build_web_pipeline(cfg, WARCS, root / "out", root / "work")
    assert pipeline.skipped == []
    run_locally(pipeline.stages, root / "logs")
    return root


def test_stages_are_ordered_with_their_dependencies_and_task_counts(tmp_path: Path) -> None:
    pipeline = build_web_pipeline(WebPipelineConfig(), WARCS, tmp_path / "out", tmp_path / "work")
    assert [(s.name, s.tasks, s.depends_on) for s in pipeline.stages] == [
        ("web/extract", 2, ()),
        ("web/dedup-signatures", 2, ("web/extract",)),
        ("web/dedup-buckets", 14, ("web/dedup-signatures",)),
        ("web/dedup-cluster", 1, ("web/dedup-buckets",)),
        ("web/dedup-filter", 2, ("web/dedup-cluster",)),
    ]
    assert [type(step) for step in pipeline.stages[0].steps] == [
        FastWarcReader,
        UrlBlacklistFilter,
        MathPrefilter,
        MathHtmlExtractor,
        SiteBoilerplateRemover,
        MinLengthFilter,
        AccentedCharsFilter,
        LanguageFilter,
        MathScoreFilter,
        JsonlWriter,
    ]
    assert any("perplexity" in note for note in pipeline.skipped)


def test_perplexity_step_and_models_are_used_when_configured(tmp_path: Path, run: Path) -> None:
    cfg = WebPipelineConfig(
        kenlm_model=str(run / "math.arpa"), math_classifier=str(run / "clf.bin"), dedup={"enabled": False}
    )
    pipeline = build_web_pipeline(cfg, WARCS, tmp_path / "out", tmp_path / "work", tasks=1)
    steps = pipeline.stages[0].steps
    assert [stage.name for stage in pipeline.stages] == ["web/extract"]
    assert isinstance(steps[-2], PerplexityFilter) and isinstance(steps[-3].scorer, FastTextMathScorer)
    assert pipeline.skipped == ["near-dedup: disabled (dedup.enabled=false)"]


def test_config_rejects_unknown_keys() -> None:
    with pytest.raises(ConfigError, match="unknown key 'langauges'"):
        validate_config({"langauges": ["en"]}, WebPipelineConfig)


def test_output_holds_english_math_pages_only(run: Path) -> None:
    records = read_jsonl_gz(run / "out")
    assert records, "the pipeline kept nothing"
    for record in records:
        kinds = kinds_of(record["url"])
        assert "math" in kinds and not any(kind.startswith("non_english") for kind in kinds), record["url"]
        assert record["source"] == "open-web-math"
        assert set(record["metadata"]) >= {
            "language",
            "language_score",
            "math_score",
            "perplexity",
            "found_math",
        }
        assert record["metadata"]["language"] == "en"


def test_math_pages_of_every_markup_kind_are_kept(run: Path) -> None:
    kept = {record["url"] for record in read_jsonl_gz(run / "out")}
    english_math = [
        r
        for r in MANIFEST["records"]
        if "math" in r["kinds"]
        and MARKUP_KINDS & set(r["kinds"])
        and not any(k.startswith(("non_english", "near_duplicate")) or k == "corrupt" for k in r["kinds"])
    ]
    kept_math = [r for r in english_math if r["url"] in kept]
    assert len(kept_math) >= 0.9 * len(english_math)
    assert {kind for r in kept_math for kind in r["kinds"]} >= MARKUP_KINDS


def test_non_english_pages_are_dropped_by_language_filters(run: Path) -> None:
    stats = stage_stats(run / "logs", "web_extract")
    assert counter(stats["🌍 Language ID (lid.176)"], "dropped_language") >= 1
    extracted = {record["url"] for record in read_jsonl_gz(run / "work" / "filtered")}
    foreign = [r["url"] for r in MANIFEST["records"] if any(k.startswith("non_english") for k in r["kinds"])]
    assert foreign and not extracted & set(foreign)


def test_one_page_per_near_duplicate_group_survives(run: Path) -> None:
    kept = {record["url"] for record in read_jsonl_gz(run / "out")}
    filtered = {record["url"] for record in read_jsonl_gz(run / "work" / "filtered")}
    for group in MANIFEST["near_duplicate_groups"]:
        if set(group) & filtered:
            assert len(set(group) & kept) == 1, group


def test_corrupt_and_non_html_records_are_counted(run: Path) -> None:
    reader = stage_stats(run / "logs", "web_extract")["🕷 FastWARC"]
    assert counter(reader, "corrupt_record") == 1
    assert counter(reader, "non_html") == 2
    assert counter(reader, "input_files") == 2
