"""miniF2F-rocq end to end on the real Coq: search with a SCRIPTED proposer that proposes real tactics
and whole proofs from a SCRIPTED writer find real proofs of test-split theorems, the verifier accepts
them (and refuses the cheating sample), results carry the proof and the search trace, a re-run
resumes; `mathlm prove verify` checks a JSONL of proofs line by line; a missing Coq stops the run
before the model loads; and SmolLM2 runs the whole pipeline (whatever it proves is verified)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mathlm.assets import CONFIGS_DIR
from mathlm.cli import app
from mathlm.config import load_config
from mathlm.errors import MathlmError
from mathlm.theorem_proving.config import ProveConfig
from mathlm.theorem_proving.proposer import Candidate
from mathlm.theorem_proving.runner import build_backend, run_benchmark, run_proving
from mathlm.theorem_proving.search import SearchBudget
from mathlm.theorem_proving.verify import verifier_for
from tests.support.coq import require_coq, rocq
from tests.support.fake_prover import ScriptedProposer

TACTICS = [("intros.", -0.1), ("lia.", -0.2), ("nra.", -0.3)]  # what a model might say, tried in this order


class ScriptedWriter:
    """Whole proofs for every theorem: a real one for mathd_algebra_125, and a cheat (admit)."""

    model_id = "scripted"
    k = 2

    def write(self, theorem_text: str) -> list[tuple[str, float | None]]:
        return [
            ("Proof.\n  Require Import Lia.\n  intros.\n  lia.\nQed.", -0.1),
            ("Proof.\n  admit.\nQed.", -0.2),
        ]


class AnyStateProposer(ScriptedProposer):
    def propose(self, goals: str) -> list[Candidate]:
        self.asked.append(goals)
        return [Candidate(t, s) for t, s in TACTICS]


def test_search_and_whole_proofs_prove_real_theorems(tmp_path: Path) -> None:
    require_coq()
    config = ProveConfig.model_validate(
        {"benchmark": "minif2f_rocq", "prover": {"backend": "coq", "tactic_timeout_s": 5}}
    )
    theorems = [rocq("mathd_algebra_107"), rocq("mathd_algebra_125"), rocq("aime_1983_p1")]
    run = tmp_path / "run"

    def go() -> dict:
        return run_proving(
            theorems,
            lambda: build_backend(config.prover),
            lambda: verifier_for(config.prover, "coq"),
            run,
            proposer=AnyStateProposer({}),
            budget=SearchBudget(max_expansions=2, timeout_s=120),
            writer=ScriptedWriter(),
        )

    summary = go()
    rows = {r["id"]: r for r in map(json.loads, (run / "results.jsonl").read_text().splitlines())}
    algebra_107 = rows["mathd_algebra_107"]
    assert algebra_107["proved"] and algebra_107["found_by"] == "search"
    assert algebra_107["search"]["verified"] and algebra_107["search"]["verify_reason"] == "ok"
    assert algebra_107["proof"].endswith("intros.\n  nra.\nQed.")  # the verified script, prelude included
    trace = algebra_107["search"]["trace"]
    assert [t["tactic"] for t in trace[0]["tried"]] == ["intros.", "lia.", "nra."]
    assert trace[0]["tried"][0]["outcome"] == "goals" and trace[0]["tried"][1]["outcome"] == "error:coq_error"
    assert all("seconds" in t for t in trace) and algebra_107["search"]["tactics_applied"] >= 4
    whole = rows["mathd_algebra_125"]["whole_proof"]
    assert whole["proved"] and [s["verified"] for s in whole["samples"]] == [True, False]
    assert whole["samples"][1]["reason"].startswith("admitted")
    assert not rows["aime_1983_p1"]["proved"] and rows["aime_1983_p1"]["search"]["reason"] in {
        "frontier_empty",
        "expansion_budget",
    }
    assert summary["proved"] == 2 and summary["theorems"] == 3
    assert summary["whole_proof"]["pass_at_k"] == round(100 / 3, 2)
    again = go()  # resume: nothing is redone
    assert len((run / "results.jsonl").read_text().splitlines()) == 3 and again["proved"] == 2

    # the found proofs, written as `mathlm prove verify` input, are verified again by the CLI
    proofs = tmp_path / "proofs.jsonl"
    lines = [json.dumps({"theorem": r["id"], "proof": r["proof"]}) for r in rows.values() if r["proved"]]
    proofs.write_text(
        "\n".join(
            [
                *lines,
                "{not json",
                json.dumps({"theorem": "no_such", "proof": "Proof. Qed."}),
                json.dumps({"theorem": "mathd_algebra_107", "proof": "Proof.\nAdmitted."}),
            ]
        )
        + "\n"
    )
    result = CliRunner().invoke(app, ["prove", "verify", "--prover", "coq", str(proofs)])
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["verified"] for o in out] == [True, True, False, False, False]
    assert out[2]["reason"].startswith("bad_line: line 3") and out[3]["reason"].startswith("unknown_theorem")
    assert out[4]["reason"].startswith("admitted") and result.exit_code == 1  # one unreadable line


def test_missing_coq_stops_the_run_before_the_model_loads(tmp_path: Path) -> None:
    config = load_config(
        CONFIGS_DIR / "prove" / "smollm2_coq_cpu.yaml",
        ProveConfig,
        ["limit=1", f"model.path={tmp_path / 'no-model'}", "prover.coqidetop=/nonexistent/coqidetop"],
    )
    with pytest.raises(MathlmError, match="apt-get install -y coq"):
        run_benchmark(config, tmp_path / "run")


def test_a_lean_prover_cannot_run_the_coq_benchmark(tmp_path: Path) -> None:
    config = ProveConfig.model_validate({"benchmark": "minif2f_rocq", "limit": 1, "prover": "lean_server"})
    with pytest.raises(MathlmError, match="is a coq benchmark"):
        run_benchmark(config, tmp_path / "run")


@pytest.mark.slow
def test_smollm2_runs_search_and_whole_proofs_and_every_proof_is_verified(
    tmp_path: Path, smollm2_checkpoint: Path
) -> None:
    require_coq()
    config = load_config(
        CONFIGS_DIR / "prove" / "smollm2_coq_cpu.yaml",
        ProveConfig,
        [
            "limit=1",
            f"model.path={smollm2_checkpoint}",
            "model.n=2",
            "model.max_new_tokens=16",
            "search.max_expansions=1",
            "whole_proof.k=1",
            "whole_proof.temperature=0",
            "whole_proof.max_new_tokens=32",
        ],
    )
    summary = run_benchmark(config, tmp_path / "run")
    rows = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 1 and summary["theorems"] == 1 and rows[0]["model"].endswith("smollm2-135m-instruct")
    for row in rows:
        assert (
            row["search"]["expansions"] == 1 and row["search"]["trace"][0]["tried"]
        )  # the model proposed tactics
        assert len(row["whole_proof"]["samples"]) >= 1 and all(
            s["reason"] for s in row["whole_proof"]["samples"]
        )
        if row["proved"]:  # anything SmolLM2 proves must have gone through the verifier
            part = row[row["found_by"]]
            assert part.get("verified", part.get("proved")) and row["proof"]
