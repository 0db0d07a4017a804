"""``mathlm prove minif2f``: prove a benchmark's theorems and write results a person can open.

Two modes per theorem, each switched on in the config: best-first **search** over tactics (Llemma's
setting) and **whole-proof** generation (``k`` samples, pass@k). A proof from either counts only once the
verifier (:mod:`mathlm.theorem_proving.verify`) accepts it.

Outputs in the run directory:

* ``results.jsonl``: one line per theorem, written as soon as it finishes: ``proved``, ``found_by``,
  the verified ``proof`` text, and per mode the details (search: expansions, tactics tried, errors by
  reason, the per-expansion trace, seconds; whole proof: every sample with the verifier's reason).
  A re-run with the same directory skips theorems already there, so an interrupted run resumes.
* ``summary.json``: pass rates per mode and together, failure reasons, the published numbers (Lean).
* ``config.yaml``: the exact settings.

Workers are threads, each with its own prover backend and verifier (own processes). The model is
shared and called under a lock: on one GPU the model is the bottleneck and prover checks overlap with
generation. The prover is checked before the model loads: a missing Coq or Lean, or a header that does
not load, fails in seconds with what to do.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from mathlm.config import dump_config
from mathlm.console import console, progress, summary_table
from mathlm.errors import MathlmError
from mathlm.inference import Backend
from mathlm.io import iter_jsonl_lines
from mathlm.theorem_proving.backend import ProverBackend, TheoremStartError
from mathlm.theorem_proving.config import ModelConfig, ProveConfig, ProverConfig, WholeProofConfig
from mathlm.theorem_proving.prompt import TacticPrompt
from mathlm.theorem_proving.proposer import Candidate, TacticProposer
from mathlm.theorem_proving.provers import get_prover
from mathlm.theorem_proving.search import SearchBudget, best_first_search
from mathlm.theorem_proving.theorems import BENCHMARK_LANGUAGE, Language, Theorem, load_theorems
from mathlm.theorem_proving.verify import TheoremVerifier, search_proof_text, verifier_for
from mathlm.theorem_proving.whole_proof import ModelProofWriter, ProofWriter, prove_whole

# Published pass rates on miniF2F-test (n=244), Llemma paper Table 4 / released proof-search outputs (Lean 4).
PUBLISHED_MINIF2F_TEST = {
    "Llemma 7B": 26.2,
    "Llemma 34B": 25.8,
    "Code Llama 7B": 20.5,
    "Code Llama 34B": 22.1,
}
TACTIC_PROMPTS = {"lean": "lean4_tactic_fewshot.json", "coq": "coq_tactic_fewshot.json"}
WHOLE_PROOF_PROMPTS = {"coq": "coq_whole_proof_fewshot.json"}
# A statement every header must be able to follow: proving it needs nothing but the header to load.
PREFLIGHT = {"coq": "Theorem mathlm_preflight : True.", "lean": "theorem mathlm_preflight : True := by"}


def benchmark_theorems(config: ProveConfig) -> list[Theorem]:
    """The config's split of the benchmark, first ``limit`` theorems, in file order."""
    theorems = load_theorems(config.benchmark, config.split, config.header)
    return theorems[: config.limit] if config.limit is not None else theorems


def load_prompt(name: str) -> TacticPrompt:
    from mathlm import assets
    from mathlm.theorem_proving.prompt import load_tactic_prompt

    return load_tactic_prompt(assets.PROMPTS_DIR / name)


def build_model(config: ModelConfig) -> Backend:
    """The configured model as an inference backend (loaded lazily; shared by search and whole proofs)."""
    from mathlm.inference import make_backend

    if not config.path:
        raise MathlmError("model.path is empty: set it to a checkpoint directory (or the served model name)")
    if config.engine == "hf":
        options: dict[str, Any] = {"dtype": config.dtype}
        model = str(Path(config.path).expanduser())
    elif config.engine == "vllm":
        options, model = {"seed": config.seed, **config.vllm}, config.path
    else:
        if not config.base_url:
            raise MathlmError("model.engine openai needs model.base_url, e.g. http://localhost:8000/v1")
        options, model = {"base_url": config.base_url}, config.path
    return make_backend(config.engine, model, **options)


def build_proposer(model: Backend, config: ModelConfig, prompt: TacticPrompt) -> TacticProposer:
    """Tactic proposals for the search: ``config.n`` candidates per state with ``prompt``."""
    from mathlm.theorem_proving.proposer import ModelTacticProposer

    return ModelTacticProposer(
        model,
        prompt,
        n=config.n,
        temperature=config.temperature,
        top_p=config.top_p,
        max_new_tokens=config.max_new_tokens,
        seed=config.seed,
    )


def build_writer(
    model: Backend, config: ModelConfig, whole: WholeProofConfig, prompt: TacticPrompt
) -> ProofWriter:
    """Whole proofs: ``whole.k`` samples per theorem with ``prompt``."""
    return ModelProofWriter(
        model,
        prompt,
        k=whole.k,
        temperature=whole.temperature,
        top_p=whole.top_p,
        max_new_tokens=whole.max_new_tokens,
        seed=config.seed,
    )


