"""The sound verifier refuses every kind of cheat and accepts real proofs.

Coq cases run on the real coqidetop against the real miniF2F-rocq statement ``mathd_algebra_125``. Each
cheat is refused twice: once with the textual screen (with its specific reason), and once with the
screen switched off, to show that the check inside Coq (statement compared with a reference copy,
``About`` opacity, ``Print Assumptions`` with each axiom's full path) refuses it on its own wherever Coq
can see it at all. Lean cases go through the textual screen (no Mathlib here); the decision on Lean's own
messages (``#check``, ``#print axioms``) is tested on messages shaped like Lean's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mathlm.theorem_proving.verify import CoqVerifier, Verdict, judge_lean, screen_lean, verify_lean
from tests.support.coq import require_coq, rocq

STATEMENT = "forall x y : nat, 0 < x -> 0 < y -> 5 * x = y -> (x - 3) + (y - 3) = 30 -> x = 6"
REAL = "Proof.\n  Require Import Lia.\n  intros x y h0 h1 h2 h3.\n  lia.\nQed."
REDECLARE = f"Theorem mathd_algebra_125 : {STATEMENT}."

# kind -> (proof text, reason code from the screen, whether Coq itself must refuse it without the screen)
ABORT = "Proof. Abort.\n"
COQ_CHEATS = {
    "admitted": ("Proof.\nAdmitted.", "admitted", True),
    "admit_then_qed": ("Proof.\n  admit.\nQed.", "admitted", True),
    "give_up": ("Proof.\n  give_up.\nQed.", "admitted", True),
    "abort_and_weaker_statement": (ABORT + "Theorem mathd_algebra_125 : True. exact I. Qed.", "abort", True),
    "new_axiom": (ABORT + f"Axiom cheat : False.\n{REDECLARE}\ndestruct cheat. Qed.", "abort", True),
    "axiom_without_abort": (
        "Proof.\n  exfalso. Require Import Lia.\nAbort. Parameter cheat : False.",
        "abort",
        True,
    ),
    "parameter_inside_proof_text": ("Proof. Qed. Parameter p : False.", "new_axiom", False),
    "hypothesis_as_axiom": (
        ABORT + f"Hypothesis cheat : False.\n{REDECLARE}\ndestruct cheat. Qed.",
        "abort",
        True,
    ),
    "declare_module_axiom": (
        ABORT
        + "Module Type T. Parameter c : False. End T.\nDeclare Module M : T.\n"
        + f"{REDECLARE}\ndestruct M.c. Qed.",
        "abort",
        True,
    ),
    "section_variable": (
        ABORT + f"Section S. Variable c : False.\n{REDECLARE}\ndestruct c. Qed.\nEnd S.",
        "abort",
        True,
    ),
    "guard_checking_off": (
        ABORT
        + "Unset Guard Checking.\nFixpoint f (n : nat) : False := f n.\n"
        + f"{REDECLARE}\ndestruct (f 0). Qed.",
        "abort",
        True,
    ),
    "bypass_check_attribute": (
        ABORT
        + "#[bypass_check(guard)] Fixpoint f (n : nat) : False := f n.\n"
        + f"{REDECLARE}\ndestruct (f 0). Qed.",
        "abort",
        True,
    ),
    "universe_checking_off": (
        ABORT + f"Unset Universe Checking.\n{REDECLARE}\nRequire Import Lia. intros; lia. Qed.",
        "abort",
        True,
    ),
    "redefined_notation_statement": (
        ABORT + f'Notation "x = y" := True : type_scope.\n{REDECLARE}\n' + "intros; exact I. Qed.",
        "abort",
        True,
    ),
    "defined_not_qed": ("Proof.\n  Require Import Lia.\n  intros; lia.\nDefined.", "", True),
    "left_open": ("Proof.\n  intros.", "", True),
    "disallowed_library": (
        "Proof.\n  From mathcomp Require Import ssreflect.\n  Require Import Lia. intros; lia.\nQed.",
        "disallowed_require",
        False,
    ),
    "declare_ml_module": ('Proof.\n  Declare ML Module "cheat_plugin".\nQed.', "loads_code", True),
    "load_file": ("Proof.\n  Load cheat.\nQed.", "loads_code", True),
    "comment_swallows_the_rest": (
        "Proof.\n  Require Import Lia. intros; lia.\nQed. (* ",
        "does_not_lex",
        True,
    ),
    "printed_fake_answers": (
        ABORT
        + f"Axiom cheat : False.\n{REDECLARE}\n"
        + 'idtac "Closed under the global context". destruct cheat. Qed.',
        "abort",
        True,
    ),
    "module_redeclaration": (
        ABORT + "Module M. Theorem mathd_algebra_125 : True. exact I. Qed. End M.\nImport M.",
        "abort",
        True,
    ),
    "reset_back": (
        "Proof. Reset mathd_algebra_125.\nTheorem mathd_algebra_125 : True. exact I. Qed.",
        "goes_back",
        True,
    ),
}


@pytest.fixture(scope="module")
def verifier() -> Iterator[CoqVerifier]:
    require_coq()
    checker = CoqVerifier(timeout_s=60)
    yield checker
    checker.close()


def verify(checker: CoqVerifier, proof: str, screen: bool = True) -> Verdict:
    theorem = rocq("mathd_algebra_125")
    return checker.verify(theorem.header, theorem.statement, proof, screen=screen)


def test_a_real_proof_is_accepted(verifier: CoqVerifier) -> None:
    assert verify(verifier, REAL).verified and verify(verifier, REAL).reason == "ok"
    commented = "Proof. (* Admitted. admit. Axiom x : False. *)\n  Require Import Lia.\n  intros; lia.\nQed."
    assert verify(verifier, commented).verified  # forbidden words in a comment are not commands


@pytest.mark.parametrize("kind", sorted(COQ_CHEATS))
def test_coq_cheat_is_refused(verifier: CoqVerifier, kind: str) -> None:
    proof, code, coq_refuses_alone = COQ_CHEATS[kind]
    verdict = verify(verifier, proof)
    assert not verdict.verified, kind
    if code:
        assert verdict.reason.startswith(code + ":") or verdict.reason == code, verdict.reason
    if coq_refuses_alone:
        alone = verify(verifier, proof, screen=False)
        assert not alone.verified, (kind, alone.reason)


def test_coq_side_reasons_name_the_cheat(verifier: CoqVerifier) -> None:
    """Without the screen, Coq's own answers give the reason (the screen is only a faster first line)."""
    reasons = {
        kind: verify(verifier, COQ_CHEATS[kind][0], screen=False).reason.split(":")[0]
        for kind in (
            "abort_and_weaker_statement",
            "new_axiom",
            "guard_checking_off",
            "defined_not_qed",
            "universe_checking_off",
            "admitted",
            "declare_module_axiom",
            "section_variable",
            "redefined_notation_statement",
        )
    }
    assert reasons == {
        "abort_and_weaker_statement": "statement_changed",
        "new_axiom": "new_axiom",
        "guard_checking_off": "unsafe_assumption",
        "defined_not_qed": "not_qed",
        "universe_checking_off": "unsafe_assumption",
        "admitted": "admitted",
        "declare_module_axiom": "new_axiom",
        "section_variable": "statement_changed",
        "redefined_notation_statement": "statement_changed",
    }


