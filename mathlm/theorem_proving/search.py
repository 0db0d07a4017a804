"""Best-first proof search (Llemma's Lean 4 evaluation).

The frontier holds proof states ordered by path score, the sum of the mean token log-probabilities of
the tactics that led there. Each expansion pops the best state, asks the proposer for candidates and
applies them one by one:

* a tactic that is empty or contains ``sorry``/``admit``/``Admitted``/``give_up`` is rejected before
  the prover sees it;
* an error (the prover's, a timeout, a crashed or hung prover process) is counted by reason;
* new goals already reached by another path are dropped (dedup on the goal text);
* a tactic that closes every goal gives a proof, which is checked once more as a whole file and only
  then counts (the runner then has the verifier accept it before it is reported).

Every expansion is recorded in ``trace``: the state, its path score, each candidate with its score and
what the prover said, and the time spent.

The search stops at the first checked proof, or when the frontier is empty, or at a budget: expansions
(the paper's iterations), tactics applied, or wall time (checked before each expansion, as Llemma's
search does: the candidates of an expansion that started are all tried).
"""

from __future__ import annotations

import heapq
import itertools
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mathlm.theorem_proving.backend import Outcome, ProofState, ProverBackend, TheoremStartError
from mathlm.theorem_proving.proposer import TacticProposer

FORBIDDEN = re.compile(r"\b(sorry|admit|Admitted|give_up)\b")
TRACE_GOALS_CHARS = 2000  # goal text kept per expansion in the trace


@dataclass(frozen=True)
class SearchBudget:
    """Limits per theorem. Llemma: 100 expansions or 600 s, 32 candidates per expansion."""

    max_expansions: int = 100
    max_tactics: int | None = None
    timeout_s: float = 600.0


@dataclass
class SearchResult:
    """The outcome for one theorem: a checked proof, or the reason the search stopped without one."""

    proved: bool
    reason: str  # proved | frontier_empty | expansion_budget | tactic_budget | time_budget | <start failure>
    proof: list[str] | None = None
    expansions: int = 0
    tactics_applied: int = 0
    states_seen: int = 0
    seconds: float = 0.0
    rejected: Counter[str] = field(default_factory=Counter)  # tactics refused before Lean saw them
    errors: Counter[str] = field(default_factory=Counter)  # tactics Lean (or the server) failed
    duplicates: int = 0
    message: str = ""
    trace: list[dict[str, Any]] = field(default_factory=list)  # one entry per expansion

    def to_json(self) -> dict[str, Any]:
        return {
            "proved": self.proved,
            "reason": self.reason,
            "proof": self.proof,
            "expansions": self.expansions,
            "tactics_applied": self.tactics_applied,
            "states_seen": self.states_seen,
            "seconds": round(self.seconds, 3),
            "rejected": dict(self.rejected),
            "errors": dict(self.errors),
            "duplicates": self.duplicates,
            "message": self.message,
            "trace": self.trace,
        }


def rejection_reason(tactic: str) -> str | None:
    """Why a proposed tactic is refused without running it (None if it may run)."""
    if not tactic.strip():
        return "empty"
    if FORBIDDEN.search(tactic):
        return "sorry_or_admit"
    return None


def best_first_search(
    backend: ProverBackend,
    proposer: TacticProposer,
    header: str,
    statement: str,
    budget: SearchBudget,
    clock: Callable[[], float] = time.monotonic,
) -> SearchResult:
    """Search for a proof of ``statement`` (ending ``:= by``) under ``header``."""
    started = clock()
    result = SearchResult(proved=False, reason="frontier_empty")
    try:
        root = backend.start(header, statement)
    except TheoremStartError as err:
        result.reason, result.message = err.reason, err.message
        result.seconds = clock() - started
        return result
    order = itertools.count()  # ties keep insertion order, so runs are reproducible
    frontier: list[tuple[float, int, ProofState]] = [(0.0, next(order), root)]
    seen = {root.goals}
    while frontier and not result.proved:
        stop = _budget_stop(result, budget, clock() - started)
        if stop:
            result.reason = stop
            break
        negative_score, _, state = heapq.heappop(frontier)
        result.expansions += 1
        expansion_started = clock()
        tried: list[dict[str, Any]] = []
        result.trace.append(
            {
                "goals": state.goals[:TRACE_GOALS_CHARS],
                "path_score": round(-negative_score, 4),
                "depth": len(state.tactics),
                "tried": tried,
            }
        )
        for candidate in proposer.propose(state.goals):
            stop = _budget_stop(result, budget, clock() - started, tactics_only=True)
            if stop:
                result.reason = stop
                break
            child, outcome = _try(backend, header, statement, state, candidate.tactic, result)
            if child is not None and child.goals in seen:
                result.duplicates += 1
                outcome = "duplicate"
            elif child is not None:
                seen.add(child.goals)
                heapq.heappush(frontier, (negative_score - candidate.score, next(order), child))
            tried.append({"tactic": candidate.tactic, "score": round(candidate.score, 4), "outcome": outcome})
            if result.proved:
                break
        result.trace[-1]["seconds"] = round(clock() - expansion_started, 3)
        if stop:
            break
    result.states_seen = len(seen)
    result.seconds = clock() - started
    return result


def _try(
    backend: ProverBackend, header: str, statement: str, state: ProofState, tactic: str, result: SearchResult
) -> tuple[ProofState | None, str]:
    """Apply one candidate and record what happened: the new state when there is one to explore, and
    a short outcome for the trace (``goals``, ``proved``, ``rejected:<why>``, ``error:<reason>``)."""
    reason = rejection_reason(tactic)
    if reason:
        result.rejected[reason] += 1
        return None, f"rejected:{reason}"
    outcome = backend.apply(state, tactic)
    result.tactics_applied += 1
    if outcome.outcome is Outcome.ERROR:
        result.errors[outcome.reason or "error"] += 1
        return None, f"error:{outcome.reason or 'error'}"
    if outcome.outcome is Outcome.GOALS:
        return outcome.state, "goals"
    tactics = [*state.tactics, tactic]
    problem = backend.check(header, statement, backend.render_proof(tactics))
    if problem is None:
        result.proved, result.reason, result.proof = True, "proved", tactics
        return None, "proved"
    result.errors["recheck_failed"] += 1
    result.message = problem
    return None, "error:recheck_failed"


def _budget_stop(
    result: SearchResult, budget: SearchBudget, elapsed: float, tactics_only: bool = False
) -> str:
    """The budget that is spent, or '' while the search may go on. Inside an expansion only the tactic
    budget counts: as in Llemma's search, time and expansions are checked before each expansion, so the
    candidates a (slow) model call produced are always tried."""
    if not tactics_only and elapsed >= budget.timeout_s:
        return "time_budget"
    if budget.max_tactics is not None and result.tactics_applied >= budget.max_tactics:
        return "tactic_budget"
    if not tactics_only and result.expansions >= budget.max_expansions:
        return "expansion_budget"
    return ""
