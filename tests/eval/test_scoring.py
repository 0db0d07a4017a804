"""Scoring: majority votes cluster equivalent answers, pass@k is the unbiased estimator, per-group
accuracy, and program tasks are scored on what the sandbox computed."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from mathlm.benchmarks import BenchmarkRecord
from mathlm.eval.answers import AnswerChecker
from mathlm.eval.sandbox import SandboxLimits, SandboxPool
from mathlm.eval.scoring import majority_vote, pass_at_k, score_sample, summarize
from mathlm.eval.tasks import get_task


@pytest.fixture(scope="module")
def checker() -> Iterator[AnswerChecker]:
    with AnswerChecker() as checker:
        yield checker


def test_majority_vote_clusters_by_equivalence(checker: AnswerChecker) -> None:
    answers = ["\\frac12", "3", "0.5", None, "1/2", "3", "3.0"]
    # {1/2, 0.5, 1/2} and {3, 3, 3.0} both have 3 votes: the first cluster seen wins the tie.
    assert majority_vote(answers, checker.equivalent) == ("\\frac12", 3)
    assert majority_vote(["4", "5", "5"], checker.equivalent) == ("5", 2)
    assert majority_vote([None, ""], checker.equivalent) == (None, 0)


def test_pass_at_k() -> None:
    assert pass_at_k(10, 0, 1) == 0.0
    assert pass_at_k(10, 10, 5) == 1.0
    assert pass_at_k(4, 1, 1) == pytest.approx(0.25)
    assert pass_at_k(4, 1, 2) == pytest.approx(1 - 3 / 6)
    with pytest.raises(ValueError):
        pass_at_k(2, 1, 3)


def test_math_sample_with_sampling(checker: AnswerChecker) -> None:
    task = get_task("math")
    record = BenchmarkRecord(
        benchmark="math", id="7", problem="p", answer="\\frac{1}{2}", subject="Algebra", level=2
    )
    generations = [
        "... Final Answer: The final answer is $0.5$. ",
        "... Final Answer: The final answer is $\\frac{2}{4}$. ",
        "... Final Answer: The final answer is $3$. ",
        "no final answer at all",
    ]
    result = score_sample(task, record, generations, checker)
    assert result.answers == ["$0.5$", "$\\frac{2}{4}$", "$3$", None]
    assert result.verdicts == [True, True, False, False]
    assert result.correct and result.majority_votes == 2


def test_summary_by_subject_and_level(checker: AnswerChecker) -> None:
    task = get_task("math")
    results = []
    for i, (subject, level, answer) in enumerate(
        [("Algebra", 1, "2"), ("Algebra", 2, "3"), ("Geometry", 1, "2")]
    ):
        record = BenchmarkRecord(
            benchmark="math", id=str(i), problem="p", answer="2", subject=subject, level=level
        )
        results.append(
            score_sample(task, record, [f"Final Answer: The final answer is ${answer}$. "], checker)
        )
    summary = summarize(task, results)
    assert summary["maj@1"] == pytest.approx(2 / 3)
    assert summary["by_subject"]["Algebra"] == {"accuracy": 0.5, "samples": 2}
    assert summary["by_level"]["1"] == {"accuracy": 1.0, "samples": 2}


def test_program_task_scores_the_executed_value(checker: AnswerChecker) -> None:
    task = get_task("gsm8k_python")
    record = BenchmarkRecord(benchmark="gsm8k", id="0", problem="p", answer="18")
    generations = [
        "\n    eggs = 16 - 3 - 4\n    return eggs * 2\n".replace("\n    eggs", "def solution():\n    eggs"),
        "def solution():\n    while True:\n        pass\n",
        "def solution():\n    return open('/etc/passwd').read()\n",
    ]
    with SandboxPool(workers=1, limits=SandboxLimits(wall_time_s=1.0, cpu_time_s=1)) as sandbox:
        result = score_sample(task, record, generations, checker, sandbox)
    assert result.answers[0] == "18" and result.verdicts == [True, False, False]
    assert result.errors[0] is None and result.errors[1].startswith("timeout")
    assert result.errors[2].startswith("error: FileNotFoundError")  # the sandbox has no /etc


def test_choice_task_compares_letters(checker: AnswerChecker) -> None:
    task = get_task("sat")
    record = BenchmarkRecord(benchmark="sat", id="0", problem="p", answer="B", choices=("1", "2", "3", "4"))
    result = score_sample(task, record, ["Final Answer: The final answer is (B). "], checker)
    assert result.correct


def test_program_values_that_are_not_clean_text_are_written_safely(checker: AnswerChecker) -> None:
    """A program may return a lone surrogate: the answer must still encode as UTF-8 (it used to crash every
    rerun of the run, the generation being cached)."""
    task = get_task("gsm8k_python")
    record = BenchmarkRecord(benchmark="gsm8k", id="0", problem="p", answer="18")
    with SandboxPool(workers=1, limits=SandboxLimits(wall_time_s=5.0, cpu_time_s=5)) as sandbox:
        result = score_sample(
            task, record, ["def solution():\n    return 'x' + chr(0xDCFF)\n"], checker, sandbox
        )
    json.dumps(result.to_json(), ensure_ascii=False).encode("utf-8")
    assert result.verdicts == [False]
