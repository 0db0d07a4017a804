"""The checker on the hand-labelled pairs of tests/eval/data (real references, model-style predictions,
labels written by hand; see its README): no false positive at all, choice letters included, and at
least the accuracy measured when the pairs were built."""

from __future__ import annotations

import json
from pathlib import Path

from mathlm.eval.answers import EXACT, AnswerChecker
from mathlm.eval.tasks import get_task

PAIRS = Path(__file__).parent / "data" / "answer_pairs.jsonl"


def test_hand_labelled_pairs() -> None:
    pairs = [json.loads(line) for line in PAIRS.open(encoding="utf-8")]
    assert len(pairs) >= 500
    assert {p["benchmark"] for p in pairs} >= {"math", "ocw", "gsm8k", "mmlu_stem", "sat_math"}
    with AnswerChecker(timeout_s=5.0) as checker:
        checker.warm()  # SymPy workers started before the clock
        checkers = {
            "exact": checker.with_tolerance(EXACT),
            "relative": checker.with_tolerance(get_task("ocw").tolerance),
        }
        verdicts = [checkers[p["tolerance"]].equivalent(p["prediction"], p["reference"]) for p in pairs]
    false_positives = [
        (p["prediction"], p["reference"]) for p, v in zip(pairs, verdicts) if v and not p["equal"]
    ]
    assert false_positives == []
    misses = [(p["prediction"], p["reference"]) for p, v in zip(pairs, verdicts) if p["equal"] and not v]
    assert len(misses) <= len(pairs) // 100, misses
