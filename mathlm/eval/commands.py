"""``mathlm eval``: score a model on MATH, GSM8k, OCW, MMLU-STEM, SAT and tool-use tasks."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

eval_app = typer.Typer(help="Evaluate a model: chain of thought, majority voting, tool use, memorization.",
                       no_args_is_help=True)


@eval_app.command("equiv")
def equiv(
    pairs: Annotated[Path, typer.Argument(help='JSONL file of {"prediction": ..., "reference": ...} lines; - for stdin.',
                                          allow_dash=True)],
    timeout: Annotated[float, typer.Option(help="Seconds allowed for the SymPy step of one pair.")] = 5.0,
    threads: Annotated[int, typer.Option(help="Pairs checked concurrently (each SymPy step in its own process).")] = 1,
) -> None:
    """Check answer equivalence for each line; print the line back with an added boolean `equivalent`.

    Output has one JSON line per input line, in order. A line that is not a JSON object with string
    `prediction` and `reference` comes back with `"equivalent": null` and an `error` saying why.
    """
    from mathlm.eval.answers import AnswerChecker

    stream = sys.stdin if str(pairs) == "-" else pairs.open(encoding="utf-8")
    records, errors = [], []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in ("prediction", "reference")):
                raise ValueError('expected an object with string "prediction" and "reference"')
            errors.append(None)
        except ValueError as err:
            record = {"line": number}
            errors.append(f"line {number}: {err}")
        records.append(record)
    with AnswerChecker(timeout_s=timeout, sympy_workers=max(1, threads)) as checker:
        valid = [(r["prediction"], r["reference"]) for r, e in zip(records, errors) if e is None]
        verdicts = iter(checker.equivalent_many(valid, threads=threads))
    for record, error in zip(records, errors):
        record = {**record, "equivalent": None, "error": error} if error else {**record, "equivalent": next(verdicts)}
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


@eval_app.command("overlap")
def overlap(
    corpus: Annotated[list[Path], typer.Option(
        "--corpus", help="JSONL(.gz)/Parquet documents with `text`, a token shard PREFIX(.bin/.idx), or a folder "
                         "of them (repeatable).")],
    benchmark: Annotated[str, typer.Option(help="Benchmark whose test items are checked (mathlm.benchmarks).")] = "math",
    field: Annotated[str, typer.Option(help="problem, solution or both.")] = "both",
    n: Annotated[int, typer.Option(help="Words per n-gram (30 as in the Llemma analysis).")] = 30,
    min_words: Annotated[int, typer.Option(help="Test texts shorter than n but this long count as one n-gram.")] = 8,
    results: Annotated[Path | None, typer.Option(
        help="Per-sample eval results JSONL (task, doc_id, correct): adds accuracy on hits vs non-hits.")] = None,
    tokenizer: Annotated[Path | None, typer.Option(help="Tokenizer of token shards (to decode them to text).")] = None,
    workers: Annotated[int, typer.Option(help="Processes; corpus files are scanned in parallel.")] = 1,
    output: Annotated[Path, typer.Option(help="Where overlap.json and overlap.md are written.")] = Path("overlap"),
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
        result = overlap_report(files, settings, output, results=results, workers=workers,
                                on_file_done=lambda scan: bar.advance(task))
    rate = result.throughput()
    console.print(summary_table(
        f"{n}-gram overlap: {result.documents:,} documents, {rate['docs_per_s']:,} docs/s, {rate['mb_per_s']} MB/s",
        result.tally.rows()))
    if result.accuracy:
        console.print(summary_table("accuracy on hits / non-hits", result.accuracy, ACCURACY_COLUMNS))
    if result.malformed:
        console.print(f"[yellow]skipped malformed records:[/] {result.malformed}")
    console.print(f"report: {output / 'overlap.md'}, {output / 'overlap.json'}")
