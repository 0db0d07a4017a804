"""Loading models once, when first used.

Building a backend must be cheap: an evaluation whose generations are all cached, a ``--help``, or a
config check should not wait for (or need) the weights. :class:`Lazy` runs a loader on first use,
once, also when several threads (proof-search workers) ask together; :func:`load_causal_lm` is the
one place a Hugging Face checkpoint is loaded for inference.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from mathlm.errors import MathlmError

T = TypeVar("T")


class Lazy(Generic[T]):
    """``loader()``'s result, computed on the first :meth:`get` and kept."""

    def __init__(self, loader: Callable[[], T]) -> None:
        self._loader = loader
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        if self._value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._loader()
        return self._value


@dataclass(frozen=True)
class LoadedModel:
    """A causal LM ready for inference: the model in eval mode on ``device`` and its tokenizer."""

    model: Any
    tokenizer: Any
    device: str


def check_model_path(model: str | Path, allow_download: bool) -> str:
    """The model's id in results (the resolved directory, or the hub id); a clear error when a local
    directory is missing and downloading was not allowed."""
    path = Path(model).expanduser()
    if path.exists():
        return str(path.resolve())
    if not allow_download:
        raise MathlmError(
            f"model not found: {model}. Give a local checkpoint directory, or allow "
            "downloading a hub id explicitly (--allow-download)"
        )
    return str(model)


def load_causal_lm(
    model: str | Path, dtype: str = "auto", device: str | None = None, allow_download: bool = False
) -> LoadedModel:
    """A transformers causal LM and its tokenizer, padding on the left (batched generation appends
    on the right), with a pad token (the end-of-sequence one when the tokenizer has none)."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    dtypes = {
        "auto": torch.bfloat16 if device.startswith("cuda") else torch.float32,
        "bf16": torch.bfloat16,
        "fp16": torch.float16,
        "fp32": torch.float32,
    }
    if dtype not in dtypes:
        raise MathlmError(f"unknown dtype {dtype!r}: choose one of {', '.join(dtypes)}")
    source = str(Path(model).expanduser()) if Path(model).expanduser().exists() else str(model)
    local_only = not allow_download
    tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local_only)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    loaded = AutoModelForCausalLM.from_pretrained(source, dtype=dtypes[dtype], local_files_only=local_only)
    return LoadedModel(loaded.to(device).eval(), tokenizer, device)
