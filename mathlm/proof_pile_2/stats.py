"""Per-stage stats of a data build: what each step read, kept and dropped (and why), and what was written.

datatrove saves every task's step counters to ``logs/<stage>/stats/<task>.json`` (on both executors,
and they survive a re-run that skips the task); this module merges them per stage into
``WORKDIR/stats.json`` and into rows for the closing tables. A drop reason is a counter named
``dropped_<reason>`` (``skipped_<what>`` for inputs that were not documents at all).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REASON_PREFIXES = ("dropped_", "skipped_")


def merge_task_stats(logging_dir: Path) -> list[dict[str, Any]]:
    """The step stats of all finished tasks of one stage, summed: ``[{"step", "counters", "time_s"}]``."""
    merged: list[dict[str, Any]] = []
    for path in sorted((logging_dir / "stats").glob("*.json")):
        for index, step in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            if index == len(merged):
                merged.append({"step": step["name"], "counters": {}, "time_s": 0.0})
            counters = merged[index]["counters"]
            for label, value in step["stats"].items():
                counters[label] = _number(counters.get(label, 0) + _total(value))
            merged[index]["time_s"] = round(merged[index]["time_s"] + _total(step["time_stats"]), 3)
    return merged


def _total(value: int | float | dict[str, Any]) -> float:
    """datatrove saves a counter as its total, or as a dict with ``total`` when it has more to say."""
    return value.get("total", 0) if isinstance(value, dict) else value


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _completed(logging_dir: Path) -> int:
    folder = logging_dir / "completions"
    return sum(1 for _ in folder.iterdir()) if folder.is_dir() else 0


def output_counts(stages: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Documents written per subset and split, from the final writer's per-file counters
    (``<subset>/<split>/XXXXX.jsonl.gz``)."""
    counts: dict[str, dict[str, int]] = {}
    for step in stages[-1]["steps"] if stages else []:
        for label, value in step["counters"].items():
            parts = label.split("/")
            if len(parts) == 3 and parts[2].startswith("XXXXX"):
                subset = counts.setdefault(parts[0], {})
                subset[parts[1]] = subset.get(parts[1], 0) + int(value)
    return counts


def build_stats(stage_dirs: Iterable[tuple[str, Path]], notes: list[str] | None = None) -> dict[str, Any]:
    """The content of ``stats.json``: per stage its finished tasks and step counters; documents written."""
    stages = [
        {"stage": name, "tasks_completed": _completed(folder), "steps": merge_task_stats(folder)}
        for name, folder in stage_dirs
    ]
    return {"stages": stages, "outputs": output_counts(stages), "notes": list(notes or [])}


def drop_reasons(counters: dict[str, Any]) -> dict[str, Any]:
    """``{reason: count}`` of a step's counters (``dropped_no_tex`` -> ``no_tex``)."""
    reasons = {}
    for label, value in counters.items():
        for prefix in REASON_PREFIXES:
            if label.startswith(prefix):
                reasons[label.removeprefix("dropped_")] = value
    return reasons


def step_label(name: str) -> str:
    """``"🔻 - FILTER: 🧮 AlgebraicStack filters"`` -> ``"AlgebraicStack filters"``: no type, no emoji."""
    label = name.split(": ", 1)[-1]
    first, _, rest = label.partition(" ")
    return rest if rest and not first.isascii() else label


def stage_rows(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """One table row per step: documents in, kept, dropped, and the reasons."""
    rows = []
    for stage in stats["stages"]:
        for step in stage["steps"]:
            counters = step["counters"]
            reasons = drop_reasons(counters)
            dropped = counters.get("dropped") or sum(
                v for k, v in reasons.items() if not k.startswith("skipped_")
            )
            rows.append(
                {
                    "stage": stage["stage"],
                    "step": step_label(step["step"]),
                    "in": counters.get("total", ""),
                    "kept": counters.get("forwarded", counters.get("documents", "")),
                    "dropped": dropped or "",
                    "why": "\n".join(f"{reason}={count:,}" for reason, count in sorted(reasons.items())),
                }
            )
    return rows


def output_rows(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """One table row per subset: documents per split."""
    return [
        {
            "subset": subset,
            **{split: splits.get(split, 0) for split in ("train", "validation", "test")},
            "total": sum(splits.values()),
        }
        for subset, splits in sorted(stats["outputs"].items())
    ]