LEAN_STATEMENT = "theorem mathd_algebra_10 : abs ((120 : ℝ) / 100 * 30 - 130 / 100 * 20) = 10 := by"
LEAN_CHEATS = {
    "sorry": (":= by\n  sorry", "sorry"),
    "admit": (":= by\n  admit", "admitted"),
    "sorry_axiom_term": (":= sorryAx _ false", "sorry"),
    "native_decide": (":= by\n  native_decide", "native_decide"),
    "decide_native_option": (":= by\n  decide +native", "native_decide"),
    "new_axiom": (":= by\n  exact cheat\naxiom cheat : False", "new_axiom"),
    "redeclared_statement": (
        ":= by\n  norm_num\ntheorem mathd_algebra_10 : True := trivial",
        "statement_changed",
    ),
    "tactic_redefined_by_macro": (
        ':= by\n  linarith\nmacro "linarith" : tactic => `(tactic| rfl)',
        "statement_changed",
    ),
    "kernel_check_off": (":= by\n  set_option debug.skipKernelTC true in norm_num", "unsafe_flag"),
    "meta_code_adds_declarations": (":= by\n  run_tac do Lean.addDecl default", "meta_code"),
    "implemented_by": (":= by\n  exact (f 0)\n@[implemented_by g] def f := 0", "unsafe_code"),
    "not_a_proof_of_this_statement": ("by norm_num", "statement_changed"),
}


