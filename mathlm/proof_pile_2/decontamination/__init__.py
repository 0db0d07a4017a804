"""Decontamination against the benchmark test sets: a datatrove filter step and the overlap report.

For the data build:

    step = build_decontamination_step(cfg.decontamination, report_folder=workdir / "decontamination")
    ... run the pipeline [readers, subset steps, step, writer] ...
    write_contamination_report(cfg.decontamination, workdir / "decontamination")

The filter step (:mod:`.filter`, which imports datatrove) is loaded on first use, so that the data-build
schema can read :mod:`.config` without importing any step.
"""

from __future__ import annotations

import importlib
from typing import Any

from mathlm.proof_pile_2.decontamination.config import DecontaminationConfig
from mathlm.proof_pile_2.decontamination.report import write_contamination_report

_FILTER_EXPORTS = ("BenchmarkDecontaminationFilter", "build_decontamination_step")
__all__ = ["DecontaminationConfig", "write_contamination_report", *_FILTER_EXPORTS]


def __getattr__(name: str) -> Any:
    if name not in _FILTER_EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.filter"), name)
