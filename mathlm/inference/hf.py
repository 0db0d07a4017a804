"""Hugging Face transformers backend (CPU or one GPU).

Throughput comes from three things a plain batched ``model.generate`` does not do:

* **The shared prefix is computed once.** Few-shot prompts of one task share their exemplars (~90% of
  a GSM8k or MATH prompt). The key/value cache of the tokens all prompts of a call have in common is
  computed once, kept for the next call (cut back to what the next prompts share, then extended), and
  copied into every row; each row then only runs its own suffix, laid out as ``prefix, padding,
  suffix`` with the padding masked (position ids come from the mask, so every token keeps its
  position). Proof search profits the same way: successive proof states share the few-shot prompt,
  and scoring a state's candidates reuses the cache its generation built.
* **Batches of similar length**: prompts are sorted by token count, so little padding is computed.
* **Stop strings end rows early**: a cheap criterion decodes only the last few tokens of each row
  (transformers' own ``stop_strings`` builds tables over the whole vocabulary on every call).

A prompt that does not leave room for ``max_new_tokens`` in the context is that prompt's error, or is
left-truncated when the settings ask for it (:func:`~mathlm.inference.base.prompt_budget`).
"""

from __future__ import annotations

import copy
import functools
import math
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mathlm.console import progress
from mathlm.inference.base import PromptResult, SamplingSettings, prompt_budget
from mathlm.inference.loading import Lazy, LoadedModel, check_model_path, load_causal_lm
from mathlm.inference.registry import BACKENDS
from mathlm.inference.text import cut_at_stop

TokenIds = tuple[int, ...]


