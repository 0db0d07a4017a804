"""The schema of ``mathlm data build`` configs (``configs/data/*.yaml``): inputs and settings per subset,
executor, decontamination, output.

Schemas only: loading and validating a data-build config imports neither datatrove nor any pipeline
step (a test checks this), so tools that only read or check configs stay fast.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from mathlm.config import ConfigModel
from mathlm.proof_pile_2.arxiv.latex import MIN_DOCUMENT_CHARS
from mathlm.proof_pile_2.code.languages import LANGUAGES
from mathlm.proof_pile_2.decontamination.config import DecontaminationConfig
from mathlm.proof_pile_2.web.config import WebPipelineConfig
from mathlm.slurm.jobs import SlurmResources, TimeLimit

LocalWorkers = Annotated[int, Field(description="Local executor: tasks run at once (-1: one per CPU).")]


def _require_input(enabled: bool, given: str | None, subset: str, keys: str) -> None:
    if enabled and not given:
        raise ValueError(
            f"set {subset}.{keys.replace(' or ', f' or {subset}.')}, or disable the subset with "
            f"{subset}.enabled: false"
        )


class SlurmSettings(SlurmResources):
    """Resources of each job array (``executor: slurm``): the shared Slurm resources (see
    :func:`mathlm.slurm.jobs.datatrove_executor_kwargs`) plus datatrove's per-CPU memory and the polling.
    """

    time: TimeLimit = Field("04:00:00", description="Time limit of each task.")
    mem_per_cpu_gb: int = Field(2, ge=1)
    venv_path: str | None = Field(
        None, description="bin/activate of the venv the jobs use; empty: this venv's."
    )
    job_name_prefix: str = "mathlm-data"
    poll_seconds: float = Field(2.0, gt=0, description="How often to check on the jobs.")


class ArxivBuildConfig(ConfigModel):
    """The arXiv subset: a folder of source submissions and/or a folder of RedPajama arXiv JSONL."""

    enabled: bool = True
    tarballs: str | None = Field(
        None, description="Folder of .tar.gz/.tar/.gz/.tex submissions ('sample:arxiv')."
    )
    redpajama_jsonl: str | None = Field(None, description="Folder of RedPajama arXiv JSONL(.gz) files.")
    min_chars: int = Field(
        MIN_DOCUMENT_CHARS, ge=0, description="Drop papers shorter than this once cleaned (templates, stubs)."
    )
    tasks: int = Field(1, ge=1)
    workers: LocalWorkers = -1
    keep_excluded: bool = Field(False, description="Write dropped papers under WORKDIR/work/arxiv/excluded/.")

    @model_validator(mode="after")
    def _has_input(self) -> ArxivBuildConfig:
        _require_input(
            self.enabled, self.tarballs or self.redpajama_jsonl, "arxiv", "tarballs or redpajama_jsonl"
        )
        return self


class WebBuildConfig(ConfigModel):
    """The open-web-math subset: a folder of WARC files and the web pipeline's settings."""

    enabled: bool = True
    warcs: str | None = Field(None, description="Folder of WARC files ('sample:web').")
    tasks: int | None = Field(None, ge=1, description="Extraction tasks; empty: one per WARC file.")
    workers: LocalWorkers = -1
    pipeline: WebPipelineConfig = Field(default_factory=WebPipelineConfig)

    @model_validator(mode="after")
    def _has_input(self) -> WebBuildConfig:
        _require_input(self.enabled, self.warcs, "web", "warcs")
        return self


class CodeBuildConfig(ConfigModel):
    """The algebraic-stack subset: the-stack-style files and/or local source trees."""

    enabled: bool = True
    stack_files: str | None = Field(None, description="Folder of the-stack Parquet/JSONL files.")
    source_trees: str | None = Field(
        None, description="Folder of repositories, ROOT/<repo>/... ('sample:code')."
    )
    languages: list[str] = Field(default_factory=lambda: list(LANGUAGES))
    tex_english_threshold: float = Field(0.5, ge=0, le=1)
    dedup: bool = Field(True, description="Exact dedup of 2,048-character chunks.")
    dedup_buckets: int = Field(1, ge=1, description="Hash buckets (= tasks) of the duplicate finder.")
    keep_excluded: bool = Field(
        False, description="Write dropped files under WORKDIR/work/algebraic-stack/excluded/<step>/."
    )
    tasks: int = Field(1, ge=1)
    workers: LocalWorkers = -1

    @model_validator(mode="after")
    def _has_input(self) -> CodeBuildConfig:
        _require_input(
            self.enabled, self.stack_files or self.source_trees, "code", "stack_files or source_trees"
        )
        return self

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, names: list[str]) -> list[str]:
        unknown = sorted(set(names) - set(LANGUAGES))
        if unknown:
            raise ValueError(
                f"unknown language(s) {unknown}; AlgebraicStack languages: {', '.join(LANGUAGES)}"
            )
        return names


class OutputConfig(ConfigModel):
    """Format of the final documents and the split fractions (by a stable hash of the document id)."""

    format: Literal["jsonl.gz", "parquet"] = "jsonl.gz"
    tasks: int | None = Field(
        None,
        ge=1,
        description="Tasks of the final stage (decontamination, split, writing); empty: widest subset's.",
    )
    validation_fraction: float = Field(0.005, ge=0, lt=0.5)
    test_fraction: float = Field(0.005, ge=0, lt=0.5)


class DataBuildConfig(ConfigModel):
    """Everything ``mathlm data build`` needs: inputs and settings per subset, executor, output."""

    executor: Literal["local", "slurm"] = "local"
    slurm: SlurmSettings = Field(default_factory=SlurmSettings)
    arxiv: ArxivBuildConfig = Field(default_factory=ArxivBuildConfig)
    web: WebBuildConfig = Field(default_factory=WebBuildConfig)
    code: CodeBuildConfig = Field(default_factory=CodeBuildConfig)
    decontamination: DecontaminationConfig = Field(default_factory=DecontaminationConfig)
    output: OutputConfig = Field(default_factory=OutputConfig)
