"""Scoring saved generations: answers, verdicts, majority votes, pass@k and per-group accuracy, in two
modes side by side: ``correct`` (our extraction and equivalence) and ``llemma`` (the harness behind the
Llemma paper's table, reproduced with its defects: see :mod:`mathlm.eval.harness`).

Scoring never calls the model, so it can be re-run from a run directory (``mathlm eval score``)
after a change to extraction or equivalence. A sample without an answer (no final-answer line, a
program that failed, a prompt the backend could not serve) is invalid: it counts as wrong, and the
share of such samples is reported.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from mathlm.benchmarks import BenchmarkRecord
from mathlm.eval.answers import AnswerChecker
from mathlm.eval.sandbox import SandboxPool
from mathlm.eval.tasks import Task
from mathlm.inference import safe_text


@dataclass
class SampleResult:
    """Everything about one problem: what the model wrote, what we read from it, and the verdicts."""

    task: str
    doc_id: str
    reference: str
    generations: list[str]
    answers: list[str | None]
    verdicts: list[bool]
    majority_answer: str | None
    majority_votes: int
    correct: bool  # the majority answer (greedy: the only answer) is right
    subject: str | None = None
    level: int | None = None
    errors: list[str | None] = field(default_factory=list)  # why a program failed / the prompt got no output
    llemma_answers: list[str | None] = field(default_factory=list)  # the harness's reading
    llemma_verdicts: list[bool] = field(default_factory=list)
    llemma_majority_answer: str | None = None
    llemma_correct: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def majority_vote(answers: Sequence[str | None], same: Callable[[str, str], bool]) -> tuple[str | None, int]:
    """The most common answer, where answers count as one when ``same`` says they are equivalent.

    Clusters keep their first member as representative; ties go to the cluster seen first, so greedy
    (one answer) and sampled runs are scored by the same rule.
    """
    clusters: list[tuple[str, int]] = []
    for answer in answers:
        if answer is None or not answer.strip():
            continue
        for index, (representative, count) in enumerate(clusters):
            if answer == representative or same(answer, representative):
                clusters[index] = (representative, count + 1)
                break
        else:
            clusters.append((answer, 1))
    if not clusters:
        return None, 0
    return max(clusters, key=lambda cluster: cluster[1])  # max keeps the first of equal counts


def pass_at_k(n: int, correct: int, k: int) -> float:
    """Unbiased pass@k from n samples with ``correct`` right ones (Chen et al., 2021)."""
    if k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples, got {n}")
    if n - correct < k:
        return 1.0
    return 1.0 - math.comb(n - correct, k) / math.comb(n, k)


def answers_for(
    task: Task, generations: Sequence[str], sandbox: SandboxPool | None
) -> tuple[list[str | None], list[str | None]]:
    """The answer in each generation (program tasks: the value of the executed program) and errors."""
    if task.kind == "cot":
        return [task.extract(text) for text in generations], [None] * len(generations)
    if sandbox is None:
        raise ValueError(f"task {task.name} runs programs: pass a SandboxPool")
    programs = [(task.program(text), task.result_expr) for text in generations]
    answers: list[str | None] = []
    errors: list[str | None] = []
    for result in sandbox.map(programs):
        answers.append(safe_text(result.value_latex or result.value) if result.ok else None)
        errors.append(None if result.ok else safe_text(f"{result.status}: {result.error}"))
    return answers, errors


def score_sample(
    task: Task,
    record: BenchmarkRecord,
    generations: list[str],
    checker: AnswerChecker,
    sandbox: SandboxPool | None = None,
    error: str | None = None,
) -> SampleResult:
    """Score one problem's generations in both modes; ``error`` is the backend's reason when the prompt
    got no generation (an invalid sample, not a dead run)."""
    reference = task.reference(record)
    answers, errors = answers_for(task, generations, sandbox)
    same = _same_answer(task, checker)
    verdicts = [answer is not None and same(answer, reference) for answer in answers]
    majority, votes = majority_vote(answers, same)
    if task.kind == "program":
        llemma_answers = answers  # the harness scored the same executed value
    else:
        llemma_answers = [task.harness_extract(text) for text in generations]

    def harness_same(a: str, b: str) -> bool:
        return task.harness_same(a, b, same)

    llemma_verdicts = [answer is not None and harness_same(answer, reference) for answer in llemma_answers]
    llemma_majority, _ = majority_vote(llemma_answers, harness_same)
    return SampleResult(
        task=task.name,
        doc_id=record.id,
        reference=reference,
        generations=generations,
        answers=answers,
        verdicts=verdicts,
        majority_answer=majority,
        majority_votes=votes,
        correct=majority is not None and same(majority, reference),
        subject=record.subject,
        level=record.level,
        errors=errors if error is None else [safe_text(error)],
        llemma_answers=llemma_answers,
        llemma_verdicts=llemma_verdicts,
        llemma_majority_answer=llemma_majority,
        llemma_correct=llemma_majority is not None and harness_same(llemma_majority, reference),
    )


def _same_answer(task: Task, checker: AnswerChecker) -> Callable[[str, str], bool]:
    if task.scorer == "choice":
        return lambda a, b: a.strip().strip("()").upper() == b.strip().strip("()").upper()
    if task.scorer == "exact":
        return lambda a, b: a.strip() == b.strip()
    return checker.with_tolerance(task.tolerance).equivalent


def summarize(task: Task, results: Sequence[SampleResult]) -> dict[str, Any]:
    """Accuracy of the majority answer (maj@n), pass@k, and accuracy per subject and per level."""
    if not results:
        return {"task": task.name, "samples": 0}
    n = max(1, min(len(r.generations) or 1 for r in results))
    summary: dict[str, Any] = {
        "task": task.name,
        "samples": len(results),
        "n": n,
        f"maj@{n}": _mean(r.correct for r in results),
        "pass@1": _mean(_pass(r.verdicts, 1) for r in results),
        "extracted": _mean(any(a is not None for a in r.answers) for r in results),
        "invalid": _mean(not any(a is not None for a in r.answers) for r in results),
        "llemma": {
            f"maj@{n}": _mean(r.llemma_correct for r in results),
            "pass@1": _mean(_pass(r.llemma_verdicts, 1) for r in results),
            "extracted": _mean(any(a is not None for a in r.llemma_answers) for r in results),
        },
    }
    if n > 1:
        summary[f"pass@{n}"] = _mean(_pass(r.verdicts, n) for r in results)
    for key in ("subject", "level"):
        groups: dict[str, list[bool]] = defaultdict(list)
        for result in results:
            value = getattr(result, key)
            if value is not None:
                groups[str(value)].append(result.correct)
        if len(groups) > 1:
            summary[f"by_{key}"] = {
                name: {"accuracy": _mean(v), "samples": len(v)} for name, v in sorted(groups.items())
            }
    return summary


def _pass(verdicts: Sequence[bool], k: int) -> float:
    """pass@k of one problem; a problem without generations (its prompt failed) scores 0."""
    return pass_at_k(len(verdicts), sum(verdicts), k) if len(verdicts) >= k else 0.0


def _mean(values: Any) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0
