"""The quickstart's evaluation stage: the continued-pretrained SmolLM2 on a few real test problems.

It runs ``configs/eval/smollm2_cpu.yaml`` (two GSM8k and two MATH test problems, greedy, short answers,
and one GSM8k+Python problem whose program, written by the model, runs in the sandbox) on the train
stage's checkpoint, exported to a Hugging Face directory first; without a train stage it evaluates the
original SmolLM2-135M. A 135M model solves few of these: the stage shows the whole evaluation path
(prompts, generation, extraction, equivalence, sandbox, results files) working on a real model.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from mathlm.assets import CONFIGS_DIR
from mathlm.config import load_config
from mathlm.eval.config import EvalConfig
from mathlm.eval.runner import run_eval
from mathlm.io import read_jsonl

QUICKSTART_EVAL_CONFIG = CONFIGS_DIR / "eval" / "smollm2_cpu.yaml"


def quickstart_model(checkpoint: str | Path | None, workdir: Path) -> tuple[Path, str]:
    """The model to evaluate and its label: the training checkpoint exported to ``workdir/model``, else
    the original SmolLM2-135M when the train stage did not run."""
    from mathlm.inference.pretrained import smollm2_hf_checkpoint

    if checkpoint is None:
        return smollm2_hf_checkpoint(), "SmolLM2-135M (original: the train stage did not run)"
    from mathlm.pretrain.export import export_hf

    target = workdir / "model"
    shutil.rmtree(target, ignore_errors=True)  # this stage's own export of an earlier run
    export_hf(Path(checkpoint), target)
    return target, f"SmolLM2-135M continued-pretrained ({Path(checkpoint).name})"


def eval_quickstart(checkpoint: str | Path | None, workdir: Path) -> dict[str, Any]:
    """Evaluate and return the numbers of the quickstart summary: accuracy per task, problems, seconds."""
    start = time.perf_counter()
    model, label = quickstart_model(checkpoint, workdir)
    cfg = load_config(QUICKSTART_EVAL_CONFIG, EvalConfig, [f"model={model}", f"output={workdir / 'run'}"])
    summaries = run_eval(cfg)
    programs = list(read_jsonl(cfg.output / "gsm8k_python" / "samples.jsonl"))
    return {
        "model": label,
        **{
            f"{task} accuracy %": round(100 * summary.get("maj@1", 0.0), 1)
            for task, summary in summaries.items()
        },
        "problems": sum(summary["samples"] for summary in summaries.values()),
        "programs run ok": sum(error is None for sample in programs for error in sample["errors"]),
        "seconds": round(time.perf_counter() - start, 1),
        "results": str(cfg.output / "results.md"),
        "summaries": summaries,
    }
