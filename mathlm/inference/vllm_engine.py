"""vLLM's offline engine (GPU clusters). vLLM is imported when the engine is first used, never before:
it is not installed on CPU machines.

Prompts are tokenized here and handed to vLLM as token ids, so the context check and left truncation
follow the same rule as the other backends (:func:`~mathlm.inference.base.prompt_budget`) and an
over-long prompt is that prompt's error instead of an exception for the whole batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mathlm.errors import MathlmError
from mathlm.inference.base import PromptResult, SamplingSettings, prompt_budget
from mathlm.inference.loading import Lazy
from mathlm.inference.registry import BACKENDS
from mathlm.inference.text import cut_at_stop, safe_text


class VLLMBackend:
    """``vllm.LLM`` behind the :class:`~mathlm.inference.base.Backend` interface; ``engine`` options go to
    ``vllm.LLM`` unchanged (``tensor_parallel_size``, ``dtype``, ``gpu_memory_utilization``,
    ``max_model_len``, ...)."""

    def __init__(self, model: str | Path, **engine: Any) -> None:
        self.model_id = str(Path(model).resolve()) if Path(model).exists() else str(model)
        self._llm = Lazy(lambda: _start_engine(str(model), engine))

    @property
    def llm(self) -> Any:
        return self._llm.get()

    @property
    def context_length(self) -> int:
        return int(self.llm.llm_engine.model_config.max_model_len)

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[PromptResult]:
        tokenizer = self.llm.get_tokenizer()
        results: list[PromptResult | None] = [None] * len(prompts)
        runnable: list[tuple[int, list[int], int]] = []
        for index, prompt in enumerate(prompts):
            ids = tokenizer(prompt)["input_ids"]
            drop, error = prompt_budget(len(ids), settings, self.context_length)
            if error:
                results[index] = PromptResult.failed(error)
            else:
                runnable.append((index, ids[drop:], drop))
        if runnable:
            token_prompts = [{"prompt_token_ids": ids} for _, ids, _ in runnable]
            if settings.beam_search and settings.n > 1:
                texts = self._beam_search(token_prompts, settings)
            else:
                texts = self._sample(token_prompts, settings)
            for (index, _, drop), choices in zip(runnable, texts, strict=True):
                results[index] = PromptResult(
                    tuple(cut_at_stop(t, settings.stop) for t in choices), prompt_tokens_dropped=drop
                )
        return [result or PromptResult.failed("not generated") for result in results]

    def _sample(self, prompts: list[dict[str, Any]], settings: SamplingSettings) -> list[list[str]]:
        from vllm import SamplingParams

        params = SamplingParams(
            n=settings.n,
            temperature=settings.temperature,
            top_p=settings.top_p,
            max_tokens=settings.max_new_tokens,
            stop=list(settings.stop) or None,
            seed=settings.seed,
        )
        outputs = self.llm.generate(prompts, params, use_tqdm=False)
        return [[safe_text(choice.text) for choice in output.outputs] for output in outputs]

    def _beam_search(self, prompts: list[dict[str, Any]], settings: SamplingSettings) -> list[list[str]]:
        from vllm.sampling_params import BeamSearchParams

        params = BeamSearchParams(beam_width=settings.n, max_tokens=settings.max_new_tokens)
        outputs = self.llm.beam_search(prompts, params)
        tokenizer = self.llm.get_tokenizer()
        texts = []
        for prompt, output in zip(prompts, outputs, strict=True):
            known = len(prompt["prompt_token_ids"])
            texts.append(
                [
                    safe_text(tokenizer.decode(sequence.tokens[known:], skip_special_tokens=True))
                    for sequence in output.sequences
                ]
            )
        return texts

    def score(self, prompt: str, continuations: Sequence[str]) -> list[float]:
        """Mean log-probability of each continuation's tokens, from vLLM's prompt log-probs."""
        from vllm import SamplingParams

        if not continuations:
            return []
        prompt_length = len(self.llm.get_tokenizer()(prompt)["input_ids"])
        params = SamplingParams(max_tokens=1, prompt_logprobs=0, temperature=0.0)
        outputs = self.llm.generate([prompt + c for c in continuations], params, use_tqdm=False)
        scores = []
        for output in outputs:
            ids = output.prompt_token_ids[prompt_length:]
            entries = output.prompt_logprobs[prompt_length:]
            values = [entry[token].logprob for token, entry in zip(ids, entries, strict=True) if entry]
            scores.append(sum(values) / len(values) if values else -math.inf)
        return scores


def _start_engine(model: str, engine: dict[str, Any]) -> Any:
    try:
        from vllm import LLM
    except ImportError as err:
        raise MathlmError("the vllm backend needs vLLM: pip install 'mathlm[vllm]' (GPU machines)") from err
    return LLM(model=model, **engine)


@BACKENDS.register("vllm")
def _vllm(model: str, **engine: Any) -> VLLMBackend:
    return VLLMBackend(model, **engine)
