"""Settings of the open-web-math pipeline and its MinHash near-dedup: schemas only, so that a data-build
config validates without importing datatrove or the web steps (:mod:`.pipeline` and :mod:`.dedup` use them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from mathlm.config import ConfigModel

if TYPE_CHECKING:
    from datatrove.pipeline.dedup.minhash import MinhashConfig


class DedupConfig(ConfigModel):
    """MinHash near-dedup settings (see the module docstring for what they mean)."""

    enabled: bool = Field(True, description="Run the four MinHash stages after the filters.")
    n_grams: int = Field(5, ge=1, description="Words per shingle.")
    num_buckets: int = Field(14, ge=1, description="LSH bands; the buckets stage runs one task per band.")
    hashes_per_bucket: int = Field(8, ge=1, description="MinHash values per band.")
    seed: int = Field(1, description="Seed of the hash permutations (the same on every task).")

    def minhash_config(self) -> MinhashConfig:
        from datatrove.pipeline.dedup.minhash import MinhashConfig

        return MinhashConfig(
            n_grams=self.n_grams,
            num_buckets=self.num_buckets,
            hashes_per_bucket=self.hashes_per_bucket,
            seed=self.seed,
        )


class SiteBoilerplateConfig(ConfigModel):
    """Removal of the lines a host repeats across its pages within a task (see ``site_boilerplate.py``)."""

    enabled: bool = Field(True, description="Run the step right after extraction.")
    min_pages: int = Field(3, ge=2, description="A line must be on at least this many pages of a host...")
    min_share: float = Field(0.5, gt=0, le=1, description="...and on at least this share of them.")
    min_kept_share: float = Field(
        0.3, ge=0, le=1, description="A page that would keep less of its characters is left whole."
    )
    window: int = Field(10_000, ge=2, description="Documents of a task judged together (bounds memory).")


class WebPipelineConfig(ConfigModel):
    """Settings of the open-web-math pipeline; defaults are OpenWebMath's published thresholds."""

    url_blacklist: list[str] = Field(default_factory=list, description="Domains to drop (subdomains too).")
    url_blacklist_file: str | None = Field(None, description="File with one blacklisted domain per line.")
    prefilter_min_score: float = Field(
        0.8, ge=0, le=1, description="Rule math score a page without LaTeX commands needs."
    )
    prefilter_min_chars: int = Field(500, ge=0, description="...and the text length it needs.")
    extract_timeout_s: float = Field(
        5.0,
        gt=0,
        description="Wall seconds one page may spend in the extractor before it is dropped (dropped_timeout). "
        "A typical page takes milliseconds; the cap is for pathological pages, with room for a busy node.",
    )
    min_chars: int = Field(100, ge=0, description="Drop extracted texts shorter than this.")
    max_accented_ratio: float = Field(
        0.015, ge=0, le=1, description="Drop texts with a larger share of accented letters."
    )
    languages: list[str] = Field(
        default_factory=lambda: ["en"], description="lid.176 language codes to keep."
    )
    language_threshold: float = Field(
        0.5, ge=0, le=1, description="Minimum probability of the kept language."
    )
    math_classifier: str | None = Field(
        None, description="fastText math classifier; empty: rule-based score."
    )
    math_threshold: float = Field(
        0.8, ge=0, le=1, description="Math score needed when the extractor found no math markup."
    )
    found_math_threshold: float = Field(
        0.15, ge=0, le=1, description="Math score needed when it found math markup."
    )
    final_math_threshold: float = Field(0.17, ge=0, le=1, description="Math score every kept page needs.")
    kenlm_model: str | None = Field(
        None, description="KenLM model (ARPA/binary); empty: no perplexity filter."
    )
    max_perplexity: float = Field(30_000, gt=0, description="Extraction-stage perplexity limit.")
    final_max_perplexity: float = Field(15_000, gt=0, description="Final perplexity limit.")
    keep_excluded: bool = Field(False, description="Write every dropped page under WORK/excluded/<filter>/.")
    site_boilerplate: SiteBoilerplateConfig = Field(default_factory=SiteBoilerplateConfig)
    dedup: DedupConfig = Field(default_factory=DedupConfig)
