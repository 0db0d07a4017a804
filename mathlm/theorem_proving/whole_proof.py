"""Whole-proof mode: the model writes a complete proof in one go; the verifier decides (pass@k).

For each theorem the model gets the few-shot prompt (for Coq
``mathlm/assets/prompts/coq_whole_proof_fewshot.json``: file header + statement, then
``Proof. ... Qed.``) and returns ``k`` samples. Each sample is
trimmed to end at its first ``Qed.`` (for Lean, prefixed with ``:=`` when the model wrote only the
tactic block); each distinct one is checked by the verifier once. pass@k: at least one of the ``k``
samples is accepted; pass@1 is estimated without bias as (accepted samples, duplicates counted) / k.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from mathlm.inference import Backend, SamplingSettings
from mathlm.theorem_proving.prompt import TacticPrompt
from mathlm.theorem_proving.theorems import Theorem
from mathlm.theorem_proving.verify import Verdict

_QED = re.compile(r"\bQed\s*\.")


class ProofWriter(Protocol):
    """Writes ``k`` whole proofs for a theorem: ``(text, score)`` per sample, duplicates kept."""

    model_id: str
    k: int

    def write(self, theorem_text: str) -> list[tuple[str, float | None]]: ...


class ModelProofWriter:
    """``k`` samples of the whole-proof prompt from an inference backend (one ``generate`` call)."""

    def __init__(
        self,
        backend: Backend,
        prompt: TacticPrompt,
        k: int = 8,
        temperature: float = 0.8,
        top_p: float = 0.95,
        max_new_tokens: int = 512,
        seed: int = 0,
    ) -> None:
        self.backend, self.prompt, self.k = backend, prompt, k
        self.model_id = backend.model_id
        self.settings = SamplingSettings(
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            top_p=top_p,
            n=k,
            seed=seed,
            stop=prompt.stop,
            logprobs=True,
        )
        self.failures: list[str] = []

    def write(self, theorem_text: str) -> list[tuple[str, float | None]]:
        [result] = self.backend.generate([self.prompt.render(theorem_text)], self.settings)
        if not result.ok:  # e.g. a prompt longer than the context: no samples, the reason is kept
            self.failures.append(result.error or "unknown")
            return []
        scores = result.logprobs or [None] * len(result.completions)
        return list(zip(result.completions, scores, strict=True))


class Verifier(Protocol):
    """Accepts or refuses one proof text of one theorem (see :mod:`mathlm.theorem_proving.verify`)."""

    def verify(self, theorem: Theorem, proof: str) -> Verdict: ...

    def close(self) -> None: ...


@dataclass
class WholeProofResult:
    k: int
    samples: list[dict[str, Any]] = field(default_factory=list)  # proof, score, count, verified, reason
    seconds: float = 0.0

    @property
    def accepted(self) -> int:
        """Samples (of the k drawn, duplicates counted) the verifier accepted."""
        return sum(s["count"] for s in self.samples if s["verified"])

    @property
    def proof(self) -> str | None:
        return next((s["proof"] for s in self.samples if s["verified"]), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "proved": self.proof is not None,
            "accepted": self.accepted,
            "pass_at_1": round(self.accepted / self.k, 4) if self.k else 0.0,
            "proof": self.proof,
            "seconds": round(self.seconds, 3),
            "samples": self.samples,
        }


def whole_proof_text(theorem: Theorem, completion: str) -> str:
    """The proof text the verifier gets for one sample: Coq cut after the first ``Qed.``; Lean's
    starts with ``:=``."""
    text = completion.strip()
    if theorem.language == "coq":
        end = _QED.search(text)
        text = text[: end.end()] if end else text
        return "\n" + text
    return text if text.startswith(":=") else ":= by\n  " + text.removeprefix("by").strip()


def prompt_input(theorem: Theorem) -> str:
    """What the whole-proof prompt shows for a theorem: Coq's file header and statement, Lean's statement."""
    if theorem.language == "coq":
        return theorem.header.strip() + "\n\n" + theorem.statement
    return theorem.statement.rstrip().removesuffix("by").rstrip().removesuffix(":=").rstrip()


def prove_whole(theorem: Theorem, writer: ProofWriter, verifier: Verifier) -> WholeProofResult:
    """Draw ``writer.k`` samples, verify each distinct one, and report every sample with the verifier's
    reason (a sample the model did not produce, e.g. for an over-long prompt, counts as a failure)."""
    started = time.perf_counter()
    result = WholeProofResult(k=writer.k)
    counts: dict[str, dict[str, Any]] = {}
    for text, score in writer.write(prompt_input(theorem)):
        proof = whole_proof_text(theorem, text)
        if proof in counts:
            counts[proof]["count"] += 1
            continue
        verdict = verifier.verify(theorem, proof) if proof.strip() else Verdict.refuse("empty")
        counts[proof] = {
            "proof": proof,
            "score": round(score, 4) if score is not None else None,
            "count": 1,
            "verified": verdict.verified,
            "reason": verdict.reason,
        }
    result.samples = list(counts.values())
    result.seconds = time.perf_counter() - started
    return result
