"""Any OpenAI-compatible ``/v1/completions`` server by URL (``vllm serve``, TGI, llama.cpp server...).

What a server sends back is checked before it is used, because servers differ:

* **Choices per prompt.** A batch of P prompts with ``n`` samples each must come back as P*n choices with
  distinct indices ``prompt * n + sample``. A server that ignores ``n`` (or drops a prompt) sends fewer;
  grouping those by index would give one prompt the completions of others. On any mismatch the batch
  is asked again one prompt at a time, where the owner of every choice is certain, and a prompt that
  still gets the wrong count gets an error saying so.
* **Rejected prompts.** A 4xx answer to a batch (typically: one prompt is longer than the context) is
  retried one prompt at a time, so the error lands on the prompt that caused it and the others get
  their completions.
* **Text.** Every value is coerced with :func:`~mathlm.inference.text.safe_text` (``null``, numbers,
  lone surrogates).

Server errors (5xx) and connection failures are retried with exponential back-off; when retries run
out the run stops with an error (its finished work is cached by the caller).
"""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from mathlm.console import progress
from mathlm.errors import MathlmError
from mathlm.inference.base import PromptResult, SamplingSettings
from mathlm.inference.registry import BACKENDS
from mathlm.inference.text import cut_at_stop, safe_text


class RequestRejected(MathlmError):
    """The server answered 4xx: the request itself is wrong, sending it again will not help."""


