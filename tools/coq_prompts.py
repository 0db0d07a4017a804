"""Write the Coq few-shot prompts (``mathlm/assets/prompts/coq_*_fewshot.json``) from miniF2F-rocq VALID
theorems.

The proofs below were written by hand for this project. The tool runs them through the real Coq
backend to record the exact goal text before each exemplar tactic (what the search will show the
model), has the verifier accept every whole proof, and refuses any theorem that is not in the valid
split, so no test-split statement can leak into a prompt. Run from the repository root:

    python -m tools.coq_prompts
"""

from __future__ import annotations

import json
from pathlib import Path

from mathlm import assets
from mathlm.theorem_proving.coq_backend import CoqBackend
from mathlm.theorem_proving.theorems import Theorem, rocq_theorems
from mathlm.theorem_proving.verify import CoqVerifier

# (theorem, tactics of a proof after the backend's prelude, index of the tactic used as the exemplar)
TACTIC_EXEMPLARS = [
    ("mathd_algebra_109", ["intros h0 h1.", "subst a.", "lra."], 0),
    ("mathd_algebra_159", ["intros b f h0 h1.", "rewrite h0 in h1.", "lra."], 1),
    ("mathd_algebra_123", ["lia."], 0),
    ("mathd_algebra_10", ["rewrite Rabs_right; lra."], 0),
]
# (theorem, whole proof text that replaces everything from `Proof.`)
WHOLE_PROOFS = [
    ("mathd_algebra_109", "Proof.\n  Require Import Lra.\n  intros h0 h1.\n  subst a.\n  lra.\nQed."),
    ("mathd_algebra_123", "Proof.\n  Require Import Lia.\n  lia.\nQed."),
    (
        "mathd_algebra_159",
        "Proof.\n  Require Import Lra.\n  intros b f h0 h1.\n  rewrite h0 in h1.\n  lra.\nQed.",
    ),
    ("mathd_algebra_10", "Proof.\n  Require Import Lra.\n  rewrite Rabs_right; lra.\nQed."),
]
SOURCE = {
    "repository": "LLM4Rocq/miniF2F-rocq",
    "commit": "b60affae",
    "split": "valid",
    "proofs": "written for mathlm and checked by mathlm's Coq verifier (Coq 8.16.1)",
}
LICENSE = "statements: MIT (LLM4Rocq/miniF2F-rocq); proofs and instructions: written for this project"
TACTIC_FORMAT = {
    "instruction": "Given the Coq tactic state, suggest a next tactic.\nHere are some examples:\n\n",
    "exemplar": "Tactic state:\n---\n{state}\n---\nNext tactic:\n---\n{tactic}\n---",
    "exemplar_separator": "\n\n",
    "query": "Tactic state:\n---\n{state}\n---\nNext tactic:\n---",
    "stop": ["---"],
}
WHOLE_FORMAT = {
    "instruction": "Complete each Coq theorem with a proof that Coq accepts, ending in Qed.\n\n",
    "exemplar": "(* Theorem *)\n{state}\n{tactic}",
    "exemplar_separator": "\n\n",
    "query": "(* Theorem *)\n{state}\n",
    "stop": ["(* Theorem *)", "\n\n\n"],
}


def valid_theorems() -> dict[str, Theorem]:
    return {t.id: t for t in rocq_theorems("valid")}


def tactic_exemplars(theorems: dict[str, Theorem]) -> list[dict[str, str]]:
    """(state, tactic) pairs with the goal text exactly as the Coq backend prints it."""
    backend = CoqBackend()
    exemplars = []
    try:
        for name, tactics, chosen in TACTIC_EXEMPLARS:
            theorem = theorems[name]
            state = backend.start(theorem.header, theorem.statement)
            for index, tactic in enumerate(tactics):
                if index == chosen:
                    exemplars.append({"theorem": name, "state": state.goals, "tactic": tactic})
                result = backend.apply(state, tactic)
                if result.state is None:
                    raise SystemExit(f"{name}: {tactic!r} failed: {result.reason} {result.message}")
                state = result.state
            if state.goals:
                raise SystemExit(f"{name}: the exemplar proof does not finish")
    finally:
        backend.close()
    return exemplars


def whole_exemplars(theorems: dict[str, Theorem]) -> list[dict[str, str]]:
    verifier = CoqVerifier()
    exemplars = []
    try:
        for name, proof in WHOLE_PROOFS:
            theorem = theorems[name]
            verdict = verifier.verify(theorem.header, theorem.statement, proof)
            if not verdict.verified:
                raise SystemExit(f"{name}: the exemplar proof is not accepted: {verdict.reason}")
            exemplars.append(
                {
                    "theorem": name,
                    "state": theorem.header.strip() + "\n\n" + theorem.statement,
                    "tactic": proof,
                }
            )
    finally:
        verifier.close()
    return exemplars


def write(path: Path, name: str, description: str, fmt: dict, exemplars: list[dict[str, str]]) -> None:
    spec = {
        "name": name,
        "description": description,
        "source": SOURCE,
        "license": LICENSE,
        "format": fmt,
        "exemplars": exemplars,
    }
    path.write_text(json.dumps(spec, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(exemplars)} exemplars)")


def main() -> None:
    theorems = valid_theorems()
    unknown = {n for n, *_ in TACTIC_EXEMPLARS + WHOLE_PROOFS} - set(theorems)
    if unknown:
        raise SystemExit(f"not valid-split theorems: {sorted(unknown)}")
    write(
        assets.PROMPTS_DIR / "coq_tactic_fewshot.json",
        "coq_tactic_fewshot",
        "Coq next-tactic prompt in Llemma's format (Tactic state / Next tactic), miniF2F-rocq valid states",
        TACTIC_FORMAT,
        tactic_exemplars(theorems),
    )
    write(
        assets.PROMPTS_DIR / "coq_whole_proof_fewshot.json",
        "coq_whole_proof_fewshot",
        "Coq whole-proof prompt: file header + statement, then a complete proof (miniF2F-rocq valid)",
        WHOLE_FORMAT,
        whole_exemplars(theorems),
    )


if __name__ == "__main__":
    main()
