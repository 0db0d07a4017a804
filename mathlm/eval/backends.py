"""Inference backends behind one call: ``generate(prompts, settings) -> n completions per prompt``.

* ``hf``: Hugging Face transformers (default; CPU or one GPU): batched, left-padded generation with
  stop strings and sampling, seeded per batch so a run is reproducible.
* ``vllm``: vLLM's offline engine for GPU clusters (imported only when chosen).
* ``openai``: any OpenAI-compatible ``/v1/completions`` server, e.g. ``vllm serve`` on a cluster.

A completion never contains its stop sequence: every backend cuts at the first one, so extraction
code sees the same text whichever backend made it.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from mathlm.console import progress
from mathlm.errors import MathlmError

BackendName = Literal["hf", "vllm", "openai"]


@dataclass(frozen=True)
class SamplingSettings:
    """How to sample. ``temperature == 0`` is greedy decoding (then ``n`` must be 1)."""

    max_new_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 1.0
    n: int = 1
    seed: int = 0
    stop: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.temperature == 0 and self.n > 1:
            raise MathlmError("greedy decoding (temperature 0) gives one answer: use n=1, or a temperature > 0 "
                              "for majority voting (Llemma: MATH maj@256 at T=0.6, top-p 0.95)")

    def key(self) -> str:
        """A short stable hash, part of every generation cache key."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


class Backend(Protocol):
    """What the evaluator needs from an inference engine."""

    model_id: str

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[list[str]]:
        """``settings.n`` completions for each prompt, in prompt order, each cut before its first stop."""
        ...


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """``text`` up to (not including) the earliest stop sequence."""
    cut = len(text)
    for sequence in stop:
        index = text.find(sequence)
        if 0 <= index < cut:
            cut = index
    return text[:cut]


class HFBackend:
    """transformers ``generate`` with left padding, batched over prompts sorted by length."""

    def __init__(self, model: str | Path, batch_size: int = 8, dtype: str = "auto", device: str | None = None,
                 allow_download: bool = False) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        path = Path(model)
        if not path.exists() and not allow_download:
            raise MathlmError(f"model not found: {model}. Give a local checkpoint directory, or allow "
                              "downloading a hub id explicitly (--allow-download)")
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        torch_dtype = {"auto": torch.bfloat16 if self.device == "cuda" else torch.float32,
                       "bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[dtype]
        local_only = not allow_download
        self.tokenizer = AutoTokenizer.from_pretrained(str(model), local_files_only=local_only)
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(str(model), dtype=torch_dtype,
                                                          local_files_only=local_only).to(self.device).eval()
        self.model_id = str(path.resolve()) if path.exists() else str(model)
        self.batch_size = batch_size

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[list[str]]:
        import torch

        order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]), reverse=True)
        results: list[list[str]] = [[] for _ in prompts]
        with progress() as bar:
            task = bar.add_task("generating", total=len(prompts))
            for start in range(0, len(order), self.batch_size):
                batch = order[start:start + self.batch_size]
                encoded = self.tokenizer([prompts[i] for i in batch], return_tensors="pt", padding=True,
                                         add_special_tokens=True).to(self.device)
                torch.manual_seed(settings.seed + start)
                sampling: dict[str, Any] = ({"do_sample": True, "temperature": settings.temperature,
                                             "top_p": settings.top_p} if settings.temperature > 0
                                            else {"do_sample": False})
                stopping = [_StopOnStrings(self.tokenizer, settings.stop, encoded["input_ids"].shape[1])]
                with torch.inference_mode():
                    output = self.model.generate(
                        **encoded, max_new_tokens=settings.max_new_tokens, num_return_sequences=settings.n,
                        stopping_criteria=stopping if settings.stop else None,
                        pad_token_id=self.tokenizer.pad_token_id,
                        use_cache=True,  # checkpoints saved by training often say use_cache: false
                        **sampling)
                new_tokens = output[:, encoded["input_ids"].shape[1]:]
                texts = self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
                for offset, index in enumerate(batch):
                    chunk = texts[offset * settings.n:(offset + 1) * settings.n]
                    results[index] = [cut_at_stop(text, settings.stop) for text in chunk]
                bar.advance(task, len(batch))
        return results