class OpenAIBackend:
    """Completions from a server; ``context_length`` (the served model's, in tokens) is needed only for
    left truncation, which the server does (vLLM's ``truncate_prompt_tokens``)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        batch_size: int = 16,
        timeout_s: float = 600.0,
        retries: int = 3,
        retry_wait_s: float = 1.0,
        context_length: int | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/completions"
        self.model_id = f"{base_url.rstrip('/')}#{model}"
        self.model = model
        self.api_key = api_key
        self.batch_size = batch_size
        self.timeout_s = timeout_s
        self.retries = retries
        self.retry_wait_s = retry_wait_s
        self.context_length = context_length

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[PromptResult]:
        if settings.truncate_prompt and not self.context_length:
            raise MathlmError(
                "truncate_prompt with the openai backend needs backend option context_length "
                "(the served model's context in tokens): the server truncates to context_length "
                "- max_new_tokens"
            )
        results: list[PromptResult] = []
        with progress() as bar:
            task = bar.add_task("generating", total=len(prompts))
            for start in range(0, len(prompts), self.batch_size):
                batch = list(prompts[start : start + self.batch_size])
                results += self._complete(batch, settings)
                bar.advance(task, len(batch))
        return results

    def _complete(self, prompts: list[str], settings: SamplingSettings) -> list[PromptResult]:
        """One request for the batch; on a rejection or a reply that cannot be split per prompt, one
        request per prompt."""
        try:
            reply = self._post(self._body(prompts, settings))
        except RequestRejected as err:
            if len(prompts) > 1:
                return [result for prompt in prompts for result in self._complete([prompt], settings)]
            return [PromptResult.failed(f"the server rejected this prompt: {err}")]
        grouped = _group_choices(reply, len(prompts), settings.n)
        if isinstance(grouped, str):
            if len(prompts) > 1:
                return [result for prompt in prompts for result in self._complete([prompt], settings)]
            return [PromptResult.failed(grouped)]
        return [_result(choices, settings) for choices in grouped]

    def _body(self, prompts: list[str], settings: SamplingSettings) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "prompt": prompts,
            "max_tokens": settings.max_new_tokens,
            "temperature": settings.temperature,
            "top_p": settings.top_p,
            "n": settings.n,
            "seed": settings.seed,
        }
        if settings.stop:
            body["stop"] = list(settings.stop)
        if settings.logprobs:
            body["logprobs"] = 1
        if settings.beam_search and settings.n > 1:
            body["use_beam_search"] = True  # vLLM's extension; greedy decoding alone gives one candidate
        if settings.truncate_prompt and self.context_length:
            body["truncate_prompt_tokens"] = (
                self.context_length - settings.max_new_tokens
            )  # vLLM: keeps the last k
        return body

    def score(self, prompt: str, continuations: Sequence[str]) -> list[float]:
        """Mean log-probability of each continuation's tokens, from the echoed prompt log-probs: the tokens
        whose text starts at or after the end of ``prompt`` and before the end of the continuation."""
        if not continuations:
            return []
        body = {
            "model": self.model,
            "prompt": [prompt + c for c in continuations],
            "max_tokens": 1,
            "temperature": 0.0,
            "echo": True,
            "logprobs": 1,
        }
        grouped = _group_choices(self._post(body), len(continuations), 1)
        if isinstance(grouped, str):
            raise MathlmError(f"{self.url}: cannot score continuations: {grouped}")
        scores = []
        for continuation, [choice] in zip(continuations, grouped, strict=True):
            logprobs = choice.get("logprobs") if isinstance(choice.get("logprobs"), dict) else {}
            offsets = logprobs.get("text_offset") or []
            values = logprobs.get("token_logprobs") or []
            end = len(prompt) + len(continuation)
            inside = [
                _as_float(v) for o, v in zip(offsets, values) if isinstance(o, int) and len(prompt) <= o < end
            ]
            inside = [v for v in inside if v is not None]
            scores.append(sum(inside) / len(inside) if inside else -math.inf)
        return scores

    def _post(self, body: dict[str, Any]) -> Any:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers=headers)
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    raw = response.read()
                return json.loads(raw)
            except urllib.error.HTTPError as err:
                detail = safe_text(err.read().decode(errors="replace"))[:500]
                if err.code < 500:
                    raise RequestRejected(f"{self.url} answered {err.code}: {detail}") from None
                if attempt == self.retries:
                    raise MathlmError(
                        f"{self.url} answered {err.code} {attempt + 1} times: {detail}"
                    ) from None
            except json.JSONDecodeError as err:  # a broken proxy or a server restarting: worth retrying
                if attempt == self.retries:
                    raise MathlmError(f"{self.url} answered with a body that is not JSON: {err}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
                if attempt == self.retries:
                    raise MathlmError(f"cannot reach {self.url}: {err}. Is the server running?") from None
            time.sleep(self.retry_wait_s * 2**attempt)
        raise AssertionError("unreachable")


def _group_choices(reply: Any, prompts: int, n: int) -> list[list[dict[str, Any]]] | str:
    """The reply's choices per prompt (in sample order), or why they cannot be assigned."""
    choices = reply.get("choices") if isinstance(reply, dict) else None
    if not isinstance(choices, list):
        return f"the server's reply has no list of choices: {safe_text(reply)[:200]}"
    expected = prompts * n
    indices = [c.get("index") if isinstance(c, dict) else None for c in choices]
    if len(choices) != expected or sorted(i for i in indices if isinstance(i, int)) != list(range(expected)):
        return (
            f"asked for {n} completion(s) per prompt for {prompts} prompt(s), the server returned "
            f"{len(choices)} choices with indices {safe_text(indices)[:100]} (does it ignore `n`?)"
        )
    grouped: list[list[dict[str, Any]]] = [[] for _ in range(prompts)]
    for choice in sorted(choices, key=lambda c: c["index"]):
        grouped[choice["index"] // n].append(choice)
    return grouped


def _result(choices: list[dict[str, Any]], settings: SamplingSettings) -> PromptResult:
    texts = tuple(cut_at_stop(safe_text(choice.get("text")), settings.stop) for choice in choices)
    if not settings.logprobs:
        return PromptResult(texts)
    return PromptResult(texts, logprobs=tuple(_mean_logprob(choice) for choice in choices))


def _mean_logprob(choice: dict[str, Any]) -> float:
    """Mean of the choice's token log-probabilities (``-inf`` when the server sent none)."""
    logprobs = choice.get("logprobs")
    raw = logprobs.get("token_logprobs") if isinstance(logprobs, dict) else None
    values = [v for v in (_as_float(x) for x in raw or []) if v is not None]
    return sum(values) / len(values) if values else -math.inf


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) or value == -math.inf else None


@BACKENDS.register("openai")
def _openai(model: str, base_url: str | None = None, **options: Any) -> OpenAIBackend:
    if not base_url:
        raise MathlmError("the openai backend needs base_url (e.g. http://localhost:8000/v1)")
    return OpenAIBackend(base_url, model, **options)
