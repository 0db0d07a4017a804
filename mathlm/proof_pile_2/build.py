"""``mathlm data build``: Proof-Pile-2's subsets and decontamination as datatrove stages, and running them.

Stages (each one datatrove executor run, logging to ``WORKDIR/logs/<stage>/``)::

    arxiv/clean          source tarballs | RedPajama JSONL -> RedPajama cleaning
    web/extract ...      WARC -> math web pages, then MinHash near-dedup (mathlm.proof_pile_2.web.pipeline)
    code/filter          the-stack | source trees -> Jupyter->Markdown -> language filters -> TeX: English
    code/dedup-find      2,048-character chunk dedup: find duplicates
    code/dedup-filter    ... drop them
    final/decontaminate  all three subsets -> benchmark decontamination -> train/validation/test -> output

Outputs: ``WORKDIR/{arxiv,open-web-math,algebraic-stack}/{train,validation,test}/<task>.jsonl.gz`` (or
``.parquet``); intermediate files under ``WORKDIR/work/`` (each dropped input record, with its file and line, in
``WORKDIR/work/<subset>/bad_records/``); the contamination report under
``WORKDIR/decontamination/``; per-stage stats in ``WORKDIR/stats.json``.

Resuming is datatrove's: a task that finished leaves ``logs/<stage>/completions/<task>``, and a re-run
of the same command skips it, so a killed or failed task is the only one that runs again. The
executor is datatrove's ``LocalPipelineExecutor`` (``executor: local``) or ``SlurmPipelineExecutor``
(``executor: slurm``: one job array per stage, chained with ``afterok`` dependencies).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mathlm.assets import SAMPLE_DATA_DIR
from mathlm.config import dump_config
from mathlm.console import console, polling, progress, stderr_to_file, summary_table
from mathlm.errors import MathlmError
from mathlm.proof_pile_2.config import (
    ArxivBuildConfig,
    CodeBuildConfig,
    DataBuildConfig,
    SlurmSettings,
    WebBuildConfig,
)
from mathlm.proof_pile_2.stage import Stage

if TYPE_CHECKING:
    from datatrove.executor.base import PipelineExecutor
    from datatrove.pipeline.base import PipelineStep
    from datatrove.pipeline.writers import JsonlWriter

SAMPLE_PREFIX = "sample:"
SUBSET_FOLDERS = {"arxiv": "arxiv", "web": "open-web-math", "code": "algebraic-stack"}
FINAL_STAGE = "final/decontaminate"
BAD_RECORDS = (
    "bad_records"  # WORKDIR/work/<subset>/bad_records/<task>.jsonl: each dropped input record, located
)


@dataclass
class BuildPlan:
    stages: list[Stage]
    notes: list[str] = field(default_factory=list)


def resolve_input(value: str, key: str) -> Path:
    """A config path: ``sample:<sub>`` is inside the embedded sample data, anything else a normal path."""
    path = (
        SAMPLE_DATA_DIR / value.removeprefix(SAMPLE_PREFIX)
        if value.startswith(SAMPLE_PREFIX)
        else Path(value)
    )
    path = path.expanduser()
    if not path.is_dir():
        raise MathlmError(f"{key}: {path} is not a folder; point {key} at the folder holding the input files")
    return path


def _work(workdir: Path, subset: str) -> Path:
    return workdir / "work" / SUBSET_FOLDERS[subset]


def _excluded(work: Path, step: str, keep: bool) -> JsonlWriter | None:
    """Where a filter writes what it drops (``WORK/excluded/<step>/``), when asked to keep it."""
    from datatrove.pipeline.writers import JsonlWriter

    return JsonlWriter(str(work / "excluded" / step)) if keep else None


def arxiv_stages(cfg: ArxivBuildConfig, workdir: Path) -> tuple[list[Stage], Path]:
    """The arXiv cleaning stage and the folder it writes."""
    from mathlm.proof_pile_2.arxiv import ArxivSourceReader, RedPajamaArxivReader, RedPajamaLatexCleaner
    from mathlm.proof_pile_2.intermediate import intermediate_writer

    output = _work(workdir, "arxiv") / "cleaned"
    readers: list[PipelineStep] = []
    bad_records = str(_work(workdir, "arxiv") / BAD_RECORDS)
    if cfg.tarballs:
        readers.append(
            ArxivSourceReader(
                str(resolve_input(cfg.tarballs, "arxiv.tarballs")), bad_records_folder=bad_records
            )
        )
    if cfg.redpajama_jsonl:
        folder = resolve_input(cfg.redpajama_jsonl, "arxiv.redpajama_jsonl")
        readers.append(RedPajamaArxivReader(str(folder), bad_records_folder=bad_records))
    cleaner = RedPajamaLatexCleaner(
        cfg.min_chars, exclusion_writer=_excluded(_work(workdir, "arxiv"), "cleaning", cfg.keep_excluded)
    )
    steps = [*readers, cleaner, intermediate_writer(str(output))]
    return [Stage("arxiv/clean", steps, cfg.tasks, cfg.workers)], output


def web_stages(cfg: WebBuildConfig, workdir: Path) -> tuple[list[Stage], Path, list[str]]:
    """The open-web-math stages (extraction, filters, MinHash dedup), their output folder, what was
    left out.
    """
    from mathlm.proof_pile_2.web.pipeline import build_web_pipeline

    output = _work(workdir, "web") / "deduplicated"
    warcs = resolve_input(cfg.warcs or "", "web.warcs")
    web = build_web_pipeline(cfg.pipeline, warcs, output, _work(workdir, "web"), tasks=cfg.tasks)
    stages = [replace(stage, workers=cfg.workers) for stage in web.stages]
    return stages, output, [f"open-web-math: {note}" for note in (*web.skipped, *web.models)]


def code_stages(cfg: CodeBuildConfig, workdir: Path) -> tuple[list[Stage], Path]:
    """Filtering (+ chunk dedup) stages of the code subset and the folder they end in."""
    from mathlm.proof_pile_2.code import (
        AlgebraicStackFilter,
        ChunkDedupFilter,
        ChunkDedupFinder,
        ChunkDedupSignature,
        JupyterToMarkdown,
        SourceTreeReader,
        StackJsonlReader,
        StackParquetReader,
        TexEnglishFilter,
    )
    from mathlm.proof_pile_2.intermediate import IntermediateReader, intermediate_writer

    work = _work(workdir, "code")
    bad_records = str(work / BAD_RECORDS)
    readers: list[PipelineStep] = []
    if cfg.stack_files:
        folder = resolve_input(cfg.stack_files, "code.stack_files")
        if any(folder.rglob("*.parquet")):
            readers.append(StackParquetReader(str(folder), bad_records_folder=bad_records))
        if any(folder.rglob("*.jsonl*")):
            readers.append(StackJsonlReader(str(folder), bad_records_folder=bad_records))
        if not readers:
            raise MathlmError(f"code.stack_files: {folder} holds no .parquet or .jsonl(.gz) files")
    if cfg.source_trees:
        folder = resolve_input(cfg.source_trees, "code.source_trees")
        readers.append(SourceTreeReader(str(folder), bad_records_folder=bad_records))
    steps: list[PipelineStep] = [
        *readers,
        JupyterToMarkdown(exclusion_writer=_excluded(work, "jupyter", cfg.keep_excluded)),
        AlgebraicStackFilter(
            cfg.languages, exclusion_writer=_excluded(work, "language_filters", cfg.keep_excluded)
        ),
    ]
    if "tex" in cfg.languages:
        steps.append(
            TexEnglishFilter(cfg.tex_english_threshold, _excluded(work, "tex_english", cfg.keep_excluded))
        )
    if not cfg.dedup:
        output = work / "filtered"
        return [
            Stage("code/filter", [*steps, intermediate_writer(str(output))], cfg.tasks, cfg.workers)
        ], output
    signatures, duplicates, output = (
        work / "chunk-signatures",
        work / "chunk-duplicates",
        work / "deduplicated",
    )
    steps += [
        ChunkDedupSignature(str(signatures), buckets=cfg.dedup_buckets),
        intermediate_writer(str(work / "filtered")),
    ]
    return [
        Stage("code/filter", steps, cfg.tasks, cfg.workers),
        Stage(
            "code/dedup-find",
            [ChunkDedupFinder(str(signatures), str(duplicates))],
            cfg.dedup_buckets,
            cfg.workers,
            ("code/filter",),
        ),
        Stage(
            "code/dedup-filter",
            [
                IntermediateReader(str(work / "filtered")),
                ChunkDedupFilter(str(duplicates)),
                intermediate_writer(str(output)),
            ],
            cfg.tasks,
            cfg.workers,
            ("code/dedup-find",),
        ),
    ], output


def final_stage(config: DataBuildConfig, workdir: Path, subsets: list[tuple[Stage, Path]]) -> Stage:
    """Reads every subset's last output, decontaminates, assigns the split and writes the final documents."""
    from datatrove.pipeline.writers import JsonlWriter

    from mathlm.proof_pile_2.decontamination import build_decontamination_step
    from mathlm.proof_pile_2.intermediate import IntermediateReader
    from mathlm.proof_pile_2.output import output_writer
    from mathlm.proof_pile_2.split import AssignSplit

    tasks = config.output.tasks or max(stage.tasks for stage, _ in subsets)
    steps: list[PipelineStep] = [
        IntermediateReader(str(folder), written_by=stage.tasks) for stage, folder in subsets
    ]
    if config.decontamination.enabled:
        steps.append(
            build_decontamination_step(
                config.decontamination,
                report_folder=str(workdir / "decontamination"),
                exclusion_writer=JsonlWriter(str(workdir / "work" / "decontamination" / "removed")),
            )
        )
    steps += [
        AssignSplit(config.output.validation_fraction, config.output.test_fraction),
        output_writer(str(workdir), config.output.format),
    ]
    workers = max(stage.workers for stage, _ in subsets)
    return Stage(FINAL_STAGE, steps, tasks, workers, tuple(stage.name for stage, _ in subsets))


