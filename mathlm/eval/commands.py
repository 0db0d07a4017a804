"""``mathlm eval``: score a model on MATH, GSM8k, OCW, MMLU-STEM, SAT and tool-use tasks."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from mathlm.cli.options import SetOption

eval_app = typer.Typer(
    help="Evaluate a model: chain of thought, majority voting, tool use, memorization.", no_args_is_help=True
)


@eval_app.command("equiv")
def equiv(
    pairs: Annotated[
        Path,
        typer.Argument(
            help='JSONL file of {"prediction": ..., "reference": ...} lines; - for stdin.', allow_dash=True
        ),
    ],
    timeout: Annotated[float, typer.Option(help="Seconds allowed for the SymPy step of one pair.")] = 5.0,
    threads: Annotated[
        int, typer.Option(help="Pairs checked concurrently (each SymPy step in its own process).")
    ] = 1,
    relative_tolerance: Annotated[
        float,
        typer.Option(
            help="Numbers this close (relatively) are equal; 0 = exact (MATH), 0.01 = the ocw task's."
        ),
    ] = 0.0,
) -> None:
    """Check answer equivalence for each line; print the line back with an added boolean `equivalent`.

    Output has one JSON line per input line, in order. A line that is not a JSON object with string
    `prediction` and `reference` comes back with `"equivalent": null` and an `error` saying why.
    """
    from mathlm.eval.answers import AnswerChecker, Tolerance

    stream = sys.stdin if str(pairs) == "-" else pairs.open(encoding="utf-8")
    records, errors = [], []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not all(
                isinstance(record.get(k), str) for k in ("prediction", "reference")
            ):
                raise ValueError('expected an object with string "prediction" and "reference"')
            errors.append(None)
        except ValueError as err:
            record = {"line": number}
            errors.append(f"line {number}: {err}")
        records.append(record)
    with AnswerChecker(
        timeout_s=timeout, sympy_workers=max(1, threads), tolerance=Tolerance(relative=relative_tolerance)
    ) as checker:
        valid = [(r["prediction"], r["reference"]) for r, e in zip(records, errors) if e is None]
        verdicts = iter(checker.equivalent_many(valid, threads=threads))
    for record, error in zip(records, errors):
        record = (
            {**record, "equivalent": None, "error": error}
            if error
            else {**record, "equivalent": next(verdicts)}
        )
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


@eval_app.command("list")
def list_tasks() -> None:
    """Show the registered tasks, their benchmark sizes and the published Llemma numbers."""
    from mathlm.benchmarks import get_spec
    from mathlm.console import console, summary_table
    from mathlm.eval.tasks import TASKS

    rows = [
        {
            "task": name,
            "benchmark": task.benchmark,
            "problems": get_spec(task.benchmark).count,
            "kind": task.kind,
            "description": task.description,
            "Llemma 7B / 34B": " / ".join(
                str(task.published.get(m, "-")) for m in ("Llemma 7B", "Llemma 34B")
            ),
        }
        for name, task in TASKS.items()
    ]
    console.print(summary_table("evaluation tasks (custom tasks: pass a YAML file as the task name)", rows))


@eval_app.command("run")
def run(
    config: Annotated[
        Path | None, typer.Argument(help="Eval config YAML (configs/eval/...); flags override it.")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="Checkpoint directory, or the served model name (openai).")
    ] = None,
    tasks: Annotated[
        str | None, typer.Option(help="Comma-separated task names or custom task YAML files.")
    ] = None,
    backend: Annotated[str | None, typer.Option(help="hf (default), vllm or openai.")] = None,
    base_url: Annotated[
        str | None, typer.Option(help="openai backend: server URL, e.g. http://host:8000/v1")
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option(help="N problems of each task; MATH takes them from each subject in turn (stratified)."),
    ] = None,
    n: Annotated[int | None, typer.Option(help="Samples per problem for maj@n / pass@k.")] = None,
    temperature: Annotated[float | None, typer.Option(help="0 = greedy.")] = None,
    output: Annotated[Path | None, typer.Option(help="Run directory.")] = None,
    model_name: Annotated[str | None, typer.Option(help="Compare with the paper, e.g. 'Llemma 7B'.")] = None,
    shard: Annotated[
        str | None, typer.Option(help="I/N: evaluate every N-th problem from the I-th (Slurm arrays).")
    ] = None,
    set_: SetOption = [],  # noqa: B006 - typer needs a literal default
) -> None:
    """Generate, score and summarize: per-problem JSONL, summary JSON and a Markdown table.

    Interrupted runs resume: finished generations are cached in OUTPUT/generations.jsonl.
    """
    from mathlm.config import apply_override, load_config, validate_config
    from mathlm.eval.config import EvalConfig
    from mathlm.eval.runner import run_eval

    flags = {
        "model": model,
        "tasks": tasks.split(",") if tasks else None,
        "backend": backend,
        "limit": limit,
        "n": n,
        "temperature": temperature,
        "output": str(output) if output else None,
        "model_name": model_name,
    }
    overrides = [f"{key}={json.dumps(value)}" for key, value in flags.items() if value is not None]
    if base_url:
        overrides.append(f"backend_options.base_url={json.dumps(base_url)}")
    overrides += list(set_)
    if config is not None:
        cfg = load_config(config, EvalConfig, overrides=overrides)
    else:
        data: dict = {}
        for override in overrides:
            apply_override(data, override)
        cfg = validate_config(data, EvalConfig, source="command line")
    run_eval(cfg, shard=_parse_shard(shard))


def _parse_shard(text: str | None) -> tuple[int, int] | None:
    from mathlm.errors import MathlmError

    if text is None:
        return None
    index, sep, count = text.partition("/")
    if not sep or not index.isdigit() or not count.isdigit() or int(count) < 1:
        raise MathlmError(f"--shard {text!r}: expected I/N with 0 <= I < N, e.g. --shard 0/4")
    return int(index), int(count)


@eval_app.command("score")
def score(
    run_dir: Annotated[Path, typer.Argument(help="A finished eval run directory.")],
    model_name: Annotated[str | None, typer.Option(help="Compare with the paper, e.g. 'Llemma 7B'.")] = None,
) -> None:
    """Re-score saved generations (after changing extraction or equivalence) without the model."""
    from mathlm.eval.runner import score_run

    score_run(run_dir, model_name=model_name)


@eval_app.command("merge")
def merge(
    run_dir: Annotated[
        Path, typer.Argument(help="Run directory whose shards/ holds the Slurm array's outputs.")
    ],
    model_name: Annotated[str | None, typer.Option(help="Compare with the paper, e.g. 'Llemma 7B'.")] = None,
) -> None:
    """Merge the shards of a sharded evaluation (``mathlm slurm eval``) and summarize the whole run."""
    from mathlm.eval.runner import merge_shards

    merge_shards(run_dir, model_name=model_name)


@eval_app.command("plot")
def plot(
    run_dir: Annotated[Path, typer.Argument(help="A finished eval run directory (with summary.json).")],
    model_name: Annotated[str | None, typer.Option(help="Compare with the paper, e.g. 'Llemma 7B'.")] = None,
) -> None:
    """Draw RUN/scores.png: accuracy per task (and per MATH subject / level) next to the paper's numbers."""
    from mathlm.console import console
    from mathlm.errors import MathlmError
    from mathlm.eval.plot import plot_scores

    summary = run_dir / "summary.json"
    if not summary.is_file():
        raise MathlmError(
            f"{summary} not found: pass a run directory written by `mathlm eval run` or `merge`"
        )
    console.print(
        f"wrote {plot_scores(run_dir, json.loads(summary.read_text(encoding='utf-8')), model_name)}"
    )


