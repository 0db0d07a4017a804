"""Stop strings, safe text, and the settings' cache key."""

from __future__ import annotations

import hashlib
import json

import pytest

from mathlm.errors import MathlmError
from mathlm.inference import PromptResult, SamplingSettings, cut_at_stop, prompt_budget, safe_text


def test_cut_at_the_earliest_stop() -> None:
    assert cut_at_stop("a\n\nQ: b---c", ("---", "\n\nQ:")) == "a"
    assert cut_at_stop("no stop here", ("---",)) == "no stop here"
    assert cut_at_stop("keep", ("",)) == "keep"  # an empty stop string would cut everything


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (
            "caf\u00e9 \ud800 end",
            "caf\u00e9 \ufffd end",
        ),  # a lone surrogate, as json.loads gives for "\ud800"
        (json.loads('"\\udfff\\ud83d\\ude00"'), "\ufffd\U0001f600"),  # a lone low one, then a valid pair
        (None, ""),
        (b"bytes \xff", "bytes \ufffd"),
        (42, "42"),
        ({"a": ["\ud800"]}, '{"a": ["\ufffd"]}'),
    ],
)
def test_safe_text_is_always_writable_utf8(value: object, text: str) -> None:
    assert safe_text(value) == text
    safe_text(value).encode("utf-8")  # the point: writing it never raises


def test_cache_key_of_old_settings_is_unchanged() -> None:
    """Generation caches written before truncate_prompt/beam_search/logprobs existed stay valid."""
    settings = SamplingSettings(max_new_tokens=256, temperature=0.6, top_p=0.95, n=4, seed=3, stop=("\n\n",))
    old_fields = {
        "max_new_tokens": 256,
        "temperature": 0.6,
        "top_p": 0.95,
        "n": 4,
        "seed": 3,
        "stop": ["\n\n"],
    }
    assert settings.key() == hashlib.sha256(json.dumps(old_fields, sort_keys=True).encode()).hexdigest()[:16]
    truncated = SamplingSettings(
        max_new_tokens=256, temperature=0.6, top_p=0.95, n=4, seed=3, stop=("\n\n",), truncate_prompt=True
    )
    assert truncated.key() != settings.key()


def test_settings_refuse_contradictions() -> None:
    with pytest.raises(MathlmError, match="greedy decoding"):
        SamplingSettings(n=2)
    with pytest.raises(MathlmError, match="beam search"):
        SamplingSettings(n=2, temperature=0.7, beam_search=True)
    assert SamplingSettings(n=4, beam_search=True).n == 4


def test_prompt_budget_follows_the_harness() -> None:
    keep = SamplingSettings(max_new_tokens=100)
    cut = SamplingSettings(max_new_tokens=100, truncate_prompt=True)
    assert prompt_budget(924, keep, 1024) == (0, None)
    drop, error = prompt_budget(1000, keep, 1024)
    assert drop == 0 and error is not None and "1000 prompt tokens" in error
    assert prompt_budget(1000, cut, 1024) == (76, None)  # keeps the last 1024 - 100 tokens
    assert prompt_budget(10, SamplingSettings(max_new_tokens=2000, truncate_prompt=True), 1024)[1] is not None


def test_failed_result_has_no_completions() -> None:
    failed = PromptResult.failed("too long")
    assert not failed.ok and failed.completions == () and PromptResult(("x",)).ok


def test_vllm_backend_is_imported_on_first_use_only() -> None:
    """vLLM is not installed on CPU machines: building the backend (e.g. to check a config) must work,
    and its first use must say what to install."""
    import importlib.util

    from mathlm.inference import VLLMBackend, make_backend

    backend = make_backend("vllm", "/ckpt/llemma_7b", tensor_parallel_size=2)
    assert isinstance(backend, VLLMBackend) and backend.model_id == "/ckpt/llemma_7b"
    if importlib.util.find_spec("vllm") is None:
        with pytest.raises(MathlmError, match=r"needs vLLM: pip install 'mathlm\[vllm\]'"):
            backend.generate(["hi"], SamplingSettings(max_new_tokens=1))
