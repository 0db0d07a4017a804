"""What the proof search needs from a prover backend: start a theorem, apply a tactic, re-check a proof.

A backend turns ``(header, statement)`` into the first :class:`ProofState`, and ``(state, tactic)`` into a
:class:`TacticResult`: new goals, an error, or a finished proof. The search only ever compares states by
their goal text, so any backend that can print goals (coqidetop, a Lean language server, the Lean REPL
or a scripted test machine) plugs in unchanged.

Failures of the backend itself (a crashed or hung server) are not exceptions for the search: ``apply``
returns an error result whose ``reason`` says what happened, the backend restarts itself, and the
search carries on with the next candidate. Only a theorem that cannot be started at all raises
:class:`TheoremStartError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Outcome(StrEnum):
    GOALS = "goals"
    ERROR = "error"
    PROVED = "proved"


class TheoremStartError(Exception):
    """The statement could not be set up (does not parse or elaborate, imports missing, server down)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class ProofState:
    """Goals after a sequence of tactics. ``goals`` is what the model sees and what dedup compares."""

    goals: str
    tactics: tuple[str, ...] = ()
    handle: Any = field(default=None, compare=False)  # backend-private (a REPL state id, a LeanDojo state)


@dataclass(frozen=True)
class TacticResult:
    """What one tactic did. ``reason`` is a short machine-readable cause for errors (``lean_error``,
    ``timeout``, ``server_crash``, ``sorry``...), ``message`` the text a person reads."""

    outcome: Outcome
    state: ProofState | None = None
    reason: str = ""
    message: str = ""


class ProverBackend(Protocol):
    """A prover process (or stand-in) that checks tactics; one per search worker, never shared."""

    def start(self, header: str, statement: str) -> ProofState:
        """The initial state of ``statement`` (Lean: a theorem ending ``:= by``; Coq: ``Theorem ... .``)
        under ``header`` (imports, opens, definitions)."""
        ...

    def apply(self, state: ProofState, tactic: str) -> TacticResult:
        """Run ``tactic`` in ``state``."""
        ...

    def render_proof(self, tactics: Sequence[str]) -> str:
        """The text that follows the statement for these tactics (what :meth:`check` takes)."""
        ...

    def check(self, header: str, statement: str, proof: str) -> str | None:
        """Check ``header + statement + proof`` as one whole file: None if it is a complete proof without
        ``sorry``, else the first problem."""
        ...

    def close(self) -> None:
        """Stop every process the backend started."""
        ...


def proof_text(tactics: Sequence[str], indent: str = "  ") -> str:
    """The Lean body that follows ``:= by``: one tactic per line, continuation lines indented with it."""
    return "".join("\n" + indent + tactic.replace("\n", "\n" + indent) for tactic in tactics)
