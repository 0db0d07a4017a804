"""HFBackend on a tiny random Llama with SmolLM2's tokenizer: stop strings, sampling, the shared-prefix
cache (same outputs as a plain batched ``generate``, less computed), per-prompt errors, left truncation,
beam search and mean token log-prob scoring."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from mathlm.inference import HFBackend, SamplingSettings
from mathlm.inference.loading import Lazy

FEW_SHOT = "".join(f"Q: what is {a} plus {a}?\nA: {2 * a}\n\n" for a in range(1, 9))
QUESTIONS = ["Q: what is 20 plus 20?\nA:", "Q: how many legs does a cat have?\nA:", "Q: 3 + 4?\nA:"]


def plain_generate(backend: HFBackend, prompts: list[str], settings: SamplingSettings) -> list[str]:
    """What an eval script writes: one left-padded batch through ``model.generate``, cut afterwards."""
    import torch

    from mathlm.inference import cut_at_stop

    encoded = backend.tokenizer(prompts, return_tensors="pt", padding=True)
    with torch.inference_mode():
        output = backend.model.generate(
            **encoded,
            max_new_tokens=settings.max_new_tokens,
            do_sample=False,
            pad_token_id=backend.tokenizer.pad_token_id,
        )
    texts = backend.tokenizer.batch_decode(
        output[:, encoded["input_ids"].shape[1] :], skip_special_tokens=True
    )
    return [cut_at_stop(text, settings.stop) for text in texts]


def texts(results: list) -> list[str]:
    assert all(r.ok for r in results), [r.error for r in results]
    return [r.completions[0] for r in results]


def test_greedy_is_deterministic_and_stops(tiny_llama: Path) -> None:
    backend = HFBackend(tiny_llama, batch_size=2)
    prompts = ["Problem:\n1+1\n\nSolution:", "Q: what?\nA:", "Q: a longer question than the others?\nA:"]
    settings = SamplingSettings(max_new_tokens=12, stop=("\n",))
    first = backend.generate(prompts, settings)
    assert first == backend.generate(prompts, settings)
    assert all(r.ok and len(r.completions) == 1 and "\n" not in r.completions[0] for r in first)


def test_sampling_gives_n_seeded_completions(tiny_llama: Path) -> None:
    backend = HFBackend(tiny_llama, batch_size=4)
    settings = SamplingSettings(max_new_tokens=8, temperature=1.0, top_p=0.95, n=3, seed=1)
    prompts = [FEW_SHOT + q for q in QUESTIONS[:2]]
    out = backend.generate(prompts, settings)
    assert [len(r.completions) for r in out] == [3, 3]
    assert out == backend.generate(prompts, settings)
    assert len(set(out[0].completions)) > 1  # n real samples, not one repeated


@pytest.mark.parametrize("stop", [(), ("\n",)])
def test_shared_prefix_gives_the_outputs_of_a_plain_batched_generate(
    tiny_llama: Path, stop: tuple[str, ...]
) -> None:
    backend = HFBackend(tiny_llama, batch_size=8)
    prompts = [FEW_SHOT + q for q in QUESTIONS]
    settings = SamplingSettings(max_new_tokens=10, stop=stop)
    assert texts(backend.generate(prompts, settings)) == plain_generate(backend, prompts, settings)


def test_shared_prefix_is_computed_once_across_calls(tiny_llama: Path) -> None:
    backend = HFBackend(tiny_llama, batch_size=8)
    settings = SamplingSettings(max_new_tokens=2)
    seen: list[int] = []
    backend.model.register_forward_pre_hook(
        lambda _, args, kwargs: seen.append(kwargs["input_ids"].shape[1]), with_kwargs=True
    )
    backend.generate([FEW_SHOT + q for q in QUESTIONS[:2]], settings)
    first_call = list(seen)
    seen.clear()
    backend.generate([FEW_SHOT + QUESTIONS[2]], settings)
    prefix_tokens = len(backend.tokenizer(FEW_SHOT)["input_ids"])
    assert max(first_call) >= prefix_tokens - 1  # the first call computes the few-shot prefix once...
    assert max(seen) < prefix_tokens // 4  # ...the second only its own question


def test_a_kept_prefix_longer_than_the_next_calls_is_cut_back(tiny_llama: Path) -> None:
    """Call 1 shares "FEW_SHOT + Q: what is", call 2 only FEW_SHOT: the kept cache is cut, not recomputed."""
    backend = HFBackend(tiny_llama)
    settings = SamplingSettings(max_new_tokens=4)
    backend.generate([FEW_SHOT + "Q: what is 5 plus 5?\nA:", FEW_SHOT + "Q: what is 6 plus 6?\nA:"], settings)
    prompts = [FEW_SHOT + QUESTIONS[1], FEW_SHOT + QUESTIONS[2]]
    seen: list[int] = []
    backend.model.register_forward_pre_hook(
        lambda _, args, kwargs: seen.append(kwargs["input_ids"].shape[1]), with_kwargs=True
    )
    ours = texts(backend.generate(prompts, settings))
    assert max(seen) < len(backend.tokenizer(FEW_SHOT)["input_ids"]) // 4
    assert ours == plain_generate(backend, prompts, settings)


def test_over_long_prompt_is_that_prompts_error(tiny_llama: Path) -> None:
    backend = HFBackend(tiny_llama, context_length=64)
    long = "Q: " + "tell me more " * 40 + "\nA:"
    results = backend.generate(["Q: hi\nA:", long, "Q: two\nA:"], SamplingSettings(max_new_tokens=8))
    assert [r.ok for r in results] == [True, False, True]
    assert "prompt too long" in results[1].error and "context length 64" in results[1].error
    assert results[0].completions[0] and results[2].completions[0] is not None


def test_left_truncation_keeps_the_last_tokens(tiny_llama: Path) -> None:
    import torch

    backend = HFBackend(tiny_llama, context_length=64)
    long = "Q: " + "tell me more " * 40 + "\nA:"
    settings = SamplingSettings(max_new_tokens=8, truncate_prompt=True)
    [result] = backend.generate([long], settings)
    ids = backend.tokenizer(long)["input_ids"]
    assert result.ok and result.prompt_tokens_dropped == len(ids) - (64 - 8)
    kept = torch.tensor([ids[-(64 - 8) :]])
    with torch.inference_mode():
        output = backend.model.generate(
            input_ids=kept,
            attention_mask=torch.ones_like(kept),
            max_new_tokens=8,
            do_sample=False,
            pad_token_id=backend.tokenizer.pad_token_id,
        )
    assert result.completions[0] == backend.tokenizer.decode(
        output[0, kept.shape[1] :], skip_special_tokens=True
    )


def test_beam_search_returns_n_sequences(tiny_llama: Path) -> None:
    backend = HFBackend(tiny_llama)
    [result] = backend.generate(
        [FEW_SHOT + QUESTIONS[0]], SamplingSettings(max_new_tokens=6, n=4, beam_search=True)
    )
    assert len(result.completions) == 4 and len(set(result.completions)) == 4


def test_score_is_the_mean_token_logprob_of_a_full_forward_pass(tiny_llama: Path) -> None:
    """The cached-prefix scorer must agree with scoring prompt + continuation in one plain pass."""
    import torch

    backend = HFBackend(tiny_llama)
    prompt = FEW_SHOT + QUESTIONS[0]
    continuations = [" 40", " forty, I think", ""]
    scores = backend.score(prompt, continuations)
    assert scores[2] == float("-inf")
    for continuation, value in zip(continuations[:2], scores, strict=False):
        prompt_ids = backend.tokenizer(prompt)["input_ids"]
        ids = backend.tokenizer(continuation, add_special_tokens=False)["input_ids"]
        with torch.inference_mode():
            logprobs = backend.model(input_ids=torch.tensor([prompt_ids + ids])).logits[0].log_softmax(-1)
        expected = sum(float(logprobs[len(prompt_ids) - 1 + j, t]) for j, t in enumerate(ids)) / len(ids)
        assert value == pytest.approx(expected, abs=1e-4)


def test_the_model_loads_on_first_use_once(tiny_llama: Path, tmp_path: Path) -> None:
    from mathlm.errors import MathlmError

    with pytest.raises(MathlmError, match="model not found"):
        HFBackend(tmp_path / "missing")
    backend = HFBackend(tiny_llama)
    assert backend.model_id == str(tiny_llama.resolve())
    calls = []
    lazy = Lazy(lambda: calls.append(1) or len(calls))
    threads = [threading.Thread(target=lazy.get) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert lazy.get() == 1 and calls == [1]
