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
