"""Benchmark test sets shared by evaluation and decontamination: specs and loading (:mod:`.specs`),
contamination n-grams (:mod:`.ngrams`) and the overlap records both report with (:mod:`.overlap`).

The loading API is re-exported here because almost every caller wants just a record or a loader.
"""

from mathlm.benchmarks.specs import (
    BENCHMARKS,
    BenchmarkRecord,
    BenchmarkSpec,
    TextField,
    benchmark_names,
    get_spec,
    iter_benchmark,
    load_benchmark,
)

__all__ = [
    "BENCHMARKS",
    "BenchmarkRecord",
    "BenchmarkSpec",
    "TextField",
    "benchmark_names",
    "get_spec",
    "iter_benchmark",
    "load_benchmark",
]