@eval_app.command("overlap")
def overlap(
    corpus: Annotated[
        list[Path],
        typer.Option(
            "--corpus",
            help="JSONL(.gz)/Parquet documents with `text`, a token shard PREFIX(.bin/.idx), or a folder "
            "of them (repeatable).",
        ),
    ],
    benchmark: Annotated[
        str, typer.Option(help="Benchmark whose test items are checked (mathlm.benchmarks).")
    ] = "math",
    field: Annotated[str, typer.Option(help="problem, solution or both.")] = "both",
    n: Annotated[int, typer.Option(help="Words per n-gram (30 as in the Llemma analysis).")] = 30,
    min_words: Annotated[
        int, typer.Option(help="Test texts shorter than n but this long count as one n-gram.")
    ] = 8,
    results: Annotated[
        Path | None,
        typer.Option(
            help="Per-sample eval results JSONL (task, doc_id, correct): adds accuracy on hits vs non-hits."
        ),
    ] = None,
    tokenizer: Annotated[
        Path | None, typer.Option(help="Tokenizer of token shards (to decode them to text).")
    ] = None,
    workers: Annotated[int, typer.Option(help="Processes; corpus files are scanned in parallel.")] = 1,
    output: Annotated[Path, typer.Option(help="Where overlap.json and overlap.md are written.")] = Path(
        "overlap"
    ),
) -> None:
    """Memorization analysis: n-gram overlap between test problems/solutions and a corpus (Llemma, Sec. 5)."""
    from mathlm.console import console, progress, summary_table
    from mathlm.errors import MathlmError
    from mathlm.eval.overlap import ACCURACY_COLUMNS, OverlapSettings, corpus_files, overlap_report

    if field not in ("problem", "solution", "both"):
        raise MathlmError(f"--field {field!r}: expected problem, solution or both")
    settings = OverlapSettings(benchmark, field, n, min_words, str(tokenizer) if tokenizer else None)  # type: ignore[arg-type]
    files = corpus_files(corpus)
    with progress() as bar:
        task = bar.add_task(f"{n}-grams of {benchmark} ({field}): corpus files", total=len(files))
        result = overlap_report(
            files,
            settings,
            output,
            results=results,
            workers=workers,
            on_file_done=lambda scan: bar.advance(task),
        )
    rate = result.throughput()
    console.print(
        summary_table(
            f"{n}-gram overlap: {result.documents:,} documents, {rate['docs_per_s']:,} docs/s, {rate['mb_per_s']} MB/s",
            result.tally.rows(),
        )
    )
    if result.accuracy:
        console.print(summary_table("accuracy on hits / non-hits", result.accuracy, ACCURACY_COLUMNS))
    if result.malformed:
        console.print(f"[yellow]skipped malformed records:[/] {result.malformed}")
    console.print(f"report: {output / 'overlap.md'}, {output / 'overlap.json'}")


