"""``OUT/scores.png``: a run's accuracy per task next to the Llemma paper's, and per MATH subject / level.

Written at the end of every unsharded run, merge and re-score (``mathlm eval plot RUN`` redraws it from
``OUT/summary.json``). The paper's bar appears only where ``model_name`` is one of its models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mathlm.eval.tasks import published_score

GROUP_KEYS = ("by_subject", "by_level")


def main_metric(summary: dict[str, Any]) -> float:
    """A task's headline accuracy in %: maj@n (maj@1 for greedy runs), ``correct`` mode."""
    return 100 * summary.get(f"maj@{summary.get('n', 1)}", 0.0)


def plot_scores(out: Path, summaries: dict[str, dict[str, Any]], model_name: str | None = None) -> Path:
    """Draw the bar charts into ``out/scores.png`` and return its path."""
    import matplotlib

    matplotlib.use("Agg")  # files only: works without a display, on cluster nodes too
    import matplotlib.pyplot as plt

    groups = [(task, key, summary[key]) for task, summary in summaries.items() for key in GROUP_KEYS if key in summary]
    figure, axes = plt.subplots(1 + len(groups), 1, figsize=(max(6.0, 1.1 * len(summaries) + 2), 3.6 * (1 + len(groups))),
                                squeeze=False)
    _task_bars(axes[0][0], summaries, model_name)
    for axis, (task, key, values) in zip(axes[1:, 0], groups):
        _group_bars(axis, task, key, values)
    figure.tight_layout()
    path = out / "scores.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _task_bars(axis: Any, summaries: dict[str, dict[str, Any]], model_name: str | None) -> None:
    names = list(summaries)
    ours = [main_metric(summaries[name]) for name in names]
    paper = [published_score(name, model_name) for name in names]
    has_paper = any(value is not None for value in paper)
    width = 0.4 if has_paper else 0.6
    positions = range(len(names))
    bars = axis.bar([p - width / 2 * has_paper for p in positions], ours, width, label="this run")
    axis.bar_label(bars, fmt="%.1f", fontsize=8)
    if has_paper:
        published = axis.bar([p + width / 2 for p in positions], [v or 0.0 for v in paper], width,
                             label=f"{model_name} (Llemma paper)", color="tab:gray")
        axis.bar_label(published, labels=[f"{v:.1f}" if v is not None else "" for v in paper], fontsize=8)
    labels = [f"{name}\n{_metric_name(summaries[name])}, n={summaries[name].get('samples', 0)}" for name in names]
    axis.set_xticks(list(positions), labels, fontsize=8)
    axis.set_ylabel("accuracy (%)")
    axis.set_ylim(0, 105)
    axis.set_title("accuracy per task")
    axis.legend(fontsize=8)


def _group_bars(axis: Any, task: str, key: str, values: dict[str, dict[str, Any]]) -> None:
    names = list(values)
    bars = axis.bar(range(len(names)), [100 * values[name]["accuracy"] for name in names], 0.6, color="tab:green")
    axis.bar_label(bars, labels=[f"{100 * values[n]['accuracy']:.0f}\n({values[n]['samples']})" for n in names],
                   fontsize=7)
    axis.set_xticks(range(len(names)), names, fontsize=7, rotation=20)
    axis.set_ylabel("accuracy (%)")
    axis.set_ylim(0, 115)
    axis.set_title(f"{task}: accuracy {key.replace('_', ' ')} (problems in brackets)")


def _metric_name(summary: dict[str, Any]) -> str:
    return f"maj@{summary.get('n', 1)}"