def build_backend(config: ProverConfig) -> ProverBackend:
    """One prover backend (each worker builds its own)."""
    return get_prover(config.backend).build(config)


def preflight(config: ProveConfig, theorems: list[Theorem]) -> Language:
    """Fail before any model loads when the prover does not fit the benchmark, is not installed, or
    cannot load the benchmark's header. Returns the proof language."""
    language = BENCHMARK_LANGUAGE[config.benchmark]
    prover = get_prover(config.prover.backend)
    if prover.language != language:
        raise MathlmError(
            f"prover {prover.name!r} checks {prover.language} proofs, but {config.benchmark} is a "
            f"{language} benchmark: set prover.backend to a {language} prover"
        )
    if not (config.search.enabled or config.whole_proof.enabled):
        raise MathlmError("both search.enabled and whole_proof.enabled are false: nothing to run")
    if config.whole_proof.enabled and language not in WHOLE_PROOF_PROMPTS:
        raise MathlmError(f"whole-proof mode has no {language} prompt yet; set whole_proof.enabled: false")
    backend = build_backend(config.prover)
    try:
        backend.start(theorems[0].header, PREFLIGHT[language])
    except TheoremStartError as err:
        raise MathlmError(
            f"the {prover.name} prover cannot load the header of {theorems[0].id} "
            f"({err.reason}): {err.message[:300]}"
        ) from None
    finally:
        backend.close()
    return language


class _SharedModel:
    """Serialises calls to one model from several workers (search proposals and whole proofs alike)."""

    def __init__(self, proposer: TacticProposer | None, writer: ProofWriter | None) -> None:
        self.proposer, self.writer = proposer, writer
        self.model_id = (proposer or writer).model_id if (proposer or writer) is not None else ""
        self.k = writer.k if writer is not None else 0
        self._lock = threading.Lock()

    def propose(self, goals: str) -> list[Candidate]:
        assert self.proposer is not None
        with self._lock:
            return self.proposer.propose(goals)

    def write(self, theorem_text: str) -> list[tuple[str, float | None]]:
        assert self.writer is not None
        with self._lock:
            return self.writer.write(theorem_text)