@eval_app.command("sandbox")
def sandbox(
    programs: Annotated[
        Path,
        typer.Argument(
            help='JSONL of {"id": ..., "program": "...", "call": "solution()" or null}; - for stdin.',
            allow_dash=True,
        ),
    ],
    workers: Annotated[int, typer.Option(min=1, help="Sandbox workers running programs in parallel.")] = 2,
    unsafe_no_isolation: Annotated[
        bool,
        typer.Option(
            "--unsafe-no-isolation",
            help="Run WITHOUT bubblewrap (no namespaces, no private filesystem): only for code you trust, "
            "on machines without user namespaces.",
        ),
    ] = False,
) -> None:
    """Run programs in the tool-use sandbox with the default limits; print one JSON line per input line.

    Each output line has `id`, `status` (ok, error, timeout, memory or killed), `value` (text or null),
    `value_latex`, `value_type`, `stdout`, `error` and `seconds`, in input order. A line that is not a
    program comes back with status error and its line number, and makes the exit status 1; otherwise
    the exit status is 0 whatever the programs did.
    """
    from mathlm.eval.sandbox import SandboxPool

    stream = sys.stdin if str(programs) == "-" else programs.open(encoding="utf-8")
    entries: list[dict] = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as err:
            entries.append({"line": number, "bad": f"line {number}: not JSON: {err}"})
            continue
        if (
            not isinstance(record, dict)
            or not isinstance(record.get("program"), str)
            or not isinstance(record.get("call"), (str, type(None)))
        ):
            expected = 'expected an object with a string "program" and a string or null "call"'
            entries.append({"line": number, "bad": f"line {number}: {expected}"})
            continue
        entries.append(
            {"id": record.get("id"), "line": number, "program": record["program"], "call": record.get("call")}
        )
    bad = [entry["bad"] for entry in entries if "bad" in entry]
    runnable = [(entry["program"], entry["call"]) for entry in entries if "bad" not in entry]
    with SandboxPool(workers=workers, unsafe_no_isolation=unsafe_no_isolation) as pool:
        results = pool.map(runnable)
        for entry in entries:
            if "bad" in entry:
                out = {
                    "id": None,
                    "line": entry["line"],
                    "status": "error",
                    "value": None,
                    "stdout": "",
                    "error": entry["bad"],
                }
            else:
                out = {"id": entry["id"], **asdict(next(results))}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            sys.stdout.flush()
    if bad:
        sys.stderr.write(f"{len(bad)} input line(s) were not programs: {'; '.join(bad[:5])}\n")
        raise typer.Exit(1)


# Mounted as `mathlm slurm eval` by mathlm.cli.root (the Slurm client does not import stages).
def slurm_eval(
    config: Annotated[Path, typer.Argument(help="Eval config YAML, e.g. configs/eval/llemma_7b.yaml.")],
    shards: Annotated[
        int, typer.Option(min=1, help="Array tasks; task i evaluates every N-th problem from i.")
    ] = 8,
    overrides: SetOption = [],  # noqa: B006 - typer needs a literal default
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait for the shards and the merge; print the scores.")
    ] = False,
) -> None:
    """Shard `mathlm eval run CONFIG` over a Slurm array; a dependent job merges the shards into OUT/."""
    from mathlm.console import console
    from mathlm.eval.slurm import submit_eval
    from mathlm.slurm import jobs
    from mathlm.slurm.commands import wait_and_report

    submission = submit_eval(config, shards, overrides)
    console.print(
        f"array job {submission.array_job} ({shards} shards), merge job {submission.merge_job} "
        f"(after every shard); results in {submission.output}"
    )
    print(submission.array_job)
    if wait:
        try:
            wait_and_report(submission.array_job)
        except typer.Exit:
            jobs.cancel(submission.merge_job)  # where the cluster does not drop jobs whose dependency failed
            console.print(
                f"a shard failed: cancelled the merge job {submission.merge_job}; fix the cause and run "
                "the same command again (finished generations are cached)"
            )
            raise
        wait_and_report(submission.merge_job)
        console.print((submission.output / "results.md").read_text(encoding="utf-8"), markup=False)
