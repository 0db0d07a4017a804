"""Tactic proposers: a language model suggests the next tactics for a proof state, each with a score.

The score of a candidate is its **mean token log-probability** under the model given the few-shot
prompt (Llemma's proof search); the search sums scores along a path. Three engines:

* ``hf``: transformers on CPU or one GPU. Candidates come from beam search (``temperature: 0``, as the
  published runs) or sampling; each is then scored with one forward pass over prompt + ``"\\n" + tactic``.
* ``vllm``: vLLM's offline engine on GPU clusters (imported only when chosen): beam search or
  sampling, scored with ``prompt_logprobs`` over the same text.
* ``openai``: an OpenAI-compatible completions server (``vllm serve``); scored with the token
  log-probabilities the server returns (``logprobs: 1``).

Generation is separate from the search so that the search can be tested with a scripted proposer.
"""

from __future__ import annotations

import copy
import inspect
import json
import math
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from mathlm.errors import MathlmError
from mathlm.eval.backends import cut_at_stop
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


class HFTacticProposer:
    """transformers: beam search (temperature 0) or sampling, then one forward pass to score."""

    def __init__(self, model: str | Path, prompt: TacticPrompt, n: int = 8, temperature: float = 0.0,
                 top_p: float = 0.95, max_new_tokens: int = 128, dtype: str = "auto", device: str | None = None,
                 seed: int = 0) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if not Path(model).exists():
            raise MathlmError(f"model not found: {model}; give a local Hugging Face checkpoint directory")
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        torch_dtype = {"auto": torch.bfloat16 if self.device == "cuda" else torch.float32,
                       "bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[dtype]
        self.tokenizer = AutoTokenizer.from_pretrained(str(model), local_files_only=True)
        self.model = AutoModelForCausalLM.from_pretrained(str(model), dtype=torch_dtype,
                                                          local_files_only=True).to(self.device).eval()
        self.model_id = str(Path(model).resolve())
        self.prompt, self.n, self.temperature, self.top_p = prompt, n, temperature, top_p
        self.max_new_tokens, self.seed = max_new_tokens, seed
        # transformers 5 names the key/value cache argument `cache`, 4.x `past_key_values`
        self._cache_arg = "cache" if "cache" in inspect.signature(self.model.forward).parameters else "past_key_values"

    def propose(self, goals: str) -> list[Candidate]:
        prompt_ids = self._encode(self.prompt.render(goals))
        prefix = self._prefix_cache(prompt_ids)  # one pass over the prompt, shared by generation and scoring
        texts = [cut_at_stop(text, self.prompt.stop) for text in self._generate(prompt_ids, copy.deepcopy(prefix))]
        tactics = list(dict.fromkeys(t.strip() for t in texts))
        return distinct_candidates(tactics, self._score(prompt_ids, prefix, [completion_text(t) for t in tactics]))

    def score(self, prompt: str, completions: Sequence[str]) -> list[float]:
        """Mean log-probability of each completion's tokens after ``prompt``."""
        prompt_ids = self._encode(prompt)
        return self._score(prompt_ids, self._prefix_cache(prompt_ids), completions)

    def _encode(self, text: str) -> Any:
        return self.tokenizer(text, return_tensors="pt")["input_ids"].to(self.device)

    def _prefix_cache(self, prompt_ids: Any) -> Any:
        """The key/value cache of all prompt tokens but the last (generation and scoring both start there)."""
        import torch

        with torch.inference_mode():
            return getattr(self.model(input_ids=prompt_ids[:, :-1], use_cache=True), self._cache_arg)

    def _generate(self, prompt_ids: Any, cache: Any) -> list[str]:
        import torch

        length = prompt_ids.shape[1]
        cache.batch_repeat_interleave(self.n)  # beam search and sampling both run n rows
        if self.temperature > 0:
            torch.manual_seed(self.seed)
            inputs = prompt_ids.repeat(self.n, 1)
            mode: dict[str, Any] = {"do_sample": True, "temperature": self.temperature, "top_p": self.top_p}
        else:
            inputs = prompt_ids
            mode = {"do_sample": False, "num_beams": self.n, "num_return_sequences": self.n}
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else self.tokenizer.eos_token_id
        with torch.inference_mode():
            output = self.model.generate(input_ids=inputs, attention_mask=torch.ones_like(inputs),
                                         max_new_tokens=self.max_new_tokens, pad_token_id=pad,
                                         stopping_criteria=[_stop_at_text(self.tokenizer, length, self.prompt.stop)],
                                         **{self._cache_arg: cache}, **mode)
        return self.tokenizer.batch_decode(output[:, length:], skip_special_tokens=True)

    def _score(self, prompt_ids: Any, prefix: Any, completions: Sequence[str]) -> list[float]:
        """Run the last prompt token + each completion on a copy of the prefix cache; position j of the
        output predicts completion token j."""
        import torch

        if not completions:
            return []
        rows = [self.tokenizer(c, add_special_tokens=False)["input_ids"] for c in completions]
        width = 1 + max(len(r) for r in rows)
        known = prompt_ids.shape[1] - 1
        ids = torch.zeros((len(rows), width), dtype=torch.long)
        mask = torch.zeros((len(rows), known + width), dtype=torch.long)
        mask[:, :known + 1] = 1
        ids[:, 0] = prompt_ids[0, -1]
        for i, row in enumerate(rows):
            ids[i, 1:1 + len(row)] = torch.tensor(row, dtype=torch.long)
            mask[i, known + 1:known + 1 + len(row)] = 1
        cache = copy.deepcopy(prefix)
        cache.batch_repeat_interleave(len(rows))
        with torch.inference_mode():
            logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device),
                                **{self._cache_arg: cache}).logits
        logprobs = logits.float().log_softmax(dim=-1).cpu()
        return [float(logprobs[i, torch.arange(len(row)), torch.tensor(row)].mean()) if row else -math.inf
                for i, row in enumerate(rows)]


