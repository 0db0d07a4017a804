"""Running evaluations: the run directory, resuming from the generation cache, sharding + merging,
re-scoring without the model, and the real backends (HF on a tiny Llama, OpenAI API on loopback)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mathlm.eval.backends import HFBackend, OpenAIBackend, SamplingSettings
from mathlm.eval.config import EvalConfig
from mathlm.eval.runner import merge_shards, run_eval, score_run
from mathlm.eval.scoring import SampleResult
from mathlm.eval.tasks import get_task


class CannedBackend:
    """Answers every GSM8k prompt with a fixed chain of thought: right for even problem ids, wrong for odd.

    It stands in for the model only where the model is not what is tested (files, resume, shards);
    `fail_after` simulates a crash after that many prompts.
    """

    model_id = "canned"

    def __init__(self, fail_after: int | None = None) -> None:
        self.prompts_seen = 0
        self.fail_after = fail_after

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[list[str]]:
        from mathlm.benchmarks import load_benchmark

        answers = {r.problem: (i, r.answer) for i, r in enumerate(load_benchmark("gsm8k")[:20])}
        out = []
        for prompt in prompts:
            if self.fail_after is not None and self.prompts_seen >= self.fail_after:
                raise KeyboardInterrupt("simulated crash")
            self.prompts_seen += 1
            question = prompt.rsplit("Q: ", 1)[1].removesuffix("\nA:")
            index, answer = answers[question]
            value = answer if index % 2 == 0 else "0"
            out.append([f" Some reasoning. The answer is {value}."] * settings.n)
        return out


def config(tmp_path: Path, **overrides: object) -> EvalConfig:
    return EvalConfig(model="canned", tasks=["gsm8k"], limit=10, output=tmp_path / "run", cache_chunk=3,
                      **overrides)


def test_run_directory_and_scores(tmp_path: Path) -> None:
    summaries = run_eval(config(tmp_path, model_name="Llemma 7B"), backend=CannedBackend())
    assert summaries["gsm8k"]["maj@1"] == pytest.approx(0.5)
    run = tmp_path / "run"
    samples = [json.loads(line) for line in (run / "gsm8k" / "samples.jsonl").open()]
    assert [s["correct"] for s in samples] == [i % 2 == 0 for i in range(10)]
    assert samples[0]["answers"] == [samples[0]["reference"]]
    markdown = (run / "results.md").read_text()
    assert "| task | problems | n | maj@n correct | maj@n llemma |" in markdown
    assert "| gsm8k | 10 | 1 | 50.0 | 50.0 |" in markdown and "36.4 (Llemma 7B)" in markdown
    summary = json.loads((run / "summary.json").read_text())["gsm8k"]
    assert summary["llemma"]["maj@1"] == pytest.approx(0.5) and summary["invalid"] == 0.0


class HarnessDefectBackend(CannedBackend):
    """Right answers written the way the harness misread: thousands separators and decimals."""

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[list[str]]:
        from mathlm.benchmarks import load_benchmark

        answers = {r.problem: r.answer for r in load_benchmark("gsm8k")[:20]}
        return [[f" So it is. The answer is {int(answers[p.rsplit('Q: ', 1)[1].removesuffix(chr(10) + 'A:')]):,}.0."]
                for p in prompts]


def test_both_scoring_modes_side_by_side(tmp_path: Path) -> None:
    """The harness read 'The answer is (\\d+)': '70,000.0' became 70 and '3.0' stayed 3; ours reads both."""
    summaries = run_eval(config(tmp_path), backend=HarnessDefectBackend())
    correct, llemma = summaries["gsm8k"]["maj@1"], summaries["gsm8k"]["llemma"]["maj@1"]
    assert correct == 1.0
    small = [int(r.answer.replace(",", "")) < 1000 for r in get_task("gsm8k").records(10)]
    assert 0 < sum(small) < 10 and llemma == pytest.approx(sum(small) / 10)


class FlakyBackend(CannedBackend):
    """Per-prompt results as the inference layer reports them: prompt 1 is over-long, prompt 2's value has a
    lone surrogate."""

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[object]:
        from types import SimpleNamespace

        outputs = super().generate(prompts, settings)
        results = []
        for prompt, completions in zip(prompts, outputs):
            if "Q: " + self.over_long in prompt:
                results.append(SimpleNamespace(completions=(), error="prompt too long: 5000 tokens > 4096"))
            else:
                results.append(SimpleNamespace(completions=tuple(c + "\udcff" for c in completions), error=None))
        return results


def test_per_prompt_errors_are_invalid_samples_and_odd_text_is_written(tmp_path: Path) -> None:
    from mathlm.benchmarks import load_benchmark

    backend = FlakyBackend()
    backend.over_long = load_benchmark("gsm8k")[1].problem
    summaries = run_eval(config(tmp_path), backend=backend)
    samples = [json.loads(line) for line in (tmp_path / "run" / "gsm8k" / "samples.jsonl").open()]
    assert samples[1]["generations"] == [] and samples[1]["errors"] == ["prompt too long: 5000 tokens > 4096"]
    assert not samples[1]["correct"] and summaries["gsm8k"]["invalid"] == pytest.approx(0.1)
    assert samples[0]["correct"]  # the other prompts ran; the surrogate became a replacement character


def test_rescore_never_truncates_samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``mathlm eval score`` rewrites samples.jsonl atomically: a failure while writing leaves the old file
    whole (it used to be opened for writing first, and a crash on line 2 left 1 line)."""
    run_eval(config(tmp_path), backend=CannedBackend())
    samples = tmp_path / "run" / "gsm8k" / "samples.jsonl"
    before = samples.read_text()
    calls = []
    original = SampleResult.to_json

    def failing_to_json(self: SampleResult) -> dict:
        calls.append(1)
        if len(calls) == 2:
            raise UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed")
        return original(self)

    monkeypatch.setattr(SampleResult, "to_json", failing_to_json)
    with pytest.raises(UnicodeEncodeError):
        score_run(tmp_path / "run")
    assert samples.read_text() == before
    assert not list(samples.parent.glob(".*.tmp"))


