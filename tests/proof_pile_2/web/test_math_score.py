"""The rule-based math score and MathScoreFilter's OpenWebMath thresholds."""

from __future__ import annotations

import pytest
from datatrove.data import Document

from mathlm.errors import MathlmError
from mathlm.proof_pile_2.web.math_score import (
    FastTextMathScorer,
    MathScoreFilter,
    RuleMathScorer,
    make_math_scorer,
)

PROOF = (
    r"Theorem. For every integer $n \geq 1$, $\sum_{k=1}^n k = \frac{n(n+1)}{2}$. Proof. By induction on "
    r"$n$: the case $n = 1$ is clear, and $\sum_{k=1}^{n+1} k = \frac{n(n+1)}{2} + n + 1 = "
    r"\frac{(n+1)(n+2)}{2}$, which completes the proof."
)
WORKED = (
    "Solve x^2 + 3x - 4 = 0. The quadratic factors as (x + 4)(x - 1) = 0, so x = 1 or x = -4. "
    "Check: 1^2 + 3*1 - 4 = 0 and 16 - 12 - 4 = 0."
)
NEWS = (
    "The city council met on Tuesday to discuss the budget for the new park. Residents asked about the "
    "playground and the parking lot, and the mayor promised a decision by March."
)
RECIPE = (
    "Preheat the oven. Mix two cups of flour with one cup of sugar and three eggs, then bake until golden."
)


def test_rule_score_separates_math_from_general_text() -> None:
    scorer = RuleMathScorer()
    for text in (PROOF, WORKED):
        assert scorer.score(text) > 0.8
    for text in (NEWS, RECIPE):
        assert scorer.score(text) < 0.15
    assert scorer.score("") == 0.0
    assert 0.0 <= scorer.score("= = = = $ $ \\frac \\frac 1+1 2+2") <= 1.0


class FixedScore:
    """A scorer with a known value, to pin the thresholds down exactly."""

    def __init__(self, value: float):
        self.value = value

    def score(self, text: str) -> float:
        return self.value


@pytest.mark.parametrize(
    ("score", "found_math", "reason"),
    [
        (0.85, False, None),
        (0.5, False, "math_score"),
        (0.2, True, None),
        (0.1, True, "math_score"),
        (0.16, True, "final_math_score"),
    ],
)
def test_openwebmath_thresholds(score: float, found_math: bool, reason: str | None) -> None:
    step = MathScoreFilter(FixedScore(score))
    doc = Document(text="x", id="d", metadata={"found_math": found_math})
    kept = list(step.run(iter([doc])))
    assert doc.metadata["math_score"] == score
    assert bool(kept) is (reason is None)
    if reason:
        assert step.stats[f"dropped_{reason}"].total == 1


def test_default_scorer_is_rule_based_and_a_missing_model_is_a_clear_error(tmp_path) -> None:
    assert isinstance(make_math_scorer(None), RuleMathScorer)
    with pytest.raises(MathlmError, match="train-classifier"):
        FastTextMathScorer(tmp_path / "missing.bin")
