"""The open-web-math subset: WARC files in, filtered and deduplicated math pages (JSONL.gz) out.

``build_web_pipeline`` returns the stages as plain datatrove step lists with their task counts and
dependencies, so the same pipeline runs on a ``LocalPipelineExecutor`` or a ``SlurmPipelineExecutor``
(``mathlm data build`` picks): run each stage with ``stage.tasks`` tasks after ``stage.depends_on``.

Stage ``web/extract`` (one task per WARC file) runs, in order:

    FastWarcReader -> UrlBlacklistFilter -> MathPrefilter -> MathHtmlExtractor -> [SiteBoilerplateRemover]
    -> MinLengthFilter -> AccentedCharsFilter -> LanguageFilter -> MathScoreFilter -> [PerplexityFilter]
    -> JsonlWriter

The URL blacklist runs first: it needs only the URL, so blacklisted pages are never extracted. Lines a
site repeats across its pages go right after extraction, so the filters judge the text without them. The
perplexity filter is in the list only when a KenLM model is configured; otherwise the pipeline says
so (``WebPipeline.skipped`` and a log warning) instead of passing every page through a no-op.
Then four MinHash stages (``web/dedup-*``, see ``dedup.py``) remove near-duplicates and write the
final records: ``{"text", "id", "source": "open-web-math", "url", "metadata": {scores...}}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from datatrove.data import Document
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.writers import JsonlWriter
from datatrove.utils.logging import logger

from mathlm.proof_pile_2.stage import Stage
from mathlm.proof_pile_2.web.config import WebPipelineConfig
from mathlm.proof_pile_2.web.dedup import minhash_dedup_stages
from mathlm.proof_pile_2.web.extract_step import MathHtmlExtractor
from mathlm.proof_pile_2.web.langid import LanguageFilter
from mathlm.proof_pile_2.web.math_score import MathScoreFilter, make_math_scorer
from mathlm.proof_pile_2.web.perplexity import PerplexityFilter
from mathlm.proof_pile_2.web.prefilter import MathPrefilter
from mathlm.proof_pile_2.web.quality import AccentedCharsFilter, MinLengthFilter, UrlBlacklistFilter
from mathlm.proof_pile_2.web.site_boilerplate import SiteBoilerplateRemover
from mathlm.proof_pile_2.web.train import describe_training
from mathlm.proof_pile_2.web.warc import FastWarcReader

SOURCE_NAME = "open-web-math"
WARC_GLOB = "**/*.warc*"
# Metadata kept in the output records: where the page came from and how each filter scored it.
KEPT_METADATA = ("date", "warc_file", "found_math", "language", "language_score", "math_score", "perplexity")


@dataclass
class WebPipeline:
    """The stages in run order, the steps left out with why, and the trained models used (for the summary)."""

    stages: list[Stage]
    skipped: list[str] = field(default_factory=list)
    models: list[str] = field(default_factory=list)  # each trained model in use and what it was trained on


def web_record(writer: Any, document: Document) -> dict[str, Any]:
    """The output record of a page (a datatrove writer adapter; also reads back through JsonlReader)."""
    metadata = document.metadata
    return {
        "text": document.text,
        "id": document.id,
        "source": SOURCE_NAME,
        "url": metadata.get("url"),
        "metadata": {key: metadata[key] for key in KEPT_METADATA if key in metadata},
    }


def count_warc_files(input_dir: str | Path) -> int:
    """How many WARC files the reader will find (the natural number of extraction tasks)."""
    return sum(1 for path in Path(input_dir).glob(WARC_GLOB) if path.is_file())


def build_web_pipeline(
    cfg: WebPipelineConfig,
    input_dir: str | Path,
    output_dir: str | Path,
    work_dir: str | Path,
    tasks: int | None = None,
) -> WebPipeline:
    """The open-web-math stages reading WARC files under ``input_dir`` and writing ``output_dir``.

    ``work_dir`` holds the filtered pages before dedup, the dedup state and (optionally) the dropped
    pages. ``tasks`` defaults to one per WARC file.
    """
    work = Path(work_dir)
    tasks = tasks or max(1, count_warc_files(input_dir))
    skipped: list[str] = []
    models = [
        f"{role}: {describe_training(path)}"
        for role, path in (("math score", cfg.math_classifier), ("perplexity", cfg.kenlm_model))
        if path
    ]
    if not cfg.math_classifier:
        models.append(
            "math score: rule-based (no trained model; thresholds calibrated on tests/data/real_pages)"
        )
    if not cfg.kenlm_model:
        skipped.append("perplexity filter: no KenLM model configured (kenlm_model)")
        logger.warning(
            "open-web-math: no KenLM model configured, the perplexity filter is not in the pipeline"
        )
    filtered_dir = work / "filtered" if cfg.dedup.enabled else Path(output_dir)
    extract = Stage(
        "web/extract",
        [*extraction_steps(cfg, input_dir, work), JsonlWriter(str(filtered_dir), adapter=web_record)],
        tasks,
    )
    if not cfg.dedup.enabled:
        skipped.append("near-dedup: disabled (dedup.enabled=false)")
        return WebPipeline([extract], skipped, models)
    dedup = minhash_dedup_stages(
        filtered_dir,
        work / "minhash",
        output_dir,
        tasks,
        cfg.dedup,
        adapter=web_record,
        name="web/dedup",
        after=extract.name,
    )
    return WebPipeline([extract, *dedup], skipped, models)


def extraction_steps(cfg: WebPipelineConfig, input_dir: str | Path, work_dir: Path) -> list[PipelineStep]:
    """Reader, filters and extractor of the ``web/extract`` stage, in order (no writer)."""

    def excluded(name: str) -> dict[str, JsonlWriter]:
        return (
            {"exclusion_writer": JsonlWriter(str(work_dir / "excluded" / name))} if cfg.keep_excluded else {}
        )

    steps: list[PipelineStep] = [
        FastWarcReader(str(input_dir), glob_pattern=WARC_GLOB),
        UrlBlacklistFilter(cfg.url_blacklist, cfg.url_blacklist_file, **excluded("url_blacklist")),
        MathPrefilter(cfg.prefilter_min_score, cfg.prefilter_min_chars, **excluded("prefilter")),
        MathHtmlExtractor(timeout=cfg.extract_timeout_s),
    ]
    site = cfg.site_boilerplate
    if site.enabled:
        steps.append(SiteBoilerplateRemover(site.min_pages, site.min_share, site.min_kept_share, site.window))
    steps += [
        MinLengthFilter(cfg.min_chars, **excluded("too_short")),
        AccentedCharsFilter(cfg.max_accented_ratio, **excluded("accented_chars")),
        LanguageFilter(cfg.languages, cfg.language_threshold, **excluded("language")),
        MathScoreFilter(
            make_math_scorer(cfg.math_classifier),
            cfg.math_threshold,
            cfg.found_math_threshold,
            cfg.final_math_threshold,
            **excluded("math_score"),
        ),
    ]
    if cfg.kenlm_model:
        steps.append(
            PerplexityFilter(
                cfg.kenlm_model, cfg.max_perplexity, cfg.final_max_perplexity, **excluded("perplexity")
            )
        )
    return steps
