"""`scores.png`: drawn for a run with MATH subjects and levels next to the paper's numbers, by
`mathlm eval plot RUN` from the run's summary.json."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mathlm.cli import app
from mathlm.eval.scoring import SampleResult, summarize
from mathlm.eval.tasks import get_task


def math_summary() -> dict:
    """A MATH summary over every 80th real test record (all subjects), right on levels 1-2 only."""
    task = get_task("math")
    results = [
        SampleResult(
            task="math",
            doc_id=r.id,
            reference=r.answer or "",
            generations=["..."],
            answers=["x"],
            verdicts=[(r.level or 5) <= 2],
            majority_answer="x",
            majority_votes=1,
            correct=(r.level or 5) <= 2,
            subject=r.subject,
            level=r.level,
        )
        for r in task.records()[::80]
    ]
    return summarize(task, results)


def test_eval_plot_draws_tasks_subjects_and_levels(tmp_path: Path) -> None:
    summary = math_summary()
    assert len(summary["by_subject"]) > 1 and len(summary["by_level"]) == 5
    (tmp_path / "summary.json").write_text(
        json.dumps({"math": summary, "gsm8k": {"samples": 4, "n": 1, "maj@1": 0.25}})
    )

    result = CliRunner().invoke(app, ["eval", "plot", str(tmp_path), "--model-name", "Llemma 7B"])

    assert result.exit_code == 0, result.output
    png = (tmp_path / "scores.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_eval_plot_without_a_summary_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "plot", str(tmp_path)])
    assert result.exit_code != 0 and "summary.json not found" in str(result.exception)
