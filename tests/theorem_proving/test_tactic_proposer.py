"""Tactic proposers: the published few-shot prompt, HF generation (beam search and seeded sampling) with
mean token log-prob scores on a tiny random Llama with SmolLM2's real tokenizer, and the OpenAI-compatible
backend against the loopback fake server answering like `vllm serve` (the scorer itself is tested in
tests/inference)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from mathlm.assets import PROMPTS_DIR
from mathlm.inference import HFBackend, OpenAIBackend
from mathlm.theorem_proving.prompt import load_tactic_prompt
from mathlm.theorem_proving.proposer import ModelTacticProposer, distinct_candidates
from tests.support.openai_server import choices_reply, fake_completions_server
from tests.support.tiny_models import save_tiny_llama

STATE = "a b : ℕ\nh : a = b\n⊢ b = a"


def test_prompt_is_the_published_one() -> None:
    prompt = load_tactic_prompt()
    published = json.loads((PROMPTS_DIR / "lean4_tactic_fewshot.json").read_text(encoding="utf-8"))[
        "prompt_text"
    ]
    assert prompt.render(STATE) == published.replace("{state}", STATE)
    assert prompt.render(STATE).endswith(f"Tactic state:\n---\n{STATE}\n---\nNext tactic:\n---")
    assert prompt.stop == ("---",)


@pytest.fixture(scope="module")
def tiny_model(smollm2_checkpoint: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random Llama with SmolLM2's tokenizer files (fast on CPU, real tokenization)."""
    return save_tiny_llama(
        tmp_path_factory.mktemp("tiny_tactic_model"), smollm2_checkpoint, max_positions=1024
    )


def hf_proposer(model: Path, **options: object) -> ModelTacticProposer:
    return ModelTacticProposer(HFBackend(model), load_tactic_prompt(), **options)


def test_beam_candidates_are_distinct_cut_at_the_stop_and_sorted_by_mean_logprob(tiny_model: Path) -> None:
    proposer = hf_proposer(tiny_model, n=4, max_new_tokens=12)
    candidates = proposer.propose(STATE)
    assert 1 <= len(candidates) <= 4
    assert len({c.tactic for c in candidates}) == len(candidates)
    assert all("---" not in c.tactic and c.tactic == c.tactic.strip() for c in candidates)
    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True) and all(s <= 0 or s == -math.inf for s in scores)


def test_candidate_scores_are_the_backends_mean_token_logprobs(tiny_model: Path) -> None:
    proposer = hf_proposer(tiny_model, n=3, max_new_tokens=8)
    candidates = proposer.propose(STATE)
    prompt = load_tactic_prompt().render(STATE)
    expected = proposer.backend.score(prompt, ["\n" + c.tactic for c in candidates])
    assert [c.score for c in candidates] == pytest.approx(expected, abs=1e-5)


def test_a_state_too_long_for_the_context_gets_no_candidates_and_a_counted_reason(tiny_model: Path) -> None:
    proposer = hf_proposer(tiny_model, n=2, max_new_tokens=8)
    assert proposer.propose("x : ℕ\n" * 400 + "⊢ x = x") == []
    [(reason, count)] = proposer.failures.items()
    assert "prompt too long" in reason and count == 1


def test_sampling_is_reproducible_with_a_seed(tiny_model: Path) -> None:
    def make() -> ModelTacticProposer:
        return hf_proposer(tiny_model, n=3, temperature=1.0, max_new_tokens=8, seed=7)

    assert make().propose(STATE) == make().propose(STATE)


def test_duplicates_keep_their_best_score() -> None:
    candidates = distinct_candidates([" simp", "simp ", "ring"], [-2.0, -1.0, -1.5])
    assert [(c.tactic, c.score) for c in candidates] == [("simp", -1.0), ("ring", -1.5)]


def test_openai_proposer_asks_for_logprobs_and_scores_by_their_mean() -> None:
    texts = [["\nexact h.symm\n", "\nlinarith", "\nexact h.symm"]]
    logprobs = [[[-0.5, -0.1, -0.3], [-1.0, -2.0], [-3.0]]]
    with fake_completions_server(lambda body: (200, choices_reply(texts, logprobs))) as server:
        backend = OpenAIBackend(server.url, "llemma_7b")
        candidates = ModelTacticProposer(backend, load_tactic_prompt(), n=3, temperature=0.7).propose(STATE)
    assert [(c.tactic, round(c.score, 4)) for c in candidates] == [("exact h.symm", -0.3), ("linarith", -1.5)]
    [sent] = server.requests
    assert sent["prompt"] == [load_tactic_prompt().render(STATE)]
    assert (
        sent["n"] == 3 and sent["logprobs"] == 1 and sent["stop"] == ["---"] and sent["model"] == "llemma_7b"
    )