def test_interrupted_run_resumes_without_regenerating(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        run_eval(config(tmp_path), backend=CannedBackend(fail_after=7))
    backend = CannedBackend()
    run_eval(config(tmp_path), backend=backend)
    assert backend.prompts_seen == 10 - 6  # two chunks of 3 were saved before the crash


def test_shards_merge_to_the_unsharded_result(tmp_path: Path) -> None:
    whole = run_eval(config(tmp_path / "whole"), backend=CannedBackend())
    cfg = config(tmp_path / "sharded")
    for index in range(3):
        run_eval(cfg, shard=(index, 3), backend=CannedBackend())
    merged = merge_shards(cfg.output)
    assert merged == whole
    ids = [json.loads(line)["doc_id"] for line in (cfg.output / "gsm8k" / "samples.jsonl").open()]
    assert ids == [str(i) for i in range(10)]


def test_rescore_without_the_model(tmp_path: Path) -> None:
    first = run_eval(config(tmp_path), backend=CannedBackend())
    assert score_run(tmp_path / "run") == first


def test_hf_backend_greedy_is_deterministic_and_stops(tiny_llama: Path) -> None:
    backend = HFBackend(tiny_llama, batch_size=2)
    prompts = ["Problem:\n1+1\n\nSolution:", "Q: what?\nA:", "Q: a longer question than the others?\nA:"]
    settings = SamplingSettings(max_new_tokens=12, stop=("\n",))
    first = backend.generate(prompts, settings)
    assert first == backend.generate(prompts, settings)
    assert all(len(c) == 1 and "\n" not in c[0] for c in first)


def test_hf_backend_sampling_gives_n_completions(tiny_llama: Path) -> None:
    backend = HFBackend(tiny_llama, batch_size=4)
    settings = SamplingSettings(max_new_tokens=8, temperature=1.0, top_p=0.95, n=3, seed=1)
    out = backend.generate(["Q: one\nA:", "Q: two\nA:"], settings)
    assert [len(c) for c in out] == [3, 3]
    assert out == backend.generate(["Q: one\nA:", "Q: two\nA:"], settings)  # seeded


@pytest.fixture
def completions_server(tiny_llama: Path) -> Iterator[str]:
    """A real OpenAI-style /v1/completions server on loopback, answering with the tiny model."""
    backend = HFBackend(tiny_llama)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            settings = SamplingSettings(max_new_tokens=body["max_tokens"], temperature=body["temperature"],
                                        top_p=body["top_p"], n=body["n"], stop=tuple(body.get("stop", ())))
            outputs = backend.generate(body["prompt"], settings)
            choices = [{"index": i * body["n"] + j, "text": text}
                       for i, texts in enumerate(outputs) for j, text in enumerate(texts)]
            payload = json.dumps({"choices": choices[::-1]}).encode()  # out of order, as servers may send
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_openai_backend_against_a_loopback_server(completions_server: str, tiny_llama: Path) -> None:
    settings = SamplingSettings(max_new_tokens=6, stop=("\n",))
    prompts = ["Q: one\nA:", "Q: two\nA:", "Q: three\nA:"]
    remote = OpenAIBackend(completions_server, model="tiny", batch_size=2).generate(prompts, settings)
    local = HFBackend(tiny_llama).generate(prompts, settings)
    assert remote == local


def test_openai_backend_unreachable_server_is_a_clear_error() -> None:
    from mathlm.errors import MathlmError

    backend = OpenAIBackend("http://127.0.0.1:9/v1", model="x", retries=0)
    with pytest.raises(MathlmError, match="cannot reach .* Is the server running"):
        backend.generate(["hi"], SamplingSettings(max_new_tokens=1))
