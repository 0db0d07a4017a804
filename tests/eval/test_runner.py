"""Running evaluations: the run directory, resuming from the generation cache, sharding + merging,
re-scoring without the model. The backends themselves are tested in tests/inference."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from mathlm.eval.runner import EvalConfig, merge_shards, run_eval, score_run
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
    assert "| gsm8k | 10 | 50.0 |" in markdown and "36.4 (Llemma 7B)" in markdown


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
