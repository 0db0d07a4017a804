"""Running evaluations: the run directory, resuming from the generation cache, sharding + merging,
re-scoring without the model. The backends themselves are tested in tests/inference."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from mathlm.eval.config import EvalConfig
from mathlm.eval.runner import merge_shards, run_eval, score_run
from mathlm.eval.scoring import SampleResult
from mathlm.eval.tasks import get_task
from mathlm.inference import PromptResult, SamplingSettings


class CannedBackend:
    """Answers every GSM8k prompt with a fixed chain of thought: right for even problem ids, wrong for odd.

    It stands in for the model only where the model is not what is tested (files, resume, shards);
    `fail_after` simulates a crash after that many prompts.
    """

    model_id = "canned"

    def __init__(self, fail_after: int | None = None) -> None:
        self.prompts_seen = 0
        self.fail_after = fail_after

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[PromptResult]:
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
            out.append(PromptResult((f" Some reasoning. The answer is {value}.",) * settings.n))
        return out


def config(tmp_path: Path, **overrides: object) -> EvalConfig:
    return EvalConfig(
        model="canned", tasks=["gsm8k"], limit=10, output=tmp_path / "run", cache_chunk=3, **overrides
    )


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

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[PromptResult]:
        from mathlm.benchmarks import load_benchmark

        answers = {r.problem: r.answer for r in load_benchmark("gsm8k")[:20]}
        return [
            PromptResult(
                (
                    f" So it is. The answer is {int(answers[p.rsplit('Q: ', 1)[1].removesuffix(chr(10) + 'A:')]):,}.0.",
                )
            )
            for p in prompts
        ]


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

    def generate(self, prompts: Sequence[str], settings: SamplingSettings) -> list[PromptResult]:
        outputs = super().generate(prompts, settings)
        results = []
        for prompt, output in zip(prompts, outputs):
            if "Q: " + self.over_long in prompt:
                results.append(PromptResult((), error="prompt too long: 5000 tokens > 4096"))
            else:
                results.append(PromptResult(tuple(c + "\udcff" for c in output.completions)))
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
