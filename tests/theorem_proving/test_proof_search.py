"""Best-first search against a FAKE proof-state machine and a SCRIPTED proposer (fake_prover.py): which
state is expanded first, that a proof is re-checked as a whole file before it counts, the budgets,
dedup of identical states, rejected sorry/admit/empty tactics and the recorded reasons."""

from __future__ import annotations

import itertools

from mathlm.theorem_proving.proposer import Candidate
from mathlm.theorem_proving.search import SearchBudget, best_first_search, rejection_reason
from tests.support.fake_prover import FakeProofMachine, ScriptedProposer, expected_file

HEADER = "import Mathlib\n\n"
STATEMENT = "theorem demo (a b : ℕ) (h : a = b) : b + 0 = a := by"
ROOT = "a b : ℕ\nh : a = b\n⊢ b + 0 = a"
MID = "a b : ℕ\nh : a = b\n⊢ b = a"

# Two routes: "simp" looks better (higher score) but leads to a dead end; "rw [Nat.add_zero]" then
# "exact h.symm" proves it.
TRANSITIONS = {
    (ROOT, "simp"): "a b : ℕ\nh : a = b\n⊢ False",
    (ROOT, "rw [Nat.add_zero]"): MID,
    (MID, "exact h.symm"): "",
}
SCRIPT = {
    ROOT: [("simp", -0.1), ("rw [Nat.add_zero]", -0.5), ("norm_num", -0.9)],
    "a b : ℕ\nh : a = b\n⊢ False": [("contradiction", -0.2)],
    MID: [("exact h.symm", -0.3)],
}


def search(machine: FakeProofMachine, proposer: ScriptedProposer, **budget):
    return best_first_search(machine, proposer, HEADER, STATEMENT, SearchBudget(**budget))


def test_finds_the_proof_and_rechecks_it_as_a_whole_file() -> None:
    machine = FakeProofMachine({STATEMENT: ROOT}, TRANSITIONS)
    proposer = ScriptedProposer(SCRIPT)
    result = search(machine, proposer)
    assert result.proved and result.reason == "proved"
    assert result.proof == ["rw [Nat.add_zero]", "exact h.symm"]
    assert machine.checked == [expected_file(HEADER, STATEMENT, result.proof)]
    # best first: the dead end (path score -0.1) was expanded before the middle state (-0.5)
    assert proposer.asked == [ROOT, "a b : ℕ\nh : a = b\n⊢ False", MID]
    assert result.expansions == 3 and result.errors["lean_error"] == 2  # norm_num, contradiction


def test_a_proof_that_fails_the_whole_file_recheck_does_not_count() -> None:
    machine = FakeProofMachine({STATEMENT: ROOT}, TRANSITIONS, recheck_ok=False)
    result = search(machine, ScriptedProposer(SCRIPT))
    assert not result.proved and result.proof is None
    assert result.errors["recheck_failed"] == 1 and "does not check" in result.message
    assert result.reason == "frontier_empty"


def test_sorry_admit_and_empty_tactics_are_rejected_before_lean_sees_them() -> None:
    script = {
        ROOT: [("sorry", -0.01), ("  ", -0.02), ("exact (by admit)", -0.03), ("rw [Nat.add_zero]", -0.5)],
        MID: [("exact h.symm", -0.3)],
    }
    machine = FakeProofMachine({STATEMENT: ROOT}, TRANSITIONS)
    result = search(machine, ScriptedProposer(script))
    assert result.proved
    assert dict(result.rejected) == {"sorry_or_admit": 2, "empty": 1}
    assert all(tactic not in ("sorry", "  ", "exact (by admit)") for _, tactic in machine.applied)
    assert rejection_reason("simp [sorry_lemma]") is None  # a name that merely contains the word is fine


def test_identical_states_are_explored_once() -> None:
    transitions = {
        (ROOT, "rw [Nat.add_zero]"): MID,
        (ROOT, "simp only [Nat.add_zero]"): MID,
        (ROOT, "omega_step"): MID,
    }
    script = {ROOT: [("rw [Nat.add_zero]", -0.1), ("simp only [Nat.add_zero]", -0.2), ("omega_step", -0.3)]}
    proposer = ScriptedProposer(script)
    result = search(FakeProofMachine({STATEMENT: ROOT}, transitions), proposer)
    assert result.duplicates == 2 and result.states_seen == 2
    assert proposer.asked == [ROOT, MID]  # MID expanded once
    assert result.reason == "frontier_empty"


def _chain(length: int) -> tuple[dict, dict]:
    """An endless-looking chain of distinct states: goal_i --step--> goal_{i+1}."""
    transitions = {(f"⊢ g{i}", "step"): f"⊢ g{i + 1}" for i in range(length)}
    script = {f"⊢ g{i}": [("step", -0.1)] for i in range(length + 1)}
    return transitions, script


def test_expansion_budget_stops_the_search() -> None:
    transitions, script = _chain(50)
    machine = FakeProofMachine({STATEMENT: "⊢ g0"}, transitions)
    result = search(machine, ScriptedProposer(script), max_expansions=5)
    assert not result.proved and result.reason == "expansion_budget" and result.expansions == 5


def test_tactic_budget_stops_the_search() -> None:
    transitions, script = _chain(50)
    machine = FakeProofMachine({STATEMENT: "⊢ g0"}, transitions)
    result = search(machine, ScriptedProposer(script), max_tactics=7)
    assert result.reason == "tactic_budget" and result.tactics_applied == 7 and len(machine.applied) == 7


def test_time_budget_stops_the_search() -> None:
    transitions, script = _chain(50)
    ticks = itertools.count()  # a clock that advances 1 s per reading: no real waiting
    result = best_first_search(
        FakeProofMachine({STATEMENT: "⊢ g0"}, transitions),
        ScriptedProposer(script),
        HEADER,
        STATEMENT,
        SearchBudget(timeout_s=10),
        clock=lambda: float(next(ticks)),
    )
    assert result.reason == "time_budget" and 0 < result.expansions < 10


def test_backend_failures_are_counted_by_reason_and_the_search_goes_on() -> None:
    errors = {(ROOT, "simp"): "timeout", (ROOT, "norm_num"): "server_crash"}
    machine = FakeProofMachine({STATEMENT: ROOT}, TRANSITIONS, errors=errors)
    result = search(machine, ScriptedProposer(SCRIPT))
    assert result.proved
    assert result.errors["timeout"] == 1 and result.errors["server_crash"] == 1


def test_a_statement_that_cannot_start_is_a_reason_not_a_crash() -> None:
    result = search(FakeProofMachine({}, {}), ScriptedProposer({}))
    assert not result.proved and result.reason == "statement_error" and "cannot parse" in result.message


def test_candidates_of_a_slow_model_call_are_still_tried() -> None:
    """Llemma checks the time before each expansion: a model call that outlasts the budget (a small model
    on a loaded CPU) still has its candidates tried, and the search stops before the next expansion."""
    transitions, script = _chain(3)
    now = [0.0]

    class SlowProposer(ScriptedProposer):
        def propose(self, goals: str) -> list[Candidate]:
            now[0] += 1000.0  # this call alone takes longer than the whole budget
            return super().propose(goals)

    result = best_first_search(
        FakeProofMachine({STATEMENT: "⊢ g0"}, transitions),
        SlowProposer(script),
        HEADER,
        STATEMENT,
        SearchBudget(timeout_s=10),
        clock=lambda: now[0],
    )
    assert result.reason == "time_budget" and result.expansions == 1 and result.tactics_applied >= 1
    assert result.trace[0]["tried"]
