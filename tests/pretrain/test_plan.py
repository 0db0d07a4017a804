"""`mathlm train plan`: per-GPU memory of a run, checked against measured peak memory on CPU.

The measurement runs the trainer in a fresh process with glibc told to return freed memory at once
(``MALLOC_MMAP_THRESHOLD_``/``MALLOC_TRIM_THRESHOLD_``), so that the peak resident set follows the bytes
actually live, as a GPU allocator's peak-allocated counter does; the plan must be within 15% of it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mathlm.cli import app
from mathlm.config import load_config
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.distributed import LAUNCH_VARIABLES, free_port
from mathlm.pretrain.plan import model_config_for_plan, plan_memory
from tests.support.pretrain import TINY_CONFIG, write_shard

PROGRAM = Path(__file__).parent / "programs" / "peak_memory.py"
RECIPES = TINY_CONFIG.parent
# A model big enough that its states and activations (~270 MB) dwarf allocator noise, small enough for 2 cores.
SMALL_MODEL = [
    "model.shape.vocab_size=4096",
    "model.shape.hidden_size=256",
    "model.shape.intermediate_size=688",
    "model.shape.num_layers=4",
    "model.shape.num_heads=4",
    "model.shape.num_kv_heads=4",
    "data.seq_len=256",
    "data.micro_batch_size=4",
    "data.global_batch_tokens=2048",
    "schedule.total_steps=2",
    "checkpoint.resume=never",
    "checkpoint.every=1000",
    "data.eval_mixture=null",
    "logging.progress=false",
]


@pytest.mark.slow
def test_cpu_prediction_is_within_15_percent_of_measured_peak(tmp_path: Path) -> None:
    write_shard(tmp_path / "data" / "train", num_docs=300, seed=0, vocab=4096)
    overrides = [f"run_dir={tmp_path / 'run'}", f"data.mixture.root={tmp_path / 'data'}", *SMALL_MODEL]
    env = {
        **os.environ,
        "MALLOC_MMAP_THRESHOLD_": "65536",
        "MALLOC_TRIM_THRESHOLD_": "0",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        **dict(zip(LAUNCH_VARIABLES, ("0", "1", "0", "127.0.0.1", str(free_port())), strict=True)),
    }
    result = subprocess.run(
        [sys.executable, str(PROGRAM), str(TINY_CONFIG), str(tmp_path / "peak"), *overrides],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    measured = json.loads((tmp_path / "peak.0").read_text())["growth_bytes"]
    cfg = load_config(TINY_CONFIG, TrainConfig, overrides)
    predicted = plan_memory(
        cfg, model_config_for_plan(cfg), world_size=1, gpu_bytes=None, compute_bytes=4
    ).total
    assert abs(predicted - measured) / measured < 0.15, (
        f"predicted {predicted / 1e6:.0f} MB, measured {measured / 1e6:.0f} MB"
    )


def test_llemma_34b_fits_on_256_gpus_of_80_gb_with_its_layout() -> None:
    result = CliRunner().invoke(
        app,
        [
            "train",
            "plan",
            str(RECIPES / "llemma_34b.yaml"),
            "--nodes",
            "32",
            "--gpus-per-node",
            "8",
            "--gpu-memory-gb",
            "80",
        ],
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "dp_replicate 1 x dp_shard 32 x tp 8" in text and "fits" in text


def test_a_layout_that_cannot_fit_is_refused() -> None:
    """34B fully replicated per node (HSDP over 32 replicas of 8 shards) without activation checkpointing."""
    result = CliRunner().invoke(
        app,
        [
            "train",
            "plan",
            str(RECIPES / "llemma_34b.yaml"),
            "--nodes",
            "32",
            "--gpus-per-node",
            "8",
            "--set",
            "engine.tp=1",
            "--set",
            "engine.dp_replicate=32",
            "--set",
            "model.activation_checkpointing=false",
        ],
    )
    assert result.exit_code == 1
    assert "does not fit" in " ".join(result.output.split())