def plan_build(config: DataBuildConfig, workdir: Path) -> BuildPlan:
    """All stages of a build, in an order where every stage comes after the ones it depends on."""
    if not (config.arxiv.enabled or config.web.enabled or config.code.enabled):
        raise MathlmError("every subset is disabled: enable at least one of arxiv, web, code")
    stages: list[Stage] = []
    ends: list[tuple[Stage, Path]] = []
    notes: list[str] = []
    if config.arxiv.enabled:
        arxiv, folder = arxiv_stages(config.arxiv, workdir)
        stages += arxiv
        ends.append((arxiv[-1], folder))
    if config.web.enabled:
        web, folder, skipped = web_stages(config.web, workdir)
        stages += web
        ends.append((web[-1], folder))
        notes += skipped
    if config.code.enabled:
        code, folder = code_stages(config.code, workdir)
        stages += code
        ends.append((code[-1], folder))
    if not config.decontamination.enabled:
        notes.append("decontamination: disabled (decontamination.enabled=false)")
    stages.append(final_stage(config, workdir, ends))
    return BuildPlan(stages, notes)


def _local_executor(stage: Stage, workdir: Path) -> PipelineExecutor:
    from datatrove.executor import LocalPipelineExecutor

    workers = min(stage.tasks, stage.workers if stage.workers >= 1 else os.cpu_count() or 1)
    return LocalPipelineExecutor(
        stage.steps, tasks=stage.tasks, workers=workers, logging_dir=str(stage.logging_dir(workdir))
    )