class HFBackend:
    """transformers ``generate``, batched over length-sorted prompts that share one prefix cache."""

    def __init__(
        self,
        model: str | Path,
        batch_size: int = 8,
        dtype: str = "auto",
        device: str | None = None,
        allow_download: bool = False,
        context_length: int | None = None,
        min_shared_prefix: int = 16,
    ) -> None:
        """``context_length`` overrides the model config's ``max_position_embeddings``; a common prefix
        shorter than ``min_shared_prefix`` tokens is not worth a separate cache."""
        self.model_id = check_model_path(model, allow_download)
        self._loaded = Lazy(lambda: load_causal_lm(model, dtype, device, allow_download))
        self.batch_size = batch_size
        self._context_length = context_length
        self.min_shared_prefix = max(1, min_shared_prefix)
        self._prefix: tuple[TokenIds, Any] | None = None  # the last prefix cache, reused when it fits
        self._lock = threading.RLock()  # one model, one cache memo: calls from several threads take turns

    @property
    def loaded(self) -> LoadedModel:
        return self._loaded.get()

    @property
    def model(self) -> Any:
        return self.loaded.model

    @property
    def tokenizer(self) -> Any:
        return self.loaded.tokenizer

    @property
    def device(self) -> str:
        return self.loaded.device

    @property
    def context_length(self) -> int:
        """Tokens the model attends over: prompt plus generated."""
        if self._context_length:
            return self._context_length
        configured = getattr(self.model.config, "max_position_embeddings", None)
        return int(configured) if configured else math.inf  # type: ignore[return-value]

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[PromptResult]:
        with self._lock:
            return self._generate(prompts, settings)

    def forget_prefix(self) -> None:
        """Drop the kept prefix cache (its memory; a benchmark's cold start)."""
        with self._lock:
            self._prefix = None

    def _generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[PromptResult]:
        results: list[PromptResult | None] = [None] * len(prompts)
        rows: dict[int, list[int]] = {}
        dropped: dict[int, int] = {}
        encoded = self.tokenizer(list(prompts), add_special_tokens=True)["input_ids"] if prompts else []
        for index, ids in enumerate(encoded):
            drop, error = prompt_budget(len(ids), settings, self.context_length)
            if not ids:
                error = "empty prompt: it encodes to no tokens"
            if error:
                results[index] = PromptResult.failed(error)
                continue
            rows[index], dropped[index] = ids[drop:], drop
        order = sorted(rows, key=lambda i: len(rows[i]), reverse=True)
        shared = self._shared_prefix([rows[i] for i in order])
        with progress() as bar:
            task = bar.add_task("generating", total=len(prompts))
            bar.advance(task, len(prompts) - len(order))
            for start in range(0, len(order), self.batch_size):
                batch = order[start : start + self.batch_size]
                texts = self._generate_batch(
                    [rows[i] for i in batch], shared, settings, settings.seed + start
                )
                for offset, index in enumerate(batch):
                    chunk = texts[offset * settings.n : (offset + 1) * settings.n]
                    results[index] = PromptResult(tuple(chunk), prompt_tokens_dropped=dropped[index])
                bar.advance(task, len(batch))
        return [result or PromptResult.failed("not generated") for result in results]

    def score(self, prompt: str, continuations: Sequence[str]) -> list[float]:
        """Run the last prompt token and each continuation on copies of the prompt's prefix cache; output
        position j predicts continuation token j."""
        import torch

        if not continuations:
            return []
        with self._lock:
            prompt_ids = self.tokenizer(prompt, add_special_tokens=True)["input_ids"]
            prefix = self._prefix_cache(tuple(prompt_ids[:-1]))  # None for a one-token prompt
            rows = [self.tokenizer(c, add_special_tokens=False)["input_ids"] for c in continuations]
            width = 1 + max(len(r) for r in rows)
            known = len(prompt_ids) - 1
            ids = torch.zeros((len(rows), width), dtype=torch.long)
            mask = torch.zeros((len(rows), known + width), dtype=torch.long)
            mask[:, : known + 1] = 1
            ids[:, 0] = prompt_ids[-1]
            for i, row in enumerate(rows):
                ids[i, 1 : 1 + len(row)] = torch.tensor(row, dtype=torch.long)
                mask[i, known + 1 : known + 1 + len(row)] = 1
            cache = self._rows_of(prefix, len(rows)) if prefix is not None else None
            with torch.inference_mode():
                logits = self.model(
                    input_ids=ids.to(self.device),
                    attention_mask=mask.to(self.device),
                    **self._cache_kwargs(cache),
                ).logits
            logprobs = logits.float().log_softmax(dim=-1).cpu()
        return [
            float(logprobs[i, torch.arange(len(row)), torch.tensor(row)].mean()) if row else -math.inf
            for i, row in enumerate(rows)
        ]

    def _shared_prefix(self, rows: Sequence[Sequence[int]]) -> tuple[int, Any]:
        """The tokens every row starts with (each row keeps at least one of its own) and their cache."""
        if not rows:
            return 0, None
        length = min(len(row) for row in rows) - 1
        first = rows[0]
        for row in rows[1:]:
            length = _common_length(first, row, length)
        if length < self.min_shared_prefix:
            return 0, None
        return length, self._prefix_cache(tuple(first[:length]))

    def _prefix_cache(self, ids: TokenIds) -> Any:
        """The key/value cache of ``ids`` (batch of one). The last one is kept: the part of it that ``ids``
        shares is reused and only the rest is computed. Callers copy it before the model writes to it."""
        import torch

        if not ids:
            return None
        if self._prefix is not None and self._prefix[0] == ids:
            return self._prefix[1]
        cache, known = None, 0
        if self._prefix is not None:
            known = _common_length(self._prefix[0], ids, len(ids))
            if known >= self.min_shared_prefix:
                cache = copy.deepcopy(self._prefix[1])
                if len(self._prefix[0]) > known:
                    cache.crop(known - len(self._prefix[0]))
            else:
                known = 0
        if known < len(ids):  # else ``ids`` is a prefix of the kept one: the cut copy is all of it
            with torch.inference_mode():
                output = self.model(
                    input_ids=torch.tensor([ids[known:]], device=self.device),
                    use_cache=True,
                    **self._cache_kwargs(cache),
                )
            cache = getattr(output, self._cache_name)
        self._prefix = (ids, cache)
        return cache

    def _generate_batch(
        self, rows: Sequence[Sequence[int]], shared: tuple[int, Any], settings: SamplingSettings, seed: int
    ) -> list[str]:
        """``settings.n`` texts per row, rows in order: ``prefix + padding + suffix`` on the shared cache."""
        import torch

        known, prefix = shared
        width = max(len(row) for row in rows) - known
        pad = self.tokenizer.pad_token_id
        ids = torch.full((len(rows), known + width), pad, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for i, row in enumerate(rows):
            ids[i, :known] = torch.tensor(row[:known], dtype=torch.long)
            ids[i, known + width - (len(row) - known) :] = torch.tensor(row[known:], dtype=torch.long)
            mask[i, :known] = 1
            mask[i, known + width - (len(row) - known) :] = 1
        mode: dict[str, Any]
        if settings.beam_search and settings.n > 1:
            mode = {"do_sample": False, "num_beams": settings.n, "num_return_sequences": settings.n}
            cache_rows = len(rows) * settings.n  # generate repeats the inputs per beam, not a given cache
        else:
            if settings.n > 1:
                ids, mask = (
                    ids.repeat_interleave(settings.n, dim=0),
                    mask.repeat_interleave(settings.n, dim=0),
                )
            mode = (
                {"do_sample": True, "temperature": settings.temperature, "top_p": settings.top_p}
                if settings.temperature > 0
                else {"do_sample": False}
            )
            cache_rows = ids.shape[0]
        cache = self._rows_of(prefix, cache_rows) if prefix is not None else None
        stopping = [_StopOnStrings(self.tokenizer, settings.stop, ids.shape[1])] if settings.stop else None
        torch.manual_seed(seed)
        with torch.inference_mode():
            output = self.model.generate(
                input_ids=ids.to(self.device),
                attention_mask=mask.to(self.device),
                max_new_tokens=settings.max_new_tokens,
                stopping_criteria=stopping,
                pad_token_id=pad,
                use_cache=True,  # checkpoints saved by training often say use_cache: false
                **self._cache_kwargs(cache),
                **mode,
            )
        texts = self.tokenizer.batch_decode(output[:, ids.shape[1] :], skip_special_tokens=True)
        return [cut_at_stop(text, settings.stop) for text in texts]

    def _rows_of(self, prefix: Any, rows: int) -> Any:
        """A private copy of a batch-of-one cache, repeated to ``rows`` rows."""
        cache = copy.deepcopy(prefix)
        cache.batch_repeat_interleave(rows)
        return cache

    @functools.cached_property
    def _cache_name(self) -> str:
        """transformers 5 names the key/value cache argument ``cache``, 4.x ``past_key_values``."""
        import inspect

        return "cache" if "cache" in inspect.signature(self.model.forward).parameters else "past_key_values"

    def _cache_kwargs(self, cache: Any) -> dict[str, Any]:
        return {self._cache_name: cache} if cache is not None else {}


def _common_length(a: Sequence[int], b: Sequence[int], limit: int) -> int:
    """How many leading tokens ``a`` and ``b`` share, at most ``limit``."""
    length = 0
    for x, y in zip(a, b):
        if length >= limit or x != y:
            break
        length += 1
    return length


class _StopOnStrings:
    """Per-row stop when a stop string appears in the row's last few generated tokens.

    Decoding a short tail of each row per step costs microseconds; the text is cut exactly afterwards
    by :func:`~mathlm.inference.text.cut_at_stop`.
    """

    def __init__(self, tokenizer: Any, stop: Sequence[str], prompt_length: int, window: int = 16) -> None:
        self.tokenizer = tokenizer
        self.stop = tuple(s for s in stop if s)
        self.prompt_length = prompt_length
        self.window = window

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        tails = self.tokenizer.batch_decode(
            input_ids[:, max(self.prompt_length, input_ids.shape[1] - self.window) :]
        )
        return torch.tensor([any(s in tail for s in self.stop) for tail in tails], device=input_ids.device)


@BACKENDS.register("hf")
def _hf(model: str, **options: Any) -> HFBackend:
    return HFBackend(model, **options)
