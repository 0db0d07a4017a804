"""Decontamination against the benchmark test sets: a datatrove filter step and the overlap report.

For the data build:

    step = build_decontamination_step(cfg.decontamination, report_folder=workdir / "decontamination")
    ... run the pipeline [readers, subset steps, step, writer] ...
    write_contamination_report(cfg.decontamination, workdir / "decontamination")
"""

from mathlm.benchmarks.overlap import HitRecord, OverlapTally, hit_records
from mathlm.proof_pile_2.decontamination.config import DEFAULT_BENCHMARKS, DecontaminationConfig
from mathlm.proof_pile_2.decontamination.filter import (
    BenchmarkDecontaminationFilter,
    build_decontamination_step,
)
from mathlm.proof_pile_2.decontamination.report import write_contamination_report

__all__ = [
    "DEFAULT_BENCHMARKS",
    "BenchmarkDecontaminationFilter",
    "DecontaminationConfig",
    "HitRecord",
    "OverlapTally",
    "build_decontamination_step",
    "hit_records",
    "write_contamination_report",
]
