"""The contract between the inference engines and their users (evaluation, proof search).

``Backend.generate(prompts, settings)`` returns one :class:`PromptResult` per prompt, in prompt order.
A problem that belongs to one prompt (too long for the context, a server that rejects it or answers
it with the wrong number of choices) is that prompt's ``error``; the other prompts still get their
completions. Only a failure of the whole engine (model missing, server unreachable after retries)
raises :class:`~mathlm.errors.MathlmError`.

``Backend.score(prompt, continuations)`` gives the mean token log-probability of each continuation
after the prompt: Llemma's proof search ranks tactics by it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import Protocol

from mathlm.errors import MathlmError


@dataclass(frozen=True)
class SamplingSettings:
    """How to sample. ``temperature == 0`` is greedy decoding (then ``n`` must be 1), or beam search with
    ``n`` beams returning ``n`` sequences when ``beam_search`` is set (Llemma's proof search).

    ``truncate_prompt``: keep only the last ``context_length - max_new_tokens`` tokens of a prompt that
    does not leave room for ``max_new_tokens`` (the lm-evaluation-harness protocol behind Llemma's
    numbers). Off, such a prompt is an invalid sample with an error.
    ``logprobs``: ask for each completion's mean token log-probability where the engine returns it
    with the completion (the OpenAI-compatible backend); others leave ``PromptResult.logprobs`` unset
    and are asked through ``Backend.score``.
    """

    max_new_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 1.0
    n: int = 1
    seed: int = 0
    stop: tuple[str, ...] = ()
    truncate_prompt: bool = False
    beam_search: bool = False
    logprobs: bool = False

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1 or self.n < 1:
            raise MathlmError(
                f"max_new_tokens and n must be at least 1 (got {self.max_new_tokens}, {self.n})"
            )
        if self.beam_search and self.temperature > 0:
            raise MathlmError("beam search is deterministic: use temperature 0 with beam_search")
        if self.temperature == 0 and self.n > 1 and not self.beam_search:
            raise MathlmError(
                "greedy decoding (temperature 0) gives one answer: use n=1, or a temperature > 0 "
                "for majority voting (Llemma: MATH maj@256 at T=0.6, top-p 0.95)"
            )

    def key(self) -> str:
        """A short stable hash, part of every generation cache key.

        Fields added after the first release enter the hash only when they differ from their default,
        so caches written before they existed stay valid.
        """
        values = asdict(self)
        for field in fields(self):
            if field.name in _LATER_FIELDS and values[field.name] == field.default:
                del values[field.name]
        return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]


_LATER_FIELDS = frozenset({"truncate_prompt", "beam_search", "logprobs"})


@dataclass(frozen=True)
class PromptResult:
    """What one prompt got: its completions (``n`` of them, cut before the first stop string), or an
    ``error`` saying why it got none. ``logprobs`` holds each completion's mean token log-probability
    when it was asked for and the engine returned it; ``prompt_tokens_dropped`` counts the tokens
    that left truncation removed from the start of the prompt."""

    completions: tuple[str, ...]
    error: str | None = None
    logprobs: tuple[float, ...] | None = None
    prompt_tokens_dropped: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    @classmethod
    def failed(cls, error: str) -> PromptResult:
        return cls(completions=(), error=error)


class Backend(Protocol):
    """What evaluation and proof search need from an inference engine."""

    model_id: str

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[PromptResult]:
        """One result per prompt, in prompt order (see the module docstring for errors)."""
        ...

    def score(self, prompt: str, continuations: Sequence[str]) -> list[float]:
        """Mean token log-probability of each continuation after ``prompt`` (``-inf`` for an empty one)."""
        ...


def over_long_error(prompt_tokens: int, max_new_tokens: int, context_length: int) -> str:
    """The error of a prompt that leaves no room for ``max_new_tokens`` in the context (one wording for
    every backend, so reports group them)."""
    return (
        f"prompt too long: {prompt_tokens} prompt tokens + max_new_tokens {max_new_tokens} exceed the "
        f"context length {context_length}; turn on truncate_prompt (left truncation) or lower max_new_tokens"
    )


def prompt_budget(
    prompt_tokens: int, settings: SamplingSettings, context_length: int
) -> tuple[int, str | None]:
    """How many prompt tokens to drop from the start (left truncation), or the prompt's error.

    The lm-evaluation-harness rule: reserve ``max_new_tokens``, keep the last ``context_length -
    max_new_tokens`` prompt tokens."""
    room = context_length - settings.max_new_tokens
    if prompt_tokens <= room:
        return 0, None
    if settings.truncate_prompt and room > 0:
        return prompt_tokens - room, None
    return 0, over_long_error(prompt_tokens, settings.max_new_tokens, context_length)
