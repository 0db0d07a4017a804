"""Running an evaluation: generate (with a resumable cache), score, write results a person can open.

Layout of a run directory::

    OUT/generations.jsonl          cache: one line per (model, task, problem, settings); appended as we go
    OUT/<task>/samples.jsonl       per problem: generations, extracted answers, verdicts, majority vote
    OUT/<task>/summary.json        maj@n, pass@k, per-subject / per-level accuracy, invalid share; both
                                   scoring modes: `correct` (ours) and `llemma` (the paper's harness)
    OUT/summary.json, OUT/results.md   all tasks, both modes, with the Llemma paper's numbers where the
                                   model matches (compare the paper with the `llemma` column)
    OUT/scores.png                 accuracy per task (and per MATH subject / level) next to the paper's

A sharded run (``--shard i/N``, used by ``mathlm slurm eval``) writes ``OUT/shards/i/...`` instead,
its generation cache included (array tasks never append to one file together); ``merge_shards`` puts
the shards together and re-summarizes. Every file except the append-only cache is written whole to a
temporary file and renamed into place, so a crash or a bad value never leaves a truncated result.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from mathlm.benchmarks import BenchmarkRecord
from mathlm.console import console, summary_table
from mathlm.errors import MathlmError
from mathlm.eval.answers import AnswerChecker
from mathlm.eval.config import EvalConfig
from mathlm.eval.sandbox import SandboxLimits, SandboxPool
from mathlm.eval.scoring import SampleResult, score_sample, summarize
from mathlm.eval.tasks import Task, get_task, published_score
from mathlm.inference import Backend, PromptResult, SamplingSettings, make_backend, safe_text
from mathlm.io import iter_jsonl_lines, read_jsonl, write_text_atomic


class GenerationCache:
    """Append-only JSONL of finished generations, so an interrupted eval resumes without regenerating."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, list[str]] = {}
        if path.exists():
            for line in iter_jsonl_lines(path):
                # A line cut by a crash mid-write is skipped: that problem is generated again.
                if line.record is not None and {"key", "generations"} <= line.record.keys():
                    self.entries[line.record["key"]] = line.record["generations"]
        path.parent.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def key(model_id: str, task: str, doc_id: str, prompt: str, settings: SamplingSettings) -> str:
        prompt_hash = hashlib.sha256(prompt.encode()).hexdigest()[:16]
        return hashlib.sha256(
            f"{model_id}|{task}|{doc_id}|{prompt_hash}|{settings.key()}".encode()
        ).hexdigest()

    def get(self, key: str) -> list[str] | None:
        return self.entries.get(key)

    def put_many(self, items: Sequence[tuple[str, list[str]]]) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            for key, generations in items:
                handle.write(json.dumps({"key": key, "generations": generations}, ensure_ascii=False) + "\n")
                self.entries[key] = generations
            handle.flush()
            os.fsync(handle.fileno())


def settings_for(task: Task, cfg: EvalConfig) -> SamplingSettings:
    """The sampling settings of ``task``: its ``task_settings`` entry over the run's, its own default length."""
    name = task.name
    return SamplingSettings(
        max_new_tokens=cfg.task_value(name, "max_new_tokens") or task.max_new_tokens,
        temperature=cfg.task_value(name, "temperature"),
        top_p=cfg.task_value(name, "top_p"),
        n=cfg.task_value(name, "n"),
        seed=cfg.seed,
        stop=task.stop,
        truncate_prompt=cfg.truncate_prompt,
    )


def select_records(task: Task, cfg: EvalConfig) -> list[BenchmarkRecord]:
    """The task's problems under ``limit``: spread over the subjects, and said so."""
    limit = cfg.task_value(task.name, "limit")
    records = task.records(limit)
    subjects = {record.subject for record in records} - {None}
    if limit is not None and len(subjects) > 1:
        console.print(
            f"{task.name}: --limit {limit} takes problems from each of {len(subjects)} subjects in turn "
            f"(stratified), not the first {limit} of the file"
        )
    return records


def select_shard(records: list[BenchmarkRecord], shard: tuple[int, int] | None) -> list[BenchmarkRecord]:
    if shard is None:
        return records
    index, count = shard
    if not 0 <= index < count:
        raise MathlmError(f"shard {index}/{count}: the index must be in 0..{count - 1}")
    return records[index::count]


