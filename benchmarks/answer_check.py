"""Answer checking: mathlm's AnswerChecker against PyPI `math-verify` 0.9.0 on hand-labelled pairs.

The pairs are `tests/eval/data/answer_pairs.jsonl` (842 pairs: real MATH, OCW, GSM8k, MMLU-STEM and
SAT references in the forms the test files use, predictions in the forms models write, labels
written by hand; see the README next to it). Both checkers judge every pair in the same run; the
script prints accuracy (overall, on equal and on different pairs), false positives (different
pairs judged equal, choice-letter lookalikes among them), pairs per second and the speed ratio.

mathlm compares OCW pairs with the relative tolerance of the `ocw` task and everything else
exactly; its SymPy workers are started (warm) before the clock starts. math-verify gets each side
wrapped in `$...$` and `verify(gold, prediction)`, its documented call.

    python -m benchmarks.answer_check [--show-errors 20]

math-verify is in the `bench` extra: pip install -e ".[bench]".
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from mathlm.eval.answers import EXACT, AnswerChecker
from mathlm.eval.tasks import get_task

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "eval" / "data" / "answer_pairs.jsonl"


def load_pairs(path: Path = PAIRS) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def run_mathlm(pairs: list[dict[str, Any]]) -> tuple[list[bool], float]:
    """Verdicts of one warm AnswerChecker (OCW pairs under the ocw task's tolerance) and the seconds taken."""
    with AnswerChecker(timeout_s=5.0) as checker:
        checker.warm()  # SymPy workers started before the clock
        checkers = {
            "exact": checker.with_tolerance(EXACT),
            "relative": checker.with_tolerance(get_task("ocw").tolerance),
        }
        start = time.perf_counter()
        verdicts = [checkers[p["tolerance"]].equivalent(p["prediction"], p["reference"]) for p in pairs]
        return verdicts, time.perf_counter() - start


def run_math_verify(pairs: list[dict[str, Any]]) -> tuple[list[bool], float]:
    from math_verify import parse, verify

    def check(prediction: str, reference: str) -> bool:
        try:
            return bool(verify(parse(f"${reference}$"), parse(f"${prediction}$")))
        except Exception:  # noqa: BLE001 - an exception is a "not equal" verdict for the comparison
            return False

    start = time.perf_counter()
    verdicts = [check(p["prediction"], p["reference"]) for p in pairs]
    return verdicts, time.perf_counter() - start


def scores(pairs: list[dict[str, Any]], verdicts: list[bool], seconds: float) -> dict[str, Any]:
    right = [v == p["equal"] for v, p in zip(verdicts, pairs)]
    on_equal = [r for r, p in zip(right, pairs) if p["equal"]]
    on_different = [r for r, p in zip(right, pairs) if not p["equal"]]
    false_positives = [p for v, p in zip(verdicts, pairs) if v and not p["equal"]]
    return {
        "accuracy": sum(right) / len(right),
        "on_equal": sum(on_equal) / len(on_equal),
        "on_different": sum(on_different) / len(on_different),
        "false_positives": len(false_positives),
        "choice_false_positives": sum(
            "choice" in p["kind"] or "letter" in p["kind"] for p in false_positives
        ),
        "pairs_per_s": len(pairs) / seconds,
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--show-errors", type=int, default=15, help="print this many misjudged pairs per checker"
    )
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    args = parser.parse_args()
    pairs = load_pairs(args.pairs)
    console = Console()
    console.print(
        f"{len(pairs)} hand-labelled pairs from {args.pairs} "
        f"({sum(p['equal'] for p in pairs)} equal, {sum(not p['equal'] for p in pairs)} different)"
    )
    results = {"mathlm": run_mathlm(pairs)}
    try:
        results["math-verify"] = run_math_verify(pairs)
    except ImportError:
        console.print("[yellow]math-verify is not installed: pip install -e '.[bench]'[/]")
    table = Table(title="answer checking on the same pairs, same run")
    for column in (
        "checker",
        "accuracy",
        "on equal",
        "on different",
        "false pos.",
        "choice false pos.",
        "pairs/s",
    ):
        table.add_column(column)
    summary = {}
    for name, (verdicts, seconds) in results.items():
        summary[name] = s = scores(pairs, verdicts, seconds)
        table.add_row(
            name,
            f"{s['accuracy']:.4f}",
            f"{s['on_equal']:.4f}",
            f"{s['on_different']:.4f}",
            str(s["false_positives"]),
            str(s["choice_false_positives"]),
            f"{s['pairs_per_s']:,.0f}",
        )
        wrong = [(p, v) for p, v in zip(pairs, verdicts) if v != p["equal"]]
        for pair, verdict in wrong[: args.show_errors]:
            console.print(
                f"  {name} misjudged [{pair['kind']}] {pair['prediction']!r} vs {pair['reference']!r}: "
                f"said {verdict}, label {pair['equal']}",
                markup=False,
            )
    console.print(table)
    if "math-verify" in summary:
        console.print(
            f"speed ratio mathlm / math-verify: "
            f"{summary['mathlm']['pairs_per_s'] / summary['math-verify']['pairs_per_s']:.1f}x"
        )
    by_kind: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for name, (verdicts, _) in results.items():
        for verdict, pair in zip(verdicts, pairs):
            by_kind[pair["kind"]][name].append(verdict == pair["equal"])
    kinds = Table(title="accuracy by kind of pair")
    kinds.add_column("kind")
    kinds.add_column("pairs")
    for name in results:
        kinds.add_column(name)
    for kind, per_checker in sorted(by_kind.items()):
        cells = [f"{sum(v) / len(v):.2f}" for v in per_checker.values()]
        kinds.add_row(kind, str(len(next(iter(per_checker.values())))), *cells)
    console.print(kinds)


if __name__ == "__main__":
    main()
