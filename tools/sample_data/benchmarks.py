"""Benchmark test problems that the sample corpus copies on purpose, so decontamination has work to do.

Read from the vendored evaluation data at generation time; the manifest records which were copied.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

Row = dict[str, object]


def load_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def pick_math_problem(rows: list[Row], rng: random.Random, exclude: set[int]) -> Row:
    """A MATH test problem of at least 40 words without Asymptote code (so a 30-gram check can see it)."""
    candidates = [
        row
        for row in rows
        if len(str(row["problem"]).split()) >= 40
        and "[asy]" not in str(row["problem"])
        and int(str(row["idx"])) not in exclude
    ]
    return rng.choice(candidates)
