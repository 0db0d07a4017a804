"""The automation baseline: the same best-first search with a fixed list of Coq decision procedures
instead of a model, proposed in the same order at every state.

It answers "how much of the benchmark falls to automation alone?", the number a model's pass rate should
be read against (published Coq/Lean evaluations report such baselines too), and it lets the quickstart
show real proofs found by the search on a machine where the small model finds none. Its proofs go
through the same verifier as every other proof.
"""

from __future__ import annotations

from mathlm.theorem_proving.proposer import Candidate

# intro first (so the procedures see hypotheses), then the procedures, cheapest first.
COQ_AUTOMATION = (
    "intros.",
    "lia.",
    "lra.",
    "nia.",
    "nra.",
    "field.",
    "ring.",
    "reflexivity.",
    "auto.",
    "vm_compute; reflexivity.",
)


class AutomationBaseline:
    """A TacticProposer that proposes ``tactics`` at every state, scored by their order."""

    model_id = "automation-baseline"

    def __init__(self, tactics: tuple[str, ...] = COQ_AUTOMATION) -> None:
        self.tactics = tactics

    def propose(self, goals: str) -> list[Candidate]:
        return [Candidate(tactic, -0.01 * rank) for rank, tactic in enumerate(self.tactics)]