def run_proving(
    theorems: list[Theorem],
    make_backend: Callable[[], ProverBackend],
    make_verifier: Callable[[], TheoremVerifier],
    output_dir: Path,
    proposer: TacticProposer | None = None,
    budget: SearchBudget | None = None,
    writer: ProofWriter | None = None,
    workers: int = 1,
    title: str = "proving",
) -> dict[str, Any]:
    """Prove every theorem not yet in ``output_dir/results.jsonl``: search with ``proposer`` (when
    given) and whole proofs from ``writer`` (when given); write results and the summary."""
    output_dir.mkdir(parents=True, exist_ok=True)
    results_path = output_dir / "results.jsonl"
    done = _finished_ids(results_path)
    todo = [t for t in theorems if t.id not in done]
    model = _SharedModel(proposer, writer)
    write_lock = threading.Lock()
    local = threading.local()
    owned: list[Any] = []

    def worker_tools() -> tuple[ProverBackend, TheoremVerifier]:
        if not hasattr(local, "tools"):
            local.tools = (make_backend(), make_verifier())
            owned.extend(local.tools)
        return local.tools

    def prove(theorem: Theorem) -> None:
        prover, verifier = worker_tools()
        row: dict[str, Any] = {
            "id": theorem.id,
            "split": theorem.split,
            "language": theorem.language,
            "statement": theorem.statement,
            "proved": False,
            "found_by": None,
            "proof": None,
            "search": None,
            "whole_proof": None,
        }
        if proposer is not None and budget is not None:
            result = best_first_search(prover, model, theorem.header, theorem.statement, budget)
            row["search"] = result.to_json()
            if result.proved and result.proof is not None:
                text = search_proof_text(theorem.language, prover.render_proof(result.proof))
                verdict = verifier.verify(theorem, text)
                row["search"].update(verified=verdict.verified, verify_reason=verdict.reason, proof_text=text)
                if verdict.verified:
                    row.update(proved=True, found_by="search", proof=text)
        if writer is not None:
            whole = prove_whole(theorem, model, verifier).to_json()
            row["whole_proof"] = whole
            if whole["proved"] and not row["proved"]:
                row.update(proved=True, found_by="whole_proof", proof=whole["proof"])
        row["server_failures"] = _drain_failures(prover)
        row["model"] = model.model_id
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
        for tool in owned:
            tool.close()
    summary = summarize(results_path, {t.id for t in theorems}, time.perf_counter() - started)
    (output_dir / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print_summary(summary)
    return summary


def run_benchmark(config: ProveConfig, output_dir: Path | None = None) -> dict[str, Any]:
    """Everything ``mathlm prove minif2f`` does: load theorems, check the prover, load the model, prove."""
    theorems = benchmark_theorems(config)
    if not theorems:
        raise MathlmError(f"no theorems in {config.benchmark} split {config.split!r}")
    out = Path(output_dir or config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    dump_config(config, out / "config.yaml")
    language = preflight(config, theorems)  # a missing prover or a broken header fails before the model loads
    budget = SearchBudget(config.search.max_expansions, config.search.max_tactics, config.search.timeout_s)
    proposer: TacticProposer | None = None
    writer: ProofWriter | None = None
    if config.model.engine == "automation":
        if config.whole_proof.enabled or language != "coq":
            raise MathlmError(
                "model.engine automation is a Coq search baseline: set whole_proof.enabled: false"
            )
        from mathlm.theorem_proving.baseline import AutomationBaseline

        proposer = AutomationBaseline()
    else:
        model = build_model(config.model)
        if config.search.enabled:
            proposer = build_proposer(model, config.model, load_prompt(TACTIC_PROMPTS[language]))
        if config.whole_proof.enabled:
            writer = build_writer(
                model, config.model, config.whole_proof, load_prompt(WHOLE_PROOF_PROMPTS[language])
            )
    return run_proving(
        theorems,
        lambda: build_backend(config.prover),
        lambda: verifier_for(config.prover, language),
        out,
        proposer=proposer,
        budget=budget,
        writer=writer,
        workers=config.workers,
        title=f"{config.benchmark} {config.split}",
    )


def summarize(results_path: Path, ids: set[str], seconds: float) -> dict[str, Any]:
    """Pass rates (any mode, search, whole proof pass@k and pass@1), failure reasons, timings."""
    rows = [r for r in _read_results(results_path) if r["id"] in ids]
    n = len(rows)

    def rate(count: float) -> float:
        return round(100.0 * count / n, 2) if n else 0.0

    searched = [r["search"] for r in rows if r.get("search")]
    whole = [r["whole_proof"] for r in rows if r.get("whole_proof")]
    proved = sum(r["proved"] for r in rows)
    search_proved = sum(bool(s.get("verified")) for s in searched)
    reasons = Counter(s["reason"] for s in searched if not s.get("verified"))
    language = rows[0].get("language", "lean") if rows else "lean"
    summary: dict[str, Any] = {
        "theorems": n,
        "proved": proved,
        "pass_rate": rate(proved),
        "search": {
            "theorems": len(searched),
            "proved": search_proved,
            "pass_rate": rate(search_proved),
            "failure_reasons": dict(reasons.most_common()),
            "expansions": sum(s["expansions"] for s in searched),
            "tactics_applied": sum(s["tactics_applied"] for s in searched),
            "mean_seconds": round(sum(s["seconds"] for s in searched) / len(searched), 2)
            if searched
            else 0.0,
        },
        "whole_proof": {
            "theorems": len(whole),
            "k": whole[0]["k"] if whole else 0,
            "pass_at_k": rate(sum(w["proved"] for w in whole)),
            "pass_at_1": rate(sum(w["pass_at_1"] for w in whole)),
            "verifier_reasons": dict(
                Counter(s["reason"].split(":")[0] for w in whole for s in w["samples"]).most_common(10)
            ),
        },
        "server_failures": sum(len(r.get("server_failures", [])) for r in rows),
        "wall_seconds": round(seconds, 1),
    }
    if language == "lean":
        summary["published_minif2f_test_n244"] = PUBLISHED_MINIF2F_TEST
    return summary


def print_summary(summary: dict[str, Any]) -> None:
    search, whole = summary["search"], summary["whole_proof"]
    rows = [
        {
            "mode": "any (verified)",
            "pass rate (%)": summary["pass_rate"],
            "proved / n": f"{summary['proved']} / {summary['theorems']}",
        }
    ]
    if search["theorems"]:
        rows.append(
            {
                "mode": "best-first search",
                "pass rate (%)": search["pass_rate"],
                "proved / n": f"{search['proved']} / {search['theorems']}",
            }
        )
    if whole["theorems"]:
        rows.append(
            {
                "mode": f"whole proof pass@{whole['k']}",
                "pass rate (%)": whole["pass_at_k"],
                "proved / n": f"pass@1 {whole['pass_at_1']} %",
            }
        )
    rows += [
        {"mode": f"published: {name}", "pass rate (%)": value, "proved / n": "search, n=244"}
        for name, value in summary.get("published_minif2f_test_n244", {}).items()
    ]
    console.print(summary_table("proving", rows))
    if search["failure_reasons"]:
        console.print(
            summary_table(
                "search failures by reason",
                [{"reason": k, "theorems": v} for k, v in search["failure_reasons"].items()],
            )
        )


def _finished_ids(path: Path) -> set[str]:
    return {row["id"] for row in _read_results(path)}


def _read_results(path: Path) -> list[dict[str, Any]]:
    """Rows of a results file; a torn last line (a killed run) is skipped, not fatal."""
    if not path.is_file():
        return []
    return [line.record for line in iter_jsonl_lines(path) if line.record is not None]


def _drain_failures(prover: ProverBackend) -> list[str]:
    """Server crashes/timeouts the backend recorded during this theorem (then forgets them)."""
    failures = list(getattr(prover, "failures", []))
    if failures:
        prover.failures.clear()  # type: ignore[attr-defined]
    return failures