@pytest.mark.parametrize("kind", sorted(LEAN_CHEATS))
def test_lean_cheat_is_refused(kind: str) -> None:
    proof, code = LEAN_CHEATS[kind]
    verdict = verify_lean("import Mathlib\n\n", LEAN_STATEMENT, proof)
    assert not verdict.verified and verdict.reason.split(":")[0] == code, verdict.reason


def test_lean_real_proofs_pass_the_screen_and_policy_is_a_switch() -> None:
    proof = ":= by\n  -- not sorry: a comment\n  /- admit /- nested -/ -/\n  norm_num [abs_of_nonneg]"
    assert screen_lean(proof) is None
    assert screen_lean(":= by\n  native_decide", allow_native_decide=True) is None


def test_lean_messages_decide_statement_and_axioms() -> None:
    name, ref = "mathd_algebra_10", "mathlm_ref_0"
    checked = [("information", f"@{name} : @Eq Real x y"), ("information", f"@{ref} : @Eq Real x y")]
    standard = ("information", f"'{name}' depends on axioms: [propext, Classical.choice, Quot.sound]")
    assert judge_lean([*checked, standard], name, ref, False).verified
    changed = [("information", f"@{name} : True"), checked[1], standard]
    assert judge_lean(changed, name, ref, False).reason.startswith("statement_changed")
    extra = ("information", f"'{name}' depends on axioms: [propext, cheat]")
    assert judge_lean([*checked, extra], name, ref, False).reason == "new_axiom: depends on cheat"
    native = ("information", f"'{name}' depends on axioms: [propext, Lean.ofReduceBool]")
    assert not judge_lean([*checked, native], name, ref, False).verified
    assert judge_lean([*checked, native], name, ref, True).verified
    sorry = [*checked, ("warning", "declaration uses 'sorry'"), standard]
    assert judge_lean(sorry, name, ref, False).reason.startswith("sorry")
    assert judge_lean([("error", "unknown tactic"), *checked], name, ref, False).reason.startswith(
        "lean_error"
    )


def test_lean_verifier_reads_real_lean_answers(lean_binary: Path, tmp_path: Path) -> None:
    """The real (prelude-only) Lean checks the verification file: `#check` under pp.all and `#print axioms`
    come from Lean itself. Its header declares the axioms P, Q and hp, allowed here as the header's own."""
    from mathlm.theorem_proving.local_lean import PRELUDE_HEADER, local_lean_backend

    backend = local_lean_backend(lean_binary, tmp_path)
    try:
        header_axioms = frozenset({"P", "Q", "hp"})
        accepted = verify_lean(
            PRELUDE_HEADER, "theorem t : P := by", ":= hp", backend, header_axioms=header_axioms
        )
        assert accepted.verified and accepted.reason == "ok", accepted.reason
        no_hp = verify_lean(
            PRELUDE_HEADER, "theorem t : P := by", ":= hp", backend, header_axioms=frozenset("PQ")
        )
        assert no_hp.reason == "new_axiom: depends on hp"
        wrong = verify_lean(
            PRELUDE_HEADER, "theorem t : Q := by", ":= hp", backend, header_axioms=header_axioms
        )
        assert wrong.reason.startswith("lean_error")
        shadowed = verify_lean(
            PRELUDE_HEADER,
            "theorem t : P := by",
            ":= hp\nnamespace X\naxiom t : Q\nend X\nopen X",
            backend,
            header_axioms=header_axioms,
            screen=False,
        )
        assert not shadowed.verified, shadowed.reason
    finally:
        backend.close()


def test_prove_verify_cli_for_lean_without_a_lean_project(tmp_path: Path) -> None:
    """`mathlm prove verify --prover lean`: the textual screen alone when no Lean project is given."""
    import json

    from typer.testing import CliRunner

    from mathlm.cli import app

    proofs = tmp_path / "lean.jsonl"
    lines = [
        {"theorem": "mathd_algebra_10", "proof": ":= by\n  norm_num [abs_of_nonneg]"},
        {"theorem": "mathd_algebra_10", "proof": ":= by\n  sorry"},
    ]
    proofs.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = CliRunner().invoke(app, ["prove", "verify", "--prover", "lean", str(proofs)])
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["verified"] for o in out] == [True, False] and result.exit_code == 0
    assert out[0]["reason"].startswith("ok (textual screen only") and out[1]["reason"].startswith("sorry")
