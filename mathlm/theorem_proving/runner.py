"""``mathlm prove minif2f``: run the proof search over a benchmark and write results a person can open.

Outputs in the run directory:

* ``results.jsonl``: one line per theorem, written as soon as it finishes (id, split, proved, proof,
  the reason for a failure, expansions, tactics, seconds, server restarts). A re-run with the same
  directory skips theorems already there, so an interrupted run resumes.
* ``summary.json``: pass rate, failure reasons, and the published miniF2F-test numbers next to ours.
* ``config.yaml``: the exact settings.

Workers are threads, each with its own prover backend (its own Lean server: with Mathlib each uses
GBs of memory, so ``workers`` is a config value). The model is shared and called under a lock: on
one GPU the model is the bottleneck and Lean checks overlap with generation.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from mathlm.config import ConfigModel, dump_config
from mathlm.console import console, progress, summary_table
from mathlm.errors import MathlmError
from mathlm.theorem_proving.backend import ProverBackend
from mathlm.theorem_proving.proposer import Candidate, TacticProposer
from mathlm.theorem_proving.search import SearchBudget, best_first_search

# Published pass rates on miniF2F-test (n=244), Llemma paper Table 4 / released proof-search outputs.
PUBLISHED_MINIF2F_TEST = {"Llemma 7B": 26.2, "Llemma 34B": 25.8, "Code Llama 7B": 20.5, "Code Llama 34B": 22.1}
# Header of every miniF2F file in mathlm/assets/benchmarks/minif2f_lean4/minif2f.jsonl; used where a record has none.
MINIF2F_HEADER = "import Mathlib\n\nset_option maxHeartbeats 0\n\nopen BigOperators Real Nat Topology Rat\n\n"


class ModelConfig(ConfigModel):
    """The tactic model. ``temperature: 0`` with ``n > 1`` is beam search (the published setting)."""

    engine: Literal["hf", "vllm", "openai"] = "hf"
    path: str = ""  # checkpoint directory (hf, vllm) or the served model name (openai)
    base_url: str | None = None  # openai: e.g. http://localhost:8000/v1
    n: int = 32
    temperature: float = 0.0
    top_p: float = 0.95
    max_new_tokens: int = 256
    dtype: Literal["auto", "bf16", "fp16", "fp32"] = "auto"
    seed: int = 0
    vllm: dict[str, Any] = Field(default_factory=dict)  # extra vllm.LLM arguments (tensor_parallel_size, gpu_memory_utilization...)


class ProverConfig(ConfigModel):
    """The Lean side. ``lean_server`` runs ``lake serve`` in ``project_dir`` (``use_lake``) or ``lean --server``."""

    backend: Literal["lean_server", "lean_interact", "leandojo"] = "lean_server"
    project_dir: str = "."
    lean: str = "lean"
    use_lake: bool = True
    env: dict[str, str] = Field(default_factory=dict)  # e.g. LEAN_WORKER_PATH, LEAN_PATH
    tactic_timeout_s: float = 60.0
    start_timeout_s: float = 600.0


class SearchConfig(ConfigModel):
    max_expansions: int = 100
    max_tactics: int | None = None
    timeout_s: float = 600.0


class ProveConfig(ConfigModel):
    """A proof-search evaluation run (``configs/prove/*.yaml``)."""

    benchmark: Literal["minif2f", "minif2f_llemma"] = "minif2f"
    split: Literal["test", "valid"] = "test"
    limit: int | None = None
    header: str | None = None  # overrides the benchmark's file header
    output_dir: str = "runs/prove"
    workers: int = 1
    model: ModelConfig = ModelConfig()
    prover: ProverConfig = ProverConfig()
    search: SearchConfig = SearchConfig()


@dataclass(frozen=True)
class Theorem:
    """One formal statement to prove (``statement`` ends with ``:= by``)."""

    id: str
    header: str
    statement: str
    split: str = "test"
    metadata: dict[str, Any] = field(default_factory=dict)


def benchmark_theorems(config: ProveConfig) -> list[Theorem]:
    """The config's split of the benchmark, first ``limit`` theorems, in file order."""
    from mathlm.benchmarks import load_benchmark

    theorems = []
    for record in load_benchmark(config.benchmark):
        if record.split != config.split:
            continue
        header = config.header if config.header is not None else record.metadata.get("header", MINIF2F_HEADER)
        theorems.append(Theorem(record.id, header, as_tactic_statement(record.problem), record.split,
                                dict(record.metadata)))
    return theorems[:config.limit] if config.limit is not None else theorems


def as_tactic_statement(statement: str) -> str:
    """``statement`` ending in ``:= by`` (Llemma's list stores the bare statement, miniF2F the ``:= by``)."""
    statement = statement.rstrip()
    if statement.endswith(":= by"):
        return statement
    return statement.removesuffix(":=").rstrip() + " := by"


def build_proposer(config: ModelConfig) -> TacticProposer:
    """The configured tactic model with the published few-shot prompt."""
    from mathlm.theorem_proving import proposer
    from mathlm.theorem_proving.prompt import load_tactic_prompt

    prompt = load_tactic_prompt()
    common = {"n": config.n, "temperature": config.temperature, "top_p": config.top_p,
              "max_new_tokens": config.max_new_tokens, "seed": config.seed}
    if not config.path:
        raise MathlmError("model.path is empty: set it to a checkpoint directory (or the served model name)")
    if config.engine == "hf":
        return proposer.HFTacticProposer(Path(config.path).expanduser(), prompt, dtype=config.dtype, **common)
    if config.engine == "vllm":
        return proposer.VLLMTacticProposer(config.path, prompt, **common, **config.vllm)
    if not config.base_url:
        raise MathlmError("model.engine openai needs model.base_url, e.g. http://localhost:8000/v1")
    return proposer.OpenAITacticProposer(config.base_url, config.path, prompt, **common)


def build_backend(config: ProverConfig, theorems: Iterable[Theorem] = ()) -> ProverBackend:
    """One prover backend (each worker builds its own)."""
    project_dir = Path(config.project_dir).expanduser()
    if config.backend == "lean_server":
        from mathlm.theorem_proving.lean_server import LeanServerBackend, server_command

        if not project_dir.is_dir():
            raise MathlmError(f"prover.project_dir does not exist: {project_dir}; point it at your Lean project "
                              "with Mathlib (docs/theorem_proving.md)")
        return LeanServerBackend(server_command(config.lean, project_dir, config.use_lake), project_dir,
                                 env=config.env, tactic_timeout_s=config.tactic_timeout_s,
                                 start_timeout_s=config.start_timeout_s,
                                 document_name=f"MathlmProofSearch{threading.get_ident()}.lean")
    if config.backend == "lean_interact":
        from mathlm.theorem_proving.adapters import LeanInteractBackend

        return LeanInteractBackend(str(project_dir), timeout_s=config.tactic_timeout_s)
    from mathlm.theorem_proving.adapters import LeanDojoBackend

    theorems = list(theorems)
    if not theorems or "commit" not in theorems[0].metadata:
        raise MathlmError("the leandojo backend needs benchmark: minif2f_llemma (its records name the traced "
                          "repository, commit and file of each theorem)")
    by_statement = {t.statement: (t.metadata["file_path"], t.id) for t in theorems}
    return LeanDojoBackend(theorems[0].metadata["url"], theorems[0].metadata["commit"], by_statement,
                           config.start_timeout_s)


class _SharedProposer:
    """Serialises calls to one model from several workers."""

    def __init__(self, inner: TacticProposer) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self._lock = threading.Lock()

    def propose(self, goals: str) -> list[Candidate]:
        with self._lock:
            return self.inner.propose(goals)


def run_proof_search(theorems: list[Theorem], proposer: TacticProposer,
                     make_backend: Callable[[], ProverBackend], budget: SearchBudget, output_dir: Path,
                     workers: int = 1, title: str = "proof search") -> dict[str, Any]:
    """Search every theorem not yet in ``output_dir/results.jsonl``; write results and the summary."""
    output_dir.mkdir(parents=True, exist_ok=True)
    results_path = output_dir / "results.jsonl"
    done = _finished_ids(results_path)
    todo = [t for t in theorems if t.id not in done]
    shared = _SharedProposer(proposer)
    write_lock = threading.Lock()
    local = threading.local()
    backends: list[ProverBackend] = []

    def backend() -> ProverBackend:
        if not hasattr(local, "backend"):
            local.backend = make_backend()
            backends.append(local.backend)
        return local.backend

    def prove(theorem: Theorem) -> None:
        prover = backend()
        result = best_first_search(prover, shared, theorem.header, theorem.statement, budget)
        row = {"id": theorem.id, "split": theorem.split, "statement": theorem.statement, **result.to_json(),
               "server_failures": _drain_failures(prover), "model": proposer.model_id}
        with write_lock, results_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")

    started = time.perf_counter()
    try:
        with progress() as bar, ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            task = bar.add_task(title, total=len(todo))
            for future in [pool.submit(prove, t) for t in todo]:
                future.result()
                bar.advance(task)
    finally:
        for prover in backends:
            prover.close()
    summary = summarize(results_path, {t.id for t in theorems}, time.perf_counter() - started)
    (output_dir / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print_summary(summary)
    return summary


def run_benchmark(config: ProveConfig, output_dir: Path | None = None) -> dict[str, Any]:
    """Everything ``mathlm prove minif2f`` does: load theorems, build the model and backends, search."""
    theorems = benchmark_theorems(config)
    if not theorems:
        raise MathlmError(f"no theorems in {config.benchmark} split {config.split!r}")
    out = Path(output_dir or config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    dump_config(config, out / "config.yaml")
    budget = SearchBudget(config.search.max_expansions, config.search.max_tactics, config.search.timeout_s)
    build_backend(config.prover, theorems).close()  # a missing Lean or project fails before the model loads
    proposer = build_proposer(config.model)
    return run_proof_search(theorems, proposer, lambda: build_backend(config.prover, theorems), budget, out,
                            workers=config.workers, title=f"{config.benchmark} {config.split}")


def summarize(results_path: Path, ids: set[str], seconds: float) -> dict[str, Any]:
    """Pass rate over the run's theorems, failure reasons, and the published numbers for comparison."""
    rows = [r for r in _read_results(results_path) if r["id"] in ids]
    proved = sum(r["proved"] for r in rows)
    reasons = Counter(r["reason"] for r in rows if not r["proved"])
    return {
        "theorems": len(rows), "proved": proved,
        "pass_rate": round(100.0 * proved / len(rows), 2) if rows else 0.0,
        "failure_reasons": dict(reasons.most_common()),
        "server_failures": sum(len(r.get("server_failures", [])) for r in rows),
        "mean_seconds": round(sum(r["seconds"] for r in rows) / len(rows), 2) if rows else 0.0,
        "wall_seconds": round(seconds, 1),
        "published_minif2f_test_n244": PUBLISHED_MINIF2F_TEST,
    }


def print_summary(summary: dict[str, Any]) -> None:
    rows = [{"model": "this run", "pass rate (%)": summary["pass_rate"],
             "proved / n": f"{summary['proved']} / {summary['theorems']}"}]
    rows += [{"model": name, "pass rate (%)": rate, "proved / n": "published, n=244"}
             for name, rate in summary["published_minif2f_test_n244"].items()]
    console.print(summary_table("miniF2F proof search", rows))
    if summary["failure_reasons"]:
        console.print(summary_table("failures by reason", [{"reason": k, "theorems": v}
                                                           for k, v in summary["failure_reasons"].items()]))


def _finished_ids(path: Path) -> set[str]:
    return {row["id"] for row in _read_results(path)}


def _read_results(path: Path) -> list[dict[str, Any]]:
    """Rows of a results file; a torn last line (a killed run) is skipped, not fatal."""
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return rows


def _drain_failures(prover: ProverBackend) -> list[str]:
    """Server crashes/timeouts the backend recorded during this theorem (then forgets them)."""
    failures = list(getattr(prover, "failures", []))
    if failures:
        prover.failures.clear()  # type: ignore[attr-defined]
    return failures
