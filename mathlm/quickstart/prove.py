"""The quickstart's proving stage: real proofs of miniF2F-rocq test theorems, checked by Coq.

What it runs, all for real on Debian's Coq 8.16: the best-first search with the automation baseline
(:mod:`mathlm.theorem_proving.baseline`) on a few theorems, where it finds proofs; SmolLM2 with the Coq
prompts (tactic search and a whole proof) on one theorem, which shows the model path end to end (a
135M model rarely proves anything); every proof through the sound verifier; and the Coq round trip per
tactic.
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from mathlm.theorem_proving.baseline import AutomationBaseline
from mathlm.theorem_proving.config import ModelConfig, ProverConfig, WholeProofConfig
from mathlm.theorem_proving.coq_backend import CoqBackend
from mathlm.theorem_proving.runner import (
    TACTIC_PROMPTS,
    WHOLE_PROOF_PROMPTS,
    build_backend,
    build_model,
    build_proposer,
    build_writer,
    load_prompt,
    run_proving,
)
from mathlm.theorem_proving.search import SearchBudget
from mathlm.theorem_proving.theorems import rocq_theorems
from mathlm.theorem_proving.verify import verifier_for

BASELINE_THEOREMS = ("mathd_algebra_107", "mathd_algebra_125", "mathd_algebra_141", "mathd_numbertheory_3")
MODEL_THEOREMS = ("mathd_algebra_125",)


def coq_round_trip_ms(tactics: int = 20) -> float:
    """Median wall time of one tactic (Add + run + goals) on a small miniF2F-rocq goal."""
    theorem = next(t for t in rocq_theorems("test") if t.id == "mathd_algebra_125")
    backend = CoqBackend()
    try:
        state = backend.start(theorem.header, theorem.statement)
        times = []
        for _ in range(tactics):
            started = time.perf_counter()
            backend.apply(state, "intros x y h0 h1 h2 h3.")
            times.append(time.perf_counter() - started)
    finally:
        backend.close()
    return round(1000 * statistics.median(times), 2)


def coq_proving_demo(workdir: Path, model_dir: Path) -> dict[str, Any]:
    """Run the baseline and SmolLM2 on a few theorems; the figures for the quickstart summary."""
    shutil.rmtree(workdir, ignore_errors=True)  # a quickstart re-run starts over instead of resuming
    prover = ProverConfig(backend="coq", tactic_timeout_s=10, start_timeout_s=120)
    theorems = {t.id: t for t in rocq_theorems("test")}
    tools = {
        "make_backend": lambda: build_backend(prover),
        "make_verifier": lambda: verifier_for(prover, "coq"),
    }
    baseline = run_proving(
        [theorems[name] for name in BASELINE_THEOREMS],
        output_dir=workdir / "baseline",
        proposer=AutomationBaseline(),
        budget=SearchBudget(max_expansions=3, timeout_s=120),
        title="automation baseline",
        **tools,
    )
    config = ModelConfig(path=str(model_dir), n=2, max_new_tokens=24)
    model = build_model(config)  # one SmolLM2 for both modes
    smollm2 = run_proving(
        [theorems[name] for name in MODEL_THEOREMS],
        output_dir=workdir / "smollm2",
        proposer=build_proposer(model, config, load_prompt(TACTIC_PROMPTS["coq"])),
        budget=SearchBudget(max_expansions=1, timeout_s=120),
        writer=build_writer(
            model,
            config,
            WholeProofConfig(k=1, temperature=0.0, max_new_tokens=64),
            load_prompt(WHOLE_PROOF_PROMPTS["coq"]),
        ),
        title="SmolLM2 (search + whole proofs)",
        **tools,
    )
    return {
        "baseline_theorems": baseline["theorems"],
        "baseline_proved_verified": baseline["proved"],
        "smollm2_theorems": smollm2["theorems"],
        "smollm2_proved_verified": smollm2["proved"],
        "coq_ms_per_tactic": coq_round_trip_ms(),
        "results": [str(workdir / "baseline" / "results.jsonl"), str(workdir / "smollm2" / "results.jsonl")],
    }
