"""`mathlm slurm render/submit/status/logs` as a user types them, against the local cluster."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slurm


def _mathlm(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mathlm.cli", "slurm", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def test_render_submit_wait_then_logs(slurm_cluster, tmp_path: Path) -> None:
    config = tmp_path / "job.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "name": "cli-shards",
                "commands": ['echo "shard $SLURM_ARRAY_TASK_ID"'],
                "array": "0-1",
                "time": "00:05:00",
                "log_dir": str(tmp_path / "logs"),
            }
        )
    )
    script = tmp_path / "job.sbatch"
    partition = f"partition={slurm_cluster.partition}"
    rendered = _mathlm("render", str(config), "-o", str(script), "--set", partition)
    assert rendered.returncode == 0, rendered.stderr
    assert f"#SBATCH --partition={slurm_cluster.partition}\n" in script.read_text()

    submitted = _mathlm("submit", str(script), "--wait", "--poll", "0.5")
    assert submitted.returncode == 0, submitted.stderr
    job_id = submitted.stdout.strip()
    assert job_id.isdigit()
    assert f"job {job_id}: COMPLETED" in submitted.stderr

    logs = _mathlm("logs", job_id)
    assert logs.returncode == 0, logs.stderr
    assert "shard 0\n" in logs.stdout and "shard 1\n" in logs.stdout


def test_submit_wait_exits_nonzero_and_shows_the_failure(slurm_cluster, tmp_path: Path) -> None:
    script = tmp_path / "broken.sbatch"
    script.write_text(
        f"#!/bin/bash\n#SBATCH --output={tmp_path}/%j.out\n#SBATCH --error={tmp_path}/%j.err\n"
        "echo 'config error: optim.lr must be positive' >&2\nexit 2\n"
    )

    submitted = _mathlm("submit", str(script), "--wait", "--poll", "0.5")

    assert submitted.returncode == 1
    assert "FAILED" in submitted.stderr
    assert "config error: optim.lr must be positive" in submitted.stderr


def test_status_of_an_unknown_job_is_a_clear_error(slurm_cluster) -> None:
    result = _mathlm("status", "999999")

    assert result.returncode == 2
    assert "Slurm does not know job 999999" in result.stderr
