"""Benchmark test sets shared by evaluation and decontamination: specs and loading (:mod:`.specs`),
contamination n-grams (:mod:`.ngrams`) and the overlap records both report with (:mod:`.overlap`).

Benchmarks live in a registry (:data:`BENCHMARKS`): :func:`register_benchmark` makes one loadable by name
and, unless its spec opts out, a decontamination target of every data build. The loading API is
re-exported here because almost every caller wants just a record or a loader.
"""

from mathlm.benchmarks.specs import (
    BENCHMARKS,
    BenchmarkRecord,
    BenchmarkSpec,
    TextField,
    benchmark_names,
    decontamination_targets,
    get_spec,
    iter_benchmark,
    load_benchmark,
    register_benchmark,
)

__all__ = [
    "BENCHMARKS",
    "BenchmarkRecord",
    "BenchmarkSpec",
    "TextField",
    "benchmark_names",
    "decontamination_targets",
    "get_spec",
    "iter_benchmark",
    "load_benchmark",
    "register_benchmark",
]