def generate_task(
    task: Task,
    records: list[BenchmarkRecord],
    backend: Backend,
    settings: SamplingSettings,
    cache: GenerationCache,
    chunk: int,
) -> tuple[list[list[str]], list[str | None]]:
    """Generations for every record, taking finished ones from the cache and saving new ones per chunk,
    and per record the backend's error where a prompt got none (not cached: a rerun tries it again)."""
    prompts = [task.prompt(record) for record in records]
    keys = [
        GenerationCache.key(backend.model_id, task.name, r.id, p, settings) for r, p in zip(records, prompts)
    ]
    missing = [i for i, key in enumerate(keys) if cache.get(key) is None]
    if len(missing) < len(records):
        console.print(
            f"{task.name}: {len(records) - len(missing)} of {len(records)} problems already generated"
        )
    errors: list[str | None] = [None] * len(records)
    for start in range(0, len(missing), chunk):
        batch = missing[start : start + chunk]
        outputs: list[PromptResult] = backend.generate([prompts[i] for i in batch], settings)
        done = []
        for index, output in zip(batch, outputs):
            if output.ok:
                done.append((keys[index], [safe_text(text) for text in output.completions]))
            else:  # an invalid sample: no generations, not cached (a rerun asks again)
                errors[index] = safe_text(output.error)
        cache.put_many(done)
    failed = sum(error is not None for error in errors)
    if failed:
        console.print(
            f"[yellow]{task.name}: {failed} prompt(s) got no generation (invalid samples); first: "
            f"{next(e for e in errors if e)}[/]"
        )
    return [cache.get(key) or [] for key in keys], errors


def run_eval(
    cfg: EvalConfig, shard: tuple[int, int] | None = None, backend: Backend | None = None
) -> dict[str, dict[str, Any]]:
    """Evaluate ``cfg.model`` on ``cfg.tasks``; returns each task's summary and writes the run directory."""
    out = cfg.output / "shards" / str(shard[0]) if shard else cfg.output
    out.mkdir(parents=True, exist_ok=True)
    tasks = [get_task(name) for name in cfg.tasks]
    write_task_sources(out, cfg.tasks, tasks)
    backend = backend or make_backend(cfg.backend, cfg.model, **cfg.backend_options)
    cache = GenerationCache(out / "generations.jsonl")
    summaries = {}
    with ExitStack() as stack:
        checker = stack.enter_context(AnswerChecker(timeout_s=cfg.answer_timeout_s))
        sandbox = None
        if any(task.kind == "program" for task in tasks):
            sandbox = stack.enter_context(SandboxPool(workers=cfg.sandbox_workers, limits=SandboxLimits()))
        for task in tasks:
            console.rule(f"[bold]{task.name}[/]: {task.description}")
            records = select_shard(select_records(task, cfg), shard)
            generations, errors = generate_task(
                task, records, backend, settings_for(task, cfg), cache, cfg.cache_chunk
            )
            results = [
                score_sample(task, record, gens, checker, sandbox, error)
                for record, gens, error in zip(records, generations, errors)
            ]
            summaries[task.name] = write_task_results(out / task.name, task, results)
    write_run_summary(out, summaries, cfg.model_name, plot=shard is None)
    return summaries


TASK_SOURCES = "tasks.json"


def write_task_sources(out: Path, specs: Sequence[str], tasks: Sequence[Task]) -> None:
    """``OUT/tasks.json``: each task's name -> how it was given (a registered name or a custom task's YAML
    path, made absolute), so merging and re-scoring find custom tasks again."""
    sources = {
        task.name: str(Path(spec).resolve()) if spec.endswith((".yaml", ".yml")) else spec
        for spec, task in zip(specs, tasks)
    }
    write_text_atomic(out / TASK_SOURCES, json.dumps(sources, indent=2))


def read_task_sources(*run_dirs: Path) -> dict[str, str]:
    """The ``tasks.json`` of these run (or shard) directories, together; {} where a run has none."""
    sources: dict[str, str] = {}
    for directory in run_dirs:
        path = directory / TASK_SOURCES
        if path.is_file():
            sources.update(json.loads(path.read_text(encoding="utf-8")))
    return sources


def task_from_run(name: str, *run_dirs: Path) -> Task:
    """The task a run directory's ``<name>/`` holds results of (custom tasks via ``tasks.json``)."""
    return get_task(read_task_sources(*run_dirs).get(name, name))


def write_task_results(directory: Path, task: Task, results: Sequence[SampleResult]) -> dict[str, Any]:
    lines = "".join(json.dumps(result.to_json(), ensure_ascii=False) + "\n" for result in results)
    write_text_atomic(directory / "samples.jsonl", lines)
    summary = summarize(task, results)
    write_text_atomic(directory / "summary.json", json.dumps(summary, indent=2))
    return summary


def read_samples(path: Path) -> Iterator[SampleResult]:
    """A task's scored samples; a bad line is an error naming it (skipping one would change the score)."""
    for record in read_jsonl(path):
        yield SampleResult(**record)