def _slurm_executor(
    stage: Stage, workdir: Path, settings: SlurmSettings, depends_job_ids: list[str]
) -> PipelineExecutor:
    from datatrove.executor import SlurmPipelineExecutor

    from mathlm.slurm.jobs import datatrove_executor_kwargs

    kwargs = datatrove_executor_kwargs(
        settings, mem_per_cpu_gb=settings.mem_per_cpu_gb, venv_path=settings.venv_path
    )
    return SlurmPipelineExecutor(
        stage.steps,
        tasks=stage.tasks,
        logging_dir=str(stage.logging_dir(workdir)),
        job_name=f"{settings.job_name_prefix}-{stage.name.replace('/', '-')}",
        depends_job_id=":".join(depends_job_ids) or None,
        slurm_logs_folder=str(stage.logging_dir(workdir) / "slurm_logs"),
        **kwargs,
    )


def completed_tasks(stage: Stage, workdir: Path) -> int:
    """How many of the stage's tasks have finished (datatrove's completion markers)."""
    folder = stage.logging_dir(workdir) / "completions"
    return sum(1 for _ in folder.iterdir()) if folder.is_dir() else 0


@contextmanager
def stage_progress(stages: list[Stage], workdir: Path, poll_seconds: float = 0.5) -> Iterator[None]:
    """A progress bar per stage (finished tasks / tasks), refreshed from the completion markers."""
    with progress() as bars:
        ids = {stage.name: bars.add_task(stage.name, total=stage.tasks) for stage in stages}

        def refresh() -> None:
            for stage in stages:
                bars.update(ids[stage.name], completed=completed_tasks(stage, workdir))

        with polling(refresh, poll_seconds):
            yield


