"""Settings of the decontamination step; embedded as a section of the data build config."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from mathlm.benchmarks import BENCHMARKS, decontamination_targets
from mathlm.benchmarks.ngrams import DEFAULT_MIN_WORDS
from mathlm.config import ConfigModel


class DecontaminationConfig(ConfigModel):
    """Which test sets to check against and what to do with a document that overlaps one.

    A document is contaminated by a benchmark when at least ``threshold`` of its word ``n``-grams occur in
    that benchmark's test items (see :mod:`mathlm.benchmarks.ngrams` for normalization and short items).
    ``remove`` drops it with reason ``contaminated:<benchmark>``; ``flag`` keeps it and records the hits
    in its metadata. Independently, hits at ``report_n`` (30 as in the Llemma analysis) are collected for
    the contamination report.
    """

    enabled: bool = True
    mode: Literal["remove", "flag"] = "remove"
    benchmarks: list[str] = Field(
        default_factory=decontamination_targets,
        description="Test sets to check against; default: every registered decontamination target.",
    )
    exclude: list[str] = Field(default_factory=list, description="Benchmarks to leave out of `benchmarks`.")
    fields: Literal["problem", "solution", "both"] = "both"
    n: int = Field(13, ge=1, description="Words per n-gram for removal/flagging.")
    threshold: int = Field(
        1, ge=1, description="Matching n-grams with one benchmark that make a document contaminated."
    )
    min_words: int = Field(
        DEFAULT_MIN_WORDS,
        ge=1,
        description="Test texts shorter than n but at least this long count as one n-gram.",
    )
    report_n: int | None = Field(30, ge=1, description="n of the overlap report; null disables the report.")
    report_examples: int = Field(5, ge=0, description="Examples per benchmark in the report.")

    @field_validator("benchmarks", "exclude")
    @classmethod
    def _known_benchmarks(cls, names: list[str]) -> list[str]:
        unknown = [name for name in names if name not in BENCHMARKS]
        if unknown:
            raise ValueError(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return names

    @model_validator(mode="after")
    def _some_target(self) -> DecontaminationConfig:
        if not self.targets():
            raise ValueError(
                "no benchmark left to check against (benchmarks minus exclude); "
                "list one, or set enabled: false"
            )
        return self

    def targets(self) -> list[str]:
        """The benchmarks to check against: ``benchmarks`` without ``exclude``."""
        return [name for name in self.benchmarks if name not in self.exclude]

    def report_lengths(self) -> list[int]:
        """The n-gram lengths whose hits are recorded: ``n`` and, when set, ``report_n``."""
        return sorted({self.n, *([self.report_n] if self.report_n else [])})
