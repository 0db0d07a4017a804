"""Tactic proposers: the published few-shot prompt, HF generation (beam search and seeded sampling) and
mean token log-prob scoring on a tiny random Llama with SmolLM2's real tokenizer, and the OpenAI-
compatible client against a loopback HTTP server that answers like `vllm serve`."""

from __future__ import annotations

import json
import math
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mathlm.assets import PROMPTS_DIR
from mathlm.theorem_proving.prompt import load_tactic_prompt
from mathlm.theorem_proving.proposer import HFTacticProposer, OpenAITacticProposer, distinct_candidates

STATE = "a b : ℕ\nh : a = b\n⊢ b = a"


def test_prompt_is_the_published_one() -> None:
    prompt = load_tactic_prompt()
    published = json.loads((PROMPTS_DIR / "lean4_tactic_fewshot.json").read_text(encoding="utf-8"))["prompt_text"]
    assert prompt.render(STATE) == published.replace("{state}", STATE)
    assert prompt.render(STATE).endswith(f"Tactic state:\n---\n{STATE}\n---\nNext tactic:\n---")
    assert prompt.stop == ("---",)


@pytest.fixture(scope="module")
def tiny_model(smollm2_checkpoint: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random Llama with SmolLM2's tokenizer files (fast on CPU, real tokenization)."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    path = tmp_path_factory.mktemp("tiny_tactic_model")
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=49152, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024)
    LlamaForCausalLM(config).save_pretrained(path, safe_serialization=True)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        if (smollm2_checkpoint / name).is_file():
            shutil.copy(smollm2_checkpoint / name, path / name)
    return path


def test_beam_candidates_are_distinct_cut_at_the_stop_and_sorted_by_mean_logprob(tiny_model: Path) -> None:
    proposer = HFTacticProposer(tiny_model, load_tactic_prompt(), n=4, max_new_tokens=12)
    candidates = proposer.propose(STATE)
    assert 1 <= len(candidates) <= 4
    assert len({c.tactic for c in candidates}) == len(candidates)
    assert all("---" not in c.tactic and c.tactic == c.tactic.strip() for c in candidates)
    scores = [c.score for c in candidates]
    assert scores == sorted(scores, reverse=True) and all(s <= 0 or s == -math.inf for s in scores)


def test_score_is_the_mean_token_logprob_of_a_full_forward_pass(tiny_model: Path) -> None:
    """The cached-prefix scorer must agree with scoring prompt + completion in one plain pass."""
    import torch

    proposer = HFTacticProposer(tiny_model, load_tactic_prompt(), n=2, max_new_tokens=8)
    prompt = proposer.prompt.render(STATE)
    completions = ["\nexact h.symm", "\nsimp [Nat.add_comm] at h ⊢"]
    fast = proposer.score(prompt, completions)
    for completion, value in zip(completions, fast, strict=True):
        prompt_ids = proposer.tokenizer(prompt)["input_ids"]
        ids = proposer.tokenizer(completion, add_special_tokens=False)["input_ids"]
        with torch.inference_mode():
            logprobs = proposer.model(input_ids=torch.tensor([prompt_ids + ids])).logits[0].log_softmax(-1)
        expected = sum(float(logprobs[len(prompt_ids) - 1 + j, t]) for j, t in enumerate(ids)) / len(ids)
        assert value == pytest.approx(expected, abs=1e-4)


def test_sampling_is_reproducible_with_a_seed(tiny_model: Path) -> None:
    def make() -> HFTacticProposer:
        return HFTacticProposer(tiny_model, load_tactic_prompt(), n=3, temperature=1.0, max_new_tokens=8, seed=7)

    assert make().propose(STATE) == make().propose(STATE)


def test_duplicates_keep_their_best_score() -> None:
    candidates = distinct_candidates([" simp", "simp ", "ring"], [-2.0, -1.0, -1.5])
    assert [(c.tactic, c.score) for c in candidates] == [("simp", -1.0), ("ring", -1.5)]


@pytest.fixture
def completions_server() -> Iterator[tuple[str, list[dict]]]:
    """A loopback server answering /v1/completions like vLLM's, recording each request body."""
    requests: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            requests.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            choices = [
                {"index": 0, "text": "\nexact h.symm\n", "logprobs": {"token_logprobs": [-0.5, -0.1, -0.3]}},
                {"index": 1, "text": "\nlinarith", "logprobs": {"token_logprobs": [-1.0, -2.0]}},
                {"index": 2, "text": "\nexact h.symm", "logprobs": {"token_logprobs": [-3.0]}},
            ]
            body = json.dumps({"choices": choices}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/v1", requests
    server.shutdown()


def test_openai_proposer_asks_for_logprobs_and_scores_by_their_mean(completions_server) -> None:
    url, requests = completions_server
    proposer = OpenAITacticProposer(url, "llemma_7b", load_tactic_prompt(), n=3, temperature=0.7)
    candidates = proposer.propose(STATE)
    assert [(c.tactic, round(c.score, 4)) for c in candidates] == [("exact h.symm", -0.3), ("linarith", -1.5)]
    sent = requests[0]
    assert sent["prompt"] == load_tactic_prompt().render(STATE)
    assert sent["n"] == 3 and sent["logprobs"] == 1 and sent["stop"] == ["---"] and sent["model"] == "llemma_7b"
