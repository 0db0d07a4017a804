"""Helpers for the Slurm tests: jobs aimed at the local cluster, with their logs in the test's tmp dir."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mathlm.slurm.jobs import SlurmJob, submit_job, wait

# Generous: other test sessions may be using the cluster's CPUs at the same time.
WAIT_S = 300


@pytest.fixture
def make_job(slurm_cluster, tmp_path: Path) -> Callable[..., SlurmJob]:
    """Build a SlurmJob for the local cluster's partition, logging under tmp_path/logs."""

    def build(name: str, commands: list[str], **fields: Any) -> SlurmJob:
        fields.setdefault("log_dir", str(tmp_path / "logs"))
        fields.setdefault("time", "00:05:00")
        return SlurmJob(name=name, commands=commands, partition=slurm_cluster.partition, **fields)

    return build


@pytest.fixture
def launch(tmp_path: Path) -> Callable[[SlurmJob], str]:
    """Render a job into tmp_path and submit it; returns the job id."""

    def submit(job: SlurmJob) -> str:
        return submit_job(job, tmp_path / f"{job.name}.sbatch")

    return submit


@pytest.fixture
def run_job(launch) -> Callable[[SlurmJob], tuple[str, str]]:
    """Submit a job and wait for it to end; returns (job id, final state)."""

    def run(job: SlurmJob) -> tuple[str, str]:
        job_id = launch(job)
        return job_id, wait(job_id, timeout=WAIT_S, poll=0.5)

    return run