class _StopOnStrings:
    """Per-sequence stop when a stop string appears in the last few generated tokens.

    transformers' own ``stop_strings`` precomputes tables over the whole vocabulary on every
    ``generate`` call (tens of seconds for a 49k vocabulary on a CPU); decoding a short tail of
    each sequence per step costs microseconds. Text is cut exactly afterwards by ``cut_at_stop``.
    """

    def __init__(self, tokenizer: Any, stop: Sequence[str], prompt_length: int, window: int = 16) -> None:
        self.tokenizer = tokenizer
        self.stop = tuple(stop)
        self.prompt_length = prompt_length
        self.window = window

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        tails = self.tokenizer.batch_decode(input_ids[:, max(self.prompt_length, input_ids.shape[1] - self.window):])
        return torch.tensor([any(s in tail for s in self.stop) for tail in tails], device=input_ids.device)


class VLLMBackend:
    """vLLM's offline engine (GPU clusters). Only imported when chosen."""

    def __init__(self, model: str | Path, tensor_parallel_size: int = 1, dtype: str = "auto",
                 gpu_memory_utilization: float = 0.9, max_model_len: int | None = None) -> None:
        try:
            from vllm import LLM
        except ImportError as err:
            raise MathlmError("the vllm backend needs vLLM: pip install 'mathlm[vllm]' (GPU machines)") from err
        self.model_id = str(Path(model).resolve()) if Path(model).exists() else str(model)
        self.llm = LLM(model=str(model), tensor_parallel_size=tensor_parallel_size, dtype=dtype,
                       gpu_memory_utilization=gpu_memory_utilization, max_model_len=max_model_len)

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[list[str]]:
        from vllm import SamplingParams

        params = SamplingParams(n=settings.n, temperature=settings.temperature, top_p=settings.top_p,
                                max_tokens=settings.max_new_tokens, stop=list(settings.stop) or None,
                                seed=settings.seed)
        outputs = self.llm.generate(list(prompts), params)
        return [[cut_at_stop(choice.text, settings.stop) for choice in output.outputs] for output in outputs]


class OpenAIBackend:
    """An OpenAI-compatible completions server (``vllm serve``, TGI, llama.cpp server...) by URL."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None, batch_size: int = 16,
                 timeout_s: float = 600.0, retries: int = 3) -> None:
        self.url = base_url.rstrip("/") + "/completions"
        self.model_id = f"{base_url.rstrip('/')}#{model}"
        self.model = model
        self.api_key = api_key
        self.batch_size = batch_size
        self.timeout_s = timeout_s
        self.retries = retries

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[list[str]]:
        results: list[list[str]] = []
        with progress() as bar:
            task = bar.add_task("generating", total=len(prompts))
            for start in range(0, len(prompts), self.batch_size):
                batch = list(prompts[start:start + self.batch_size])
                results += self._complete(batch, settings)
                bar.advance(task, len(batch))
        return results

    def _complete(self, prompts: list[str], settings: SamplingSettings) -> list[list[str]]:
        body = {"model": self.model, "prompt": prompts, "max_tokens": settings.max_new_tokens,
                "temperature": settings.temperature, "top_p": settings.top_p, "n": settings.n,
                "seed": settings.seed}
        if settings.stop:
            body["stop"] = list(settings.stop)
        reply = self._post(body)
        grouped: list[list[str]] = [[] for _ in prompts]
        for choice in sorted(reply["choices"], key=lambda c: c["index"]):
            grouped[choice["index"] // settings.n].append(cut_at_stop(choice["text"], settings.stop))
        return grouped

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=json.dumps(body).encode(), headers=headers)
        for attempt in range(self.retries + 1):
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as err:
                detail = err.read().decode(errors="replace")[:500]
                if err.code < 500 or attempt == self.retries:
                    raise MathlmError(f"{self.url} answered {err.code}: {detail}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
                if attempt == self.retries:
                    raise MathlmError(f"cannot reach {self.url}: {err}. Is the server running?") from None
            time.sleep(2 ** attempt)
        raise AssertionError("unreachable")


def make_backend(name: BackendName, model: str, **options: Any) -> Backend:
    """Build a backend by name; options are the backend's constructor arguments."""
    if name == "hf":
        return HFBackend(model, **options)
    if name == "vllm":
        return VLLMBackend(model, **options)
    if name == "openai":
        base_url = options.pop("base_url", None)
        if not base_url:
            raise MathlmError("the openai backend needs base_url (e.g. http://localhost:8000/v1)")
        return OpenAIBackend(base_url, model, **options)
    raise MathlmError(f"unknown backend {name!r}: choose hf, vllm or openai")
