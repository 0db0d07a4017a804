"""The training benchmark runs mathlm's trainer and torchtitan's own Trainer on the CPU and prints both.

A smoke test: two optimizer steps of a tiny Llama on one process each (the first step is the excluded
warm-up, so each row is one measured step). No timings are asserted, only that both trainers trained and
were measured.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_benchmark_trains_with_torchtitans_trainer_and_with_ours() -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_PORT")
    }
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [
            *(sys.executable, "-m", "benchmarks.train_throughput", "--preset", "tiny", "--seq-len", "64"),
            *("--micro-batch", "2", "--accum", "2", "--steps", "2", "--nproc", "1"),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    out = done.stdout
    assert "torchtitan 0.3.0" in out and "2 steps (first excluded)" in out
    for trainer in ("torchtitan", "mathlm"):
        row = re.search(rf"^{trainer}\s+1\s+([\d.]+)\s+([\d.]+)\s+n/a$", out, re.MULTILINE)
        assert row, out
        tokens_per_s, cpu_ms_per_token = map(float, row.groups())
        assert tokens_per_s > 0 and cpu_ms_per_token > 0
    ratio = re.search(
        r"mathlm / torchtitan on 1 process\(es\): tokens/s ([\d.]+), CPU time per token ([\d.]+)", out
    )
    assert ratio and all(float(x) > 0 for x in ratio.groups()), out


# Run in a child process: torchtitan is imported under a process-wide shim (torch's device lookup answers
# "cpu" while it loads), which has no business in the test process; in the full suite, state left by
# earlier tests also made torchtitan's Llama3Model.Config lose its owner class there.
SHAPE_PROGRAM = """
import json, sys, tempfile
from pathlib import Path
import torch
from benchmarks.torchtitan_peer import trainer_config as torchtitan_config
from benchmarks.train_throughput import parse_args, trainer_config
from mathlm.pretrain.model import build_model

tmp = Path(tempfile.mkdtemp())
cfg = trainer_config(parse_args(["--preset", sys.argv[1]]), tmp, tmp / "run")
ours = build_model(cfg.model)
with torch.device("meta"):
    theirs = torchtitan_config(cfg, torch.float32, tmp / "dump", "sdpa").model_spec.model.build()
print(json.dumps({
    "ours": sum(p.numel() for p in ours.parameters()),
    "theirs": sum(p.numel() for p in theirs.parameters()),
    "layers": len(theirs.layers),
    "expected_layers": cfg.model.shape.num_layers,
    "module": type(theirs).__module__,
}))
"""


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["tiny", "llama-40m"])
def test_torchtitans_llama_has_the_shape_of_ours(preset: str) -> None:
    """Same preset, same model: torchtitan's Llama3Model and mathlm's HF Llama hold as many parameters."""
    done = subprocess.run(
        [sys.executable, "-c", SHAPE_PROGRAM, preset],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    shapes = json.loads(done.stdout.strip().splitlines()[-1])
    assert shapes["theirs"] == shapes["ours"] > 0
    assert shapes["layers"] == shapes["expected_layers"]
    assert shapes["module"] == "torchtitan.models.llama3.model"