def run_locally(plan: BuildPlan, workdir: Path) -> None:
    """Run the stages one after the other with datatrove's LocalPipelineExecutor."""
    for stage in plan.stages:
        try:
            _local_executor(stage, workdir).run()
        except Exception as err:  # a task raised: report where its log is; the next run redoes only it
            raise MathlmError(
                f"stage {stage.name} failed: {type(err).__name__}: {err}\n"
                f"task logs: {stage.logging_dir(workdir) / 'logs'}; fix the cause and run the same command "
                "again: finished tasks are skipped"
            ) from err


def run_on_slurm(plan: BuildPlan, workdir: Path, settings: SlurmSettings) -> None:
    """Submit one job array per stage (chained with afterok dependencies) and wait until all have ended."""
    job_ids: dict[str, str] = {}
    for stage in plan.stages:
        depends = [job_ids[name] for name in stage.depends_on if name in job_ids]
        executor = _slurm_executor(stage, workdir, settings, depends)
        executor.run()
        if executor.job_id not in (None, -1):  # -1: every task had finished before, nothing submitted
            job_ids[stage.name] = str(executor.job_id)
    _wait_for_jobs(job_ids, {stage.name: stage.logging_dir(workdir) for stage in plan.stages}, settings)


def _wait_for_jobs(job_ids: dict[str, str], logging_dirs: dict[str, Path], settings: SlurmSettings) -> None:
    """Poll until every job ended; the first one that did not complete cancels the rest and raises."""
    from mathlm.slurm.jobs import TERMINAL_STATES, cancel, job_state

    pending = dict(job_ids)
    while pending:
        for name, job_id in list(pending.items()):
            state = job_state(job_id)
            if state not in TERMINAL_STATES:
                continue
            del pending[name]
            if state != "COMPLETED":
                for other in pending.values():
                    cancel(other)
                logs = logging_dirs[name]
                raise MathlmError(
                    f"stage {name} (Slurm job {job_id}) ended {state}; the stages after it were cancelled.\n"
                    f"logs: {logs / 'slurm_logs'} and {logs / 'logs'}; "
                    "fix the cause and run the same command again: finished tasks are skipped"
                )
        if pending:
            time.sleep(settings.poll_seconds)


@dataclass
class BuildResult:
    workdir: Path
    stats: dict[str, Any]
    notes: list[str]


def run_build(config: DataBuildConfig, workdir: Path) -> BuildResult:
    """Plan, run (locally or on Slurm) and summarise a Proof-Pile-2 build into ``workdir``."""
    from mathlm.proof_pile_2.stats import build_stats, output_rows, stage_rows

    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    plan = plan_build(config, workdir)
    dump_config(config, workdir / "config.yaml")
    for note in plan.notes:
        console.print(f"[yellow]note:[/] {note}")
    with stderr_to_file(workdir / "logs" / "datatrove.log"), stage_progress(plan.stages, workdir):
        if config.executor == "local":
            run_locally(plan, workdir)
        else:
            run_on_slurm(plan, workdir, config.slurm)
    if config.decontamination.enabled:
        from mathlm.proof_pile_2.decontamination import write_contamination_report

        write_contamination_report(config.decontamination, workdir / "decontamination")
    stats = build_stats([(stage.name, stage.logging_dir(workdir)) for stage in plan.stages], notes=plan.notes)
    (workdir / "stats.json").write_text(json.dumps(stats, indent=2), encoding="utf-8")
    console.print(summary_table("data build: stages (kept / dropped and why)", stage_rows(stats)))
    console.print(summary_table("data build: output documents", output_rows(stats)))
    listed = sorted((workdir / "work").glob(f"*/{BAD_RECORDS}/*.jsonl"))
    if listed:
        dropped = sum(len(path.read_text(encoding="utf-8").splitlines()) for path in listed)
        folders = sorted({str(path.parent) for path in listed})
        console.print(
            f"[yellow]bad input:[/] {dropped:,} record(s) dropped, each listed with its file and "
            f"position in {', '.join(folders)}"
        )
    console.print(f"outputs in {workdir}; stats in {workdir / 'stats.json'}")
    return BuildResult(workdir, stats, plan.notes)