def write_run_summary(
    out: Path, summaries: dict[str, dict[str, Any]], model_name: str | None, plot: bool = True
) -> None:
    """``summary.json``, ``results.md`` and (with ``plot``) ``scores.png``; prints the table too.

    Both scoring modes stand side by side: ``correct`` (ours) and ``llemma`` (the paper's harness, its
    defects included); the paper's numbers are comparable with the ``llemma`` column only."""
    write_text_atomic(out / "summary.json", json.dumps(summaries, indent=2))
    rows = []
    for name, summary in summaries.items():
        n = summary.get("n", 1)
        llemma = summary.get("llemma", {})
        row = {
            "task": name,
            "problems": summary.get("samples", 0),
            "n": n,
            "maj@n correct": summary.get(f"maj@{n}", 0.0) * 100,
            "maj@n llemma": llemma.get(f"maj@{n}", 0.0) * 100,
            "pass@1 correct": summary.get("pass@1", 0.0) * 100,
            "invalid %": summary.get("invalid", 0.0) * 100,
        }
        published = published_score(name, model_name)
        row["published"] = f"{published:.1f} ({model_name})" if published is not None else "-"
        rows.append(row)
    note = (
        "\n`correct`: mathlm's answer extraction and equivalence. `llemma`: the harness behind the Llemma "
        "paper, reproduced with its defects (string match after Minerva normalization for MATH, "
        "`The answer is (\\d+)` for GSM8k, `int()` casts for MATH+Python); compare `published` with it.\n"
    )
    write_text_atomic(out / "results.md", _markdown(rows) + note)
    console.print(summary_table("evaluation (accuracy in %)", rows))
    for name, summary in summaries.items():
        for key in ("by_subject", "by_level"):
            if key in summary:
                groups = [
                    {
                        key.removeprefix("by_"): group,
                        "accuracy %": value["accuracy"] * 100,
                        "problems": value["samples"],
                    }
                    for group, value in summary[key].items()
                ]
                console.print(summary_table(f"{name} {key.replace('_', ' ')}", groups))
    if plot:
        from mathlm.eval.plot import plot_scores

        console.print(f"plot: {plot_scores(out, summaries, model_name)}")


def _markdown(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [f"{v:.1f}" if isinstance(v, float) else str(v) for v in row.values()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def score_run(
    out: Path, model_name: str | None = None, answer_timeout_s: float = 5.0, sandbox_workers: int = 2
) -> dict[str, dict[str, Any]]:
    """Re-score a finished run directory from its saved generations, without the model."""
    summaries = {}
    task_dirs = sorted(p.parent for p in out.glob("*/samples.jsonl"))
    if not task_dirs:
        raise MathlmError(f"no */samples.jsonl under {out}: is it an eval run directory?")
    with ExitStack() as stack:
        checker = stack.enter_context(AnswerChecker(timeout_s=answer_timeout_s))
        sandbox = None
        for directory in task_dirs:
            task = task_from_run(directory.name, out)
            if task.kind == "program" and sandbox is None:
                sandbox = stack.enter_context(SandboxPool(workers=sandbox_workers))
            records = {r.id: r for r in task.records()}
            results = [
                score_sample(task, records[s.doc_id], s.generations, checker, sandbox)
                for s in read_samples(directory / "samples.jsonl")
            ]
            summaries[task.name] = write_task_results(directory, task, results)
    write_run_summary(out, summaries, model_name)
    return summaries


def merge_shards(out: Path, model_name: str | None = None) -> dict[str, dict[str, Any]]:
    """Combine ``OUT/shards/*/<task>/samples.jsonl`` into ``OUT/<task>/`` and summarize the whole run."""
    shard_dirs = sorted((out / "shards").glob("*"), key=lambda p: int(p.name) if p.name.isdigit() else -1)
    if not shard_dirs:
        raise MathlmError(f"no shards under {out / 'shards'}")
    by_task: dict[str, list[SampleResult]] = {}
    for shard_dir in shard_dirs:
        for samples in sorted(shard_dir.glob("*/samples.jsonl")):
            by_task.setdefault(samples.parent.name, []).extend(read_samples(samples))
    sources = read_task_sources(*shard_dirs)
    write_text_atomic(out / TASK_SOURCES, json.dumps(sources, indent=2))
    summaries = {}
    for name, results in by_task.items():
        task = get_task(sources.get(name, name))
        order = {r.id: i for i, r in enumerate(task.records())}
        results.sort(key=lambda r: order.get(r.doc_id, len(order)))
        summaries[name] = write_task_results(out / name, task, results)
    write_run_summary(out, summaries, model_name)
    return summaries
