"""Tactic proposers: a language model suggests the next tactics for a proof state, each with a score.

The score of a candidate is its **mean token log-probability** under the model given the few-shot
prompt (Llemma's proof search); the search sums scores along a path. The model is any inference
backend (:mod:`mathlm.inference`: ``hf``, ``vllm``, ``openai``). Candidates come from beam search
(``temperature: 0``, as the published runs) or sampling. The OpenAI-compatible backend returns the
token log-probabilities of what it generated, and those are the scores; the others score each distinct
tactic afterwards (``Backend.score`` over ``"\\n" + tactic``, reusing the prompt's cache).

Generation is separate from the search so that the search can be tested with a scripted proposer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from mathlm.console import console
from mathlm.inference import Backend, SamplingSettings
from mathlm.theorem_proving.prompt import TacticPrompt


@dataclass(frozen=True)
class Candidate:
    """A proposed tactic and its mean token log-probability (higher is better, at most 0)."""

    tactic: str
    score: float


class TacticProposer(Protocol):
    """Suggests tactics for a proof state; ``model_id`` names the model in results."""

    model_id: str

    def propose(self, goals: str) -> list[Candidate]:
        """Distinct candidate tactics for ``goals`` (the pretty-printed state), best first."""
        ...


def distinct_candidates(texts: Sequence[str], scores: Sequence[float]) -> list[Candidate]:
    """Stripped, de-duplicated candidates (best score kept), best first. Empty ones stay: the search
    rejects them with a reason instead of never seeing them."""
    best: dict[str, float] = {}
    for text, score in zip(texts, scores, strict=True):
        tactic = text.strip()
        if tactic not in best or score > best[tactic]:
            best[tactic] = score
    return sorted((Candidate(t, s) for t, s in best.items()), key=lambda c: -c.score)


def completion_text(tactic: str) -> str:
    """What follows ``Next tactic:\\n---`` in the prompt for ``tactic`` (the exemplar layout)."""
    return "\n" + tactic.strip()


class ModelTacticProposer:
    """``n`` tactics per proof state from an inference backend, with the published few-shot prompt.

    A state whose prompt the backend cannot complete (e.g. longer than the context) gets no candidates;
    the reason is counted in ``failures`` and printed, and the search goes on with other states.
    """

    def __init__(
        self,
        backend: Backend,
        prompt: TacticPrompt,
        n: int = 8,
        temperature: float = 0.0,
        top_p: float = 0.95,
        max_new_tokens: int = 128,
        seed: int = 0,
    ) -> None:
        self.backend = backend
        self.model_id = backend.model_id
        self.prompt = prompt
        self.settings = SamplingSettings(
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_p=top_p,
            n=n,
            seed=seed,
            stop=prompt.stop,
            beam_search=temperature == 0 and n > 1,
            logprobs=True,
        )
        self.failures: Counter[str] = Counter()

    def propose(self, goals: str) -> list[Candidate]:
        prompt = self.prompt.render(goals)
        [result] = self.backend.generate([prompt], self.settings)
        if not result.ok:
            self.failures[result.error or "unknown"] += 1
            console.print(f"[yellow]tactic proposer: no candidates for a state: {result.error}[/]")
            return []
        if result.logprobs is not None:
            return distinct_candidates(result.completions, result.logprobs)
        tactics = list(dict.fromkeys(text.strip() for text in result.completions))
        return distinct_candidates(tactics, self.backend.score(prompt, [completion_text(t) for t in tactics]))
