"""Answer checking: mathlm's AnswerChecker against PyPI `math-verify`, same pairs, same run.

Pairs come from the MATH test set's gold answers: rewrites that must be judged equal (boxed, decimal
for a terminating fraction, `x = ...`, thousands separators, reordered solution lists, units and
degree signs, `a/b` for `\\frac{a}{b}`, ...) and perturbations that must be judged different (off by
one, swapped fraction, sign flip, a dropped list item, a changed interval bracket, swapped tuple).
Prints accuracy (on equal / different pairs and overall) and pairs per second for both checkers.

    python benchmarks/answer_check.py [--limit 2000] [--seed 0]

math-verify is installed on demand with `pip install math-verify` (it is not a mathlm dependency).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Iterator
from fractions import Fraction

from rich.console import Console
from rich.table import Table

from mathlm.assets import BENCHMARKS_DIR
from mathlm.eval.answers import AnswerChecker

Pair = tuple[str, str, bool, str]  # prediction, reference, equal?, kind


def equal_rewrites(answer: str) -> Iterator[tuple[str, str]]:
    """Ways of writing the same answer."""
    yield f"\\boxed{{{answer}}}", "boxed"
    yield f" {answer} ", "spaces"
    fraction = re.fullmatch(r"(-?)\\[dt]?frac\{(\d+)\}\{(\d+)\}", answer)
    if fraction:
        sign, numerator, denominator = fraction.groups()
        yield f"{sign}{numerator}/{denominator}", "slash fraction"
        value = Fraction(int(numerator), int(denominator))
        if 10 ** 6 % value.denominator == 0:
            yield f"{sign}{float(value):g}", "decimal"
    if re.fullmatch(r"-?\d+", answer):
        yield f"x = {answer}", "named value"
        if abs(int(answer)) >= 1000:
            yield f"{int(answer):,}", "thousands separator"
        yield f"{answer} \\text{{ units}}", "units"
        yield f"{answer}.0", "trailing zero"
    if re.fullmatch(r"-?\d+", answer) and int(answer) % 15 == 0 and 0 < int(answer) < 360:
        yield f"{answer}^\\circ", "degrees"
    items = _top_level_items(answer)
    if len(items) > 1 and not answer.startswith(("(", "[")):
        yield ", ".join(reversed(items)), "reordered list"
    radical = re.fullmatch(r"(\d+)\\sqrt\{(\d+)\}", answer)
    if radical:
        outside, inside = int(radical.group(1)), int(radical.group(2))
        yield f"\\sqrt{{{outside * outside * inside}}}", "radical folded"


def different_perturbations(answer: str) -> Iterator[tuple[str, str]]:
    """Answers that look alike but are not equal."""
    if re.fullmatch(r"-?\d+", answer):
        yield str(int(answer) + 1), "off by one"
        if int(answer) != 0:
            yield str(-int(answer)), "sign flip"
    fraction = re.fullmatch(r"(-?)\\[dt]?frac\{(\d+)\}\{(\d+)\}", answer)
    if fraction and fraction.group(2) != fraction.group(3):
        yield f"{fraction.group(1)}\\frac{{{fraction.group(3)}}}{{{fraction.group(2)}}}", "swapped fraction"
    items = _top_level_items(answer)
    if len(items) > 1 and not answer.startswith(("(", "[")):
        yield ", ".join(items[:-1]), "dropped item"
    interval = re.fullmatch(r"([(\[])([^,]*),([^,]*)([)\]])", answer)
    if interval:
        flipped = {"(": "[", "[": "("}[interval.group(1)]
        yield f"{flipped}{interval.group(2)},{interval.group(3)}{interval.group(4)}", "interval bracket"
        if interval.group(1) == "(" and interval.group(4) == ")" and interval.group(2).strip() != interval.group(3).strip():
            yield f"({interval.group(3).strip()}, {interval.group(2).strip()})", "swapped tuple"
    radical = re.fullmatch(r"(\d+)\\sqrt\{(\d+)\}", answer)
    if radical and radical.group(1) != radical.group(2):
        yield f"{radical.group(2)}\\sqrt{{{radical.group(1)}}}", "radical swapped"


def _top_level_items(answer: str) -> list[str]:
    depth, items, start = 0, [], 0
    for index, char in enumerate(answer):
        depth += 1 if char in "([{" else -1 if char in ")]}" else 0
        if char == "," and depth == 0 and not re.fullmatch(r"\d{3}", answer[index + 1:index + 4]):
            items.append(answer[start:index].strip())
            start = index + 1
    items.append(answer[start:].strip())
    return [item for item in items if item]


def build_pairs(limit: int, seed: int) -> list[Pair]:
    rows = [json.loads(line) for line in (BENCHMARKS_DIR / "math" / "test.jsonl").open(encoding="utf-8")]
    random.Random(seed).shuffle(rows)
    pairs: list[Pair] = []
    for row in rows:
        gold = row["answer"]
        pairs += [(text, gold, True, kind) for text, kind in equal_rewrites(gold)]
        pairs += [(text, gold, False, kind) for text, kind in different_perturbations(gold)]
        if len(pairs) >= limit:
            break
    return pairs[:limit]


def run_mathlm(pairs: list[Pair]) -> tuple[list[bool], float]:
    with AnswerChecker(timeout_s=5.0) as checker:
        checker.equivalent("1", "1")  # start-up is not part of the measurement
        start = time.perf_counter()
        verdicts = [checker.equivalent(pred, ref) for pred, ref, _, _ in pairs]
        return verdicts, time.perf_counter() - start


def run_math_verify(pairs: list[Pair]) -> tuple[list[bool], float]:
    from math_verify import parse, verify

    def check(pred: str, ref: str) -> bool:
        try:
            return bool(verify(parse(f"${ref}$"), parse(f"${pred}$")))
        except Exception:  # noqa: BLE001 - an exception is a "not equal" verdict for the comparison
            return False

    start = time.perf_counter()
    verdicts = [check(pred, ref) for pred, ref, _, _ in pairs]
    return verdicts, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=2000, help="number of pairs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show-errors", type=int, default=10, help="print this many misjudged pairs per checker")
    args = parser.parse_args()
    pairs = build_pairs(args.limit, args.seed)
    console = Console()
    console.print(f"{len(pairs)} pairs from MATH test gold answers "
                  f"({sum(p[2] for p in pairs)} equal, {sum(not p[2] for p in pairs)} different)")
    results: dict[str, tuple[list[bool], float]] = {"mathlm": run_mathlm(pairs)}
    try:
        results["math-verify"] = run_math_verify(pairs)
    except ImportError:
        console.print("[yellow]math-verify is not installed: pip install math-verify[/]")
    table = Table(title="answer checking on the same pairs")
    for column in ("checker", "accuracy", "acc. on equal", "acc. on different", "pairs/s"):
        table.add_column(column)
    for name, (verdicts, seconds) in results.items():
        correct = [v == p[2] for v, p in zip(verdicts, pairs)]
        on_equal = [c for c, p in zip(correct, pairs) if p[2]]
        on_different = [c for c, p in zip(correct, pairs) if not p[2]]
        table.add_row(name, f"{sum(correct) / len(correct):.4f}", f"{sum(on_equal) / max(1, len(on_equal)):.4f}",
                      f"{sum(on_different) / max(1, len(on_different)):.4f}", f"{len(pairs) / seconds:,.0f}")
        wrong = [(p, v) for p, v, c in zip(pairs, verdicts, correct) if not c][: args.show_errors]
        for (pred, ref, label, kind), verdict in wrong:
            console.print(f"  {name} misjudged [{kind}] {pred!r} vs {ref!r}: said {verdict}, truth {label}",
                          markup=False)
    console.print(table)
    if "math-verify" in results:
        ratio = results["math-verify"][1] / results["mathlm"][1]
        console.print(f"throughput ratio mathlm / math-verify: {ratio:.1f}x")
    by_kind: dict[str, list[bool]] = {}
    for verdict, (_, _, label, kind) in zip(results["mathlm"][0], pairs):
        by_kind.setdefault(kind, []).append(verdict == label)
    console.print("mathlm accuracy by kind: " + ", ".join(
        f"{kind} {sum(v) / len(v):.3f} (n={len(v)})" for kind, v in sorted(by_kind.items())))


if __name__ == "__main__":
    main()
