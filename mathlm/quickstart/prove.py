"""The quickstart's proving stage: the whole proof-search path offline, on the local prelude-only Lean.

What it runs for real: the SmolLM2 checkpoint proposes tactics with the published few-shot prompt and
scores them; the best-first search sends them to a real ``lean --server`` through the project's LSP
client; results are written like a miniF2F run. What it cannot show here: a tactic proof, because
this Lean has no ``Init``/Mathlib, so every library tactic is unknown (each is a recorded
``lean_error``). A term-mode proof is checked by the kernel instead, and the Lean round trip per
tactic is measured.
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from mathlm.inference import HFBackend
from mathlm.theorem_proving.lean_server import LeanServerBackend
from mathlm.theorem_proving.local_lean import PRELUDE_HEADER, build_local_lean, local_lean_backend
from mathlm.theorem_proving.prompt import load_tactic_prompt
from mathlm.theorem_proving.proposer import ModelTacticProposer
from mathlm.theorem_proving.runner import Theorem, run_proof_search
from mathlm.theorem_proving.search import SearchBudget

DEMO_THEOREMS = [
    Theorem("prelude_true", PRELUDE_HEADER, "theorem prelude_true : True' := by"),
    Theorem("does_not_parse", PRELUDE_HEADER, "theorem does_not_parse True' := by"),
]


def tactic_round_trip_ms(backend: LeanServerBackend, edits: int = 30) -> float:
    """Median wall time of one tactic edit: change, version-matched diagnostics, goals."""
    state = backend.start(PRELUDE_HEADER, "theorem timing (q : Q) : P := by")
    times = []
    for index in range(edits):
        started = time.perf_counter()
        backend.apply(state, f"exact hp_{index}")
        times.append(time.perf_counter() - started)
    return round(1000 * statistics.median(times), 2)


def prelude_search_demo(workdir: Path, model_dir: Path, n: int = 2, max_new_tokens: int = 16) -> dict[str, Any]:
    """Run the demo theorems (one expansion each) and return the figures for the quickstart summary."""
    lean = build_local_lean()
    run_dir = workdir / "run"
    shutil.rmtree(run_dir, ignore_errors=True)  # a quickstart re-run starts over instead of resuming
    proposer = ModelTacticProposer(HFBackend(model_dir), load_tactic_prompt(), n=n, max_new_tokens=max_new_tokens)
    summary = run_proof_search(DEMO_THEOREMS, proposer, lambda: local_lean_backend(lean, workdir),
                               SearchBudget(max_expansions=1, timeout_s=120), run_dir, title="prelude theorems")
    backend = local_lean_backend(lean, workdir)
    try:
        term_proof_accepted = backend.check(PRELUDE_HEADER, "theorem by_term (q : Q) : P :=", " hp") is None
        round_trip = tactic_round_trip_ms(backend)
    finally:
        backend.close()
    return {"theorems": summary["theorems"], "proved": summary["proved"],
            "failure_reasons": summary["failure_reasons"], "term_proof_kernel_checked": term_proof_accepted,
            "lean_ms_per_tactic": round_trip, "results": str(run_dir / "results.jsonl")}
