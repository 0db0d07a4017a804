"""One inference layer for evaluation and proof search: a small :class:`Backend` interface, engines
registered by name (``hf``, ``vllm``, ``openai``), stop strings, lazy model loading, per-prompt errors,
left truncation and mean token log-prob scoring. It imports nothing above the bottom layer.
"""

from mathlm.inference import hf, openai_api, vllm_engine  # noqa: F401  (each registers its backend)
from mathlm.inference.base import Backend, PromptResult, SamplingSettings, prompt_budget
from mathlm.inference.hf import HFBackend
from mathlm.inference.openai_api import OpenAIBackend
from mathlm.inference.registry import BACKENDS, make_backend
from mathlm.inference.text import cut_at_stop, safe_text
from mathlm.inference.vllm_engine import VLLMBackend

__all__ = [
    "BACKENDS",
    "Backend",
    "HFBackend",
    "OpenAIBackend",
    "PromptResult",
    "SamplingSettings",
    "VLLMBackend",
    "cut_at_stop",
    "make_backend",
    "prompt_budget",
    "safe_text",
]
