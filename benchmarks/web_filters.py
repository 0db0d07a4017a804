"""Precision and recall of each open-web-math filter stage on the real-page corpus.

Each page of ``tests/data/real_pages`` goes through the stages of ``web/extract`` with the default
settings (``WebPipelineConfig()``), in pipeline order, and each stage is also judged alone on every page:

- positives are the math pages with recoverable LaTeX (``latex`` in the manifest); plain-text math pages
  (texinfo, GAPDoc without MathJax) are reported separately, as OpenWebMath's design does not aim at them;
- a stage's precision is the share of LaTeX math pages among the pages it keeps, its recall the share of
  LaTeX math pages it keeps.

    python -m benchmarks.web_filters                                   # rule-based math score
    python -m benchmarks.web_filters --classifier clf.bin --kenlm math.arpa   # with trained models
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from datatrove.data import Document

from benchmarks.extract_html import RealPage, load_corpus
from mathlm.console import console, summary_table
from mathlm.proof_pile_2.web.config import WebPipelineConfig
from mathlm.proof_pile_2.web.extract import extract_math_text
from mathlm.proof_pile_2.web.langid import LanguageFilter
from mathlm.proof_pile_2.web.math_score import MathScoreFilter, make_math_scorer
from mathlm.proof_pile_2.web.prefilter import MathPrefilter
from mathlm.proof_pile_2.web.quality import AccentedCharsFilter, MinLengthFilter


@dataclass
class Verdicts:
    """Per page, whether each stage keeps it (judged alone) and the scores seen."""

    page: RealPage
    kept: dict[str, bool]
    scores: dict[str, float]


def stage_filters(cfg: WebPipelineConfig, classifier: str | None, kenlm: str | None) -> dict:
    filters = {
        "prefilter": MathPrefilter(cfg.prefilter_min_score, cfg.prefilter_min_chars),
        "min length": MinLengthFilter(cfg.min_chars),
        "accented chars": AccentedCharsFilter(cfg.max_accented_ratio),
        "language": LanguageFilter(cfg.languages, cfg.language_threshold),
        "math score": MathScoreFilter(
            make_math_scorer(classifier),
            cfg.math_threshold,
            cfg.found_math_threshold,
            cfg.final_math_threshold,
        ),
    }
    if kenlm:
        from mathlm.proof_pile_2.web.perplexity import PerplexityFilter

        filters["perplexity"] = PerplexityFilter(kenlm, cfg.max_perplexity, cfg.final_max_perplexity)
    return filters


def judge(page: RealPage, filters: dict) -> Verdicts:
    """Each stage alone on the page (text stages on its extracted text)."""
    kept = {"prefilter": filters["prefilter"].filter(Document(text=page.html, id=page.id)) is True}
    extracted = extract_math_text(page.html)
    kept["extraction"] = bool(extracted.text.strip())
    scores: dict[str, float] = {}
    for name, step in filters.items():
        if name == "prefilter":
            continue
        doc = Document(text=extracted.text, id=page.id, metadata={"found_math": extracted.found_math})
        kept[name] = step.filter(doc) is True
        scores.update({key: value for key, value in doc.metadata.items() if isinstance(value, float)})
    return Verdicts(page, kept, scores)


def rows(verdicts: list[Verdicts]) -> list[dict]:
    """One row per stage alone, then the whole pipeline."""
    stages = list(verdicts[0].kept)
    out = []
    for stage in [*stages, "pipeline"]:

        def keeps(verdict: Verdicts, stage: str = stage) -> bool:
            return all(verdict.kept.values()) if stage == "pipeline" else verdict.kept[stage]

        kept = [v for v in verdicts if keeps(v)]
        latex = [v for v in verdicts if v.page.latex]
        plain = [v for v in verdicts if v.page.math and not v.page.latex]
        other = [v for v in verdicts if not v.page.math]
        true = sum(v.page.latex for v in kept)
        out.append(
            {
                "stage": stage,
                "kept": len(kept),
                "precision %": round(100 * true / len(kept), 1) if kept else 100.0,
                "precision % (any math)": round(100 * sum(v.page.math for v in kept) / len(kept), 1)
                if kept
                else 100.0,
                "recall %": round(100 * true / len(latex), 1),
                "LaTeX math kept": f"{true}/{len(latex)}",
                "plain-text math kept": f"{sum(keeps(v) for v in plain)}/{len(plain)}",
                "non-math kept": f"{sum(keeps(v) for v in other)}/{len(other)}",
            }
        )
    return out


def margins(verdicts: list[Verdicts]) -> list[dict]:
    """The lowest score of a LaTeX math page and the highest of a non-math page, per score."""
    out = []
    for key in sorted({key for v in verdicts for key in v.scores}):
        math = [v.scores[key] for v in verdicts if v.page.latex and key in v.scores]
        other = [v.scores[key] for v in verdicts if not v.page.math and key in v.scores]
        out.append(
            {
                "score": key,
                "LaTeX math min": round(min(math), 3) if math else "-",
                "LaTeX math max": round(max(math), 3) if math else "-",
                "non-math min": round(min(other), 3) if other else "-",
                "non-math max": round(max(other), 3) if other else "-",
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--classifier", type=Path, default=None, help="fastText math classifier (default: rules)"
    )
    parser.add_argument("--kenlm", type=Path, default=None, help="KenLM model for the perplexity stage")
    args = parser.parse_args()
    filters = stage_filters(
        WebPipelineConfig(),
        str(args.classifier) if args.classifier else None,
        str(args.kenlm) if args.kenlm else None,
    )
    verdicts = [judge(page, filters) for page in load_corpus()]
    console.print(summary_table("Each stage alone and the whole pipeline on the real pages", rows(verdicts)))
    console.print(summary_table("Scores: LaTeX math pages vs non-math pages", margins(verdicts)))
    lost = [
        {"page": v.page.id, "dropped by": ", ".join(k for k, ok in v.kept.items() if not ok)}
        for v in verdicts
        if v.page.latex and not all(v.kept.values())
    ]
    console.print(summary_table("LaTeX math pages the pipeline drops", lost or [{"page": "none"}]))


if __name__ == "__main__":
    main()