def _stop_at_text(tokenizer: Any, prompt_length: int, stops: Sequence[str]) -> Any:
    """A stopping criterion that ends each sequence once its new text contains a stop string.

    transformers' own ``stop_strings`` first builds tables over the whole vocabulary (seconds per call
    for a 49k vocabulary); decoding the few new tokens of each row at each step is cheaper here.
    """
    import torch
    from transformers import StoppingCriteria

    class StopAtText(StoppingCriteria):
        def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs: Any) -> torch.BoolTensor:
            texts = tokenizer.batch_decode(input_ids[:, prompt_length:], skip_special_tokens=True)
            return torch.tensor([any(s in t for s in stops) for t in texts], device=input_ids.device)

    return StopAtText()


class VLLMTacticProposer:
    """vLLM's offline engine (GPU clusters). Only imported when chosen."""

    def __init__(self, model: str | Path, prompt: TacticPrompt, n: int = 32, temperature: float = 0.0,
                 top_p: float = 0.95, max_new_tokens: int = 256, seed: int = 0, **engine: Any) -> None:
        try:
            from vllm import LLM
        except ImportError as err:
            raise MathlmError("the vllm proposer needs vLLM: pip install 'mathlm[vllm]' (GPU machines)") from err
        self.llm = LLM(model=str(model), seed=seed, **engine)
        self.model_id = str(Path(model).resolve()) if Path(model).exists() else str(model)
        self.prompt, self.n, self.temperature, self.top_p = prompt, n, temperature, top_p
        self.max_new_tokens, self.seed = max_new_tokens, seed

    def propose(self, goals: str) -> list[Candidate]:
        prompt = self.prompt.render(goals)
        tactics = list(dict.fromkeys(cut_at_stop(t, self.prompt.stop).strip() for t in self._generate(prompt)))
        return distinct_candidates(tactics, self.score(prompt, [completion_text(t) for t in tactics]))

    def _generate(self, prompt: str) -> list[str]:
        from vllm import SamplingParams

        if self.temperature == 0:
            from vllm.sampling_params import BeamSearchParams

            params = BeamSearchParams(beam_width=self.n, max_tokens=self.max_new_tokens)
            output = self.llm.beam_search([{"prompt": prompt}], params)[0]
            return [sequence.text.removeprefix(prompt)
                    for sequence in output.sequences]
        params = SamplingParams(n=self.n, temperature=self.temperature, top_p=self.top_p,
                                max_tokens=self.max_new_tokens, stop=list(self.prompt.stop), seed=self.seed)
        return [choice.text for choice in self.llm.generate([prompt], params, use_tqdm=False)[0].outputs]

    def score(self, prompt: str, completions: Sequence[str]) -> list[float]:
        """Mean log-probability of each completion's tokens, from vLLM's prompt log-probs."""
        from vllm import SamplingParams

        prompt_length = len(self.llm.get_tokenizer()(prompt)["input_ids"])
        params = SamplingParams(max_tokens=1, prompt_logprobs=0, temperature=0.0)
        outputs = self.llm.generate([prompt + c for c in completions], params, use_tqdm=False)
        scores = []
        for output in outputs:
            ids = output.prompt_token_ids[prompt_length:]
            entries = output.prompt_logprobs[prompt_length:]
            values = [entry[token].logprob for token, entry in zip(ids, entries, strict=True) if entry]
            scores.append(sum(values) / len(values) if values else -math.inf)
        return scores


class OpenAITacticProposer:
    """An OpenAI-compatible ``/v1/completions`` server (e.g. ``vllm serve MODEL``)."""

    def __init__(self, base_url: str, model: str, prompt: TacticPrompt, n: int = 32, temperature: float = 0.7,
                 top_p: float = 0.95, max_new_tokens: int = 256, seed: int = 0, api_key: str | None = None,
                 timeout_s: float = 300.0) -> None:
        self.url = base_url.rstrip("/") + "/completions"
        self.model_id = f"{base_url.rstrip('/')}#{model}"
        self.model, self.prompt, self.n, self.temperature, self.top_p = model, prompt, n, temperature, top_p
        self.max_new_tokens, self.seed, self.api_key, self.timeout_s = max_new_tokens, seed, api_key, timeout_s

    def propose(self, goals: str) -> list[Candidate]:
        body: dict[str, Any] = {
            "model": self.model, "prompt": self.prompt.render(goals), "n": self.n, "max_tokens": self.max_new_tokens,
            "temperature": self.temperature, "top_p": self.top_p, "stop": list(self.prompt.stop), "logprobs": 1,
            "seed": self.seed}
        if self.temperature == 0 and self.n > 1:
            body["use_beam_search"] = True  # vLLM's server extension; greedy decoding gives one candidate
        choices = self._post(body).get("choices", [])
        texts = [cut_at_stop(c.get("text", ""), self.prompt.stop) for c in choices]
        return distinct_candidates(texts, [_mean_logprob(c) for c in choices])

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as err:
            raise MathlmError(f"{self.url} answered {err.code}: {err.read().decode(errors='replace')[:300]}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
            raise MathlmError(f"cannot reach {self.url}: {err}. Is the server running?") from None


def _mean_logprob(choice: dict[str, Any]) -> float:
    values = [v for v in ((choice.get("logprobs") or {}).get("token_logprobs") or []) if v is not None]
    return sum(values) / len(values) if values else -math.inf
