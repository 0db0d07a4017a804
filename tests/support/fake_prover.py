"""Test doubles for the search, named as what they are: a FAKE proof-state machine and a SCRIPTED model.

``FakeProofMachine`` is not Lean: it looks tactics up in a table ``(goals, tactic) -> next goals``,
where the next goals ``""`` mean "proved" and a missing entry is a Lean-style error. It records every
call, so tests can assert what the search sent and what it re-checked.
``ScriptedProposer`` returns fixed candidates (tactic, mean log-prob) per goal text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mathlm.theorem_proving.backend import Outcome, ProofState, TacticResult, TheoremStartError, proof_text
from mathlm.theorem_proving.proposer import Candidate

Transitions = Mapping[tuple[str, str], str]


class FakeProofMachine:
    """A ProverBackend over a transition table (see module docstring)."""

    def __init__(
        self,
        initial: Mapping[str, str],
        transitions: Transitions,
        errors: Mapping[tuple[str, str], str] | None = None,
        recheck_ok: bool = True,
    ) -> None:
        self.initial = dict(initial)  # statement -> initial goals
        self.transitions = dict(transitions)
        self.errors = dict(errors or {})  # (goals, tactic) -> error reason, e.g. "timeout"
        self.recheck_ok = recheck_ok
        self.applied: list[tuple[str, str]] = []
        self.checked: list[str] = []
        self.closed = False

    def start(self, header: str, statement: str) -> ProofState:
        if statement not in self.initial:
            raise TheoremStartError("statement_error", f"cannot parse {statement!r}")
        return ProofState(self.initial[statement])

    def apply(self, state: ProofState, tactic: str) -> TacticResult:
        self.applied.append((state.goals, tactic))
        key = (state.goals, tactic)
        if key in self.errors:
            return TacticResult(Outcome.ERROR, reason=self.errors[key], message="scripted failure")
        if key not in self.transitions:
            return TacticResult(Outcome.ERROR, reason="lean_error", message=f"tactic {tactic!r} failed")
        goals = self.transitions[key]
        tactics = (*state.tactics, tactic)
        if goals == "":
            return TacticResult(Outcome.PROVED, state=ProofState("", tactics))
        return TacticResult(Outcome.GOALS, state=ProofState(goals, tactics))

    def render_proof(self, tactics: Sequence[str]) -> str:
        return proof_text(tactics)

    def check(self, header: str, statement: str, proof: str) -> str | None:
        self.checked.append(header + statement + proof)
        return None if self.recheck_ok else "error: the whole file does not check"

    def close(self) -> None:
        self.closed = True


class ScriptedProposer:
    """A TacticProposer with fixed answers: ``goals -> [(tactic, score), ...]``."""

    model_id = "scripted"

    def __init__(self, script: Mapping[str, Sequence[tuple[str, float]]]) -> None:
        self.script = dict(script)
        self.asked: list[str] = []

    def propose(self, goals: str) -> list[Candidate]:
        self.asked.append(goals)
        return [Candidate(t, s) for t, s in self.script.get(goals, [])]


def expected_file(header: str, statement: str, tactics: Sequence[str]) -> str:
    return header + statement + proof_text(tuple(tactics))
