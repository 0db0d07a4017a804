"""``OUT/scores.png``: a run's accuracy per task next to the Llemma paper's, and per MATH subject / level.

Written at the end of every unsharded run, merge and re-score (``mathlm eval plot RUN`` redraws it from
``OUT/summary.json``). The paper's bar appears only where ``model_name`` is one of its models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mathlm.eval.tasks import published_score

GROUP_KEYS = ("by_subject", "by_level")


def main_metric(summary: dict[str, Any], n: int | None = None) -> float:
    """A task's headline accuracy in %: maj@n (maj@1 for greedy runs) of a summary (or its ``llemma`` part,
    which has no ``n`` of its own: pass the task's)."""
    return 100 * summary.get(f"maj@{n or summary.get('n', 1)}", 0.0)


def plot_scores(out: Path, summaries: dict[str, dict[str, Any]], model_name: str | None = None) -> Path:
    """Draw the bar charts into ``out/scores.png`` and return its path."""
    import matplotlib

    matplotlib.use("Agg")  # files only: works without a display, on cluster nodes too
    import matplotlib.pyplot as plt

    groups = [
        (task, key, summary[key])
        for task, summary in summaries.items()
        for key in GROUP_KEYS
        if key in summary
    ]
    figure, axes = plt.subplots(
        1 + len(groups),
        1,
        figsize=(max(6.0, 1.1 * len(summaries) + 2), 3.6 * (1 + len(groups))),
        squeeze=False,
    )
    _task_bars(axes[0][0], summaries, model_name)
    for axis, (task, key, values) in zip(axes[1:, 0], groups):
        _group_bars(axis, task, key, values)
    figure.tight_layout()
    path = out / "scores.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _task_bars(axis: Any, summaries: dict[str, dict[str, Any]], model_name: str | None) -> None:
    """Per task: this run scored ``correct`` and ``llemma`` (the harness's way), and the paper's number."""
    names = list(summaries)
    series = [
        ("this run: correct", [main_metric(summaries[name]) for name in names], None),
        (
            "this run: llemma scoring",
            [main_metric(summaries[name].get("llemma", {}), summaries[name].get("n", 1)) for name in names],
            "tab:orange",
        ),
    ]
    paper = [published_score(name, model_name) for name in names]
    if any(value is not None for value in paper):
        series.append((f"{model_name} (Llemma paper)", [v or 0.0 for v in paper], "tab:gray"))
    width = 0.8 / len(series)
    positions = range(len(names))
    for offset, (label, values, color) in enumerate(series):
        bars = axis.bar(
            [p + (offset - (len(series) - 1) / 2) * width for p in positions],
            values,
            width,
            label=label,
            color=color,
        )
        shown = paper if color == "tab:gray" else values
        axis.bar_label(bars, labels=[f"{v:.1f}" if v is not None else "" for v in shown], fontsize=7)
    labels = [
        f"{name}\n{_metric_name(summaries[name])}, n={summaries[name].get('samples', 0)}" for name in names
    ]
    axis.set_xticks(list(positions), labels, fontsize=8)
    axis.set_ylabel("accuracy (%)")
    axis.set_ylim(0, 105)
    axis.set_title("accuracy per task (compare the paper with the llemma scoring)")
    axis.legend(fontsize=8)


def _group_bars(axis: Any, task: str, key: str, values: dict[str, dict[str, Any]]) -> None:
    names = list(values)
    bars = axis.bar(
        range(len(names)), [100 * values[name]["accuracy"] for name in names], 0.6, color="tab:green"
    )
    axis.bar_label(
        bars,
        labels=[f"{100 * values[n]['accuracy']:.0f}\n({values[n]['samples']})" for n in names],
        fontsize=7,
    )
    axis.set_xticks(range(len(names)), names, fontsize=7, rotation=20)
    axis.set_ylabel("accuracy (%)")
    axis.set_ylim(0, 115)
    axis.set_title(f"{task}: accuracy {key.replace('_', ' ')} (problems in brackets)")


def _metric_name(summary: dict[str, Any]) -> str:
    return f"maj@{summary.get('n', 1)}"
