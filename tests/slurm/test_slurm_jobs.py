"""Jobs rendered and submitted through mathlm.slurm.jobs run on a real Slurm cluster and report back."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from mathlm.errors import MathlmError
from mathlm.slurm.jobs import JobWaitTimeout, cancel, job_state, job_tasks, submit, wait

pytestmark = pytest.mark.slurm


def test_job_runs_and_its_output_is_read_back(make_job, run_job, tmp_path: Path) -> None:
    job = make_job(
        "hello",
        ['echo "sum=$((2 + 3)) greeting=$GREETING in $PWD"', "echo 'to stderr' >&2"],
        env={"GREETING": "it's me"},
        setup=[f"cd {tmp_path}"],
    )
    job_id, state = run_job(job)

    assert state == "COMPLETED"
    [task] = job_tasks(job_id)
    assert task.job_id == job_id and task.exit_code == "0:0"
    assert task.stdout == tmp_path / "logs" / f"hello-{job_id}.out"
    assert task.read_stdout() == f"sum=5 greeting=it's me in {tmp_path}\n"
    assert "to stderr" in task.read_stderr()


def test_array_job_writes_one_output_per_task(make_job, run_job) -> None:
    job_id, state = run_job(
        make_job("array", ['echo "task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_TASK_COUNT"'], array="0-2")
    )

    assert state == "COMPLETED"
    tasks = sorted(job_tasks(job_id), key=lambda task: task.job_id)
    assert [task.job_id for task in tasks] == [f"{job_id}_{index}" for index in range(3)]
    assert [task.read_stdout() for task in tasks] == [f"task {index} of 3\n" for index in range(3)]
    assert len({task.stdout for task in tasks}) == 3


def test_failing_task_fails_the_job_and_its_stderr_is_readable(make_job, run_job) -> None:
    commands = ['if [ "$SLURM_ARRAY_TASK_ID" = 1 ]; then echo "no such shard: 1" >&2; exit 3; fi', "echo ok"]
    job_id, state = run_job(make_job("fails", commands, array="0-1"))

    assert state == "FAILED"
    ok, failed = sorted(job_tasks(job_id), key=lambda task: task.job_id)
    assert (ok.state, failed.state) == ("COMPLETED", "FAILED")
    assert failed.exit_code == "3:0"
    assert "no such shard: 1" in failed.read_stderr()


def test_wait_times_out_and_leaves_the_job_running(make_job, launch) -> None:
    job_id = launch(make_job("sleeper", ["sleep 60"]))

    with pytest.raises(JobWaitTimeout, match=f"job {job_id} is still (PENDING|RUNNING) after 1 s"):
        wait(job_id, timeout=1, poll=0.2)
    assert job_state(job_id) in {"PENDING", "RUNNING"}

    cancel(job_id)
    assert wait(job_id, timeout=60, poll=0.5) == "CANCELLED"


def test_preempted_job_is_requeued_and_resumes(make_job, launch) -> None:
    """The USR1 trap of the templates: the job goes back to the queue and its second run finishes."""
    commands = [
        'echo "run ${SLURM_RESTART_COUNT:-0}"',
        'if [ "${SLURM_RESTART_COUNT:-0}" = 0 ]; then sleep 120; fi',
        "echo finished",
    ]
    job = make_job("preempted", commands, requeue=True, signal="B:USR1@60")
    job_id = launch(job)
    _wait_until_running(job_id)

    subprocess.run(["scancel", "--batch", "--signal=USR1", job_id], check=True)
    _wait_until(lambda: job_tasks(job_id)[0].restarts == 1 and job_tasks(job_id)[0].state == "PENDING")
    # A requeued job waits a while (the credential lifetime) before it is eligible again; let it start now.
    # Only once it is back to PENDING: while the requeue is still completing, Slurm would set the delayed
    # start time after ours. And in a later second than its old credential's revocation: slurmd compares
    # whole seconds and refuses (the job FAILS) a credential from the same second.
    time.sleep(2)
    subprocess.run(["scontrol", "update", f"JobId={job_id}", "StartTime=now"], check=True)

    assert wait(job_id, timeout=120, poll=0.5) == "COMPLETED"
    [task] = job_tasks(job_id)
    assert task.read_stdout() == "run 0\nrun 1\nfinished\n"  # the first run's log is kept (open-mode append)
    assert "got USR1, requeueing" in task.read_stderr()


def test_submit_without_a_reachable_cluster_says_how_to_start_one(
    slurm_cluster, tmp_path: Path, monkeypatch
) -> None:
    # The cluster's own settings but a controller port nothing listens on.
    conf = slurm_cluster.conf.read_text().replace("SlurmctldPort=", "SlurmctldPort=1")
    (tmp_path / "slurm.conf").write_text(conf)
    monkeypatch.setenv("SLURM_CONF", str(tmp_path / "slurm.conf"))
    script = tmp_path / "job.sbatch"
    script.write_text("#!/bin/bash\necho hi\n")

    with pytest.raises(MathlmError, match="(?s)Unable to contact slurm controller.*local_cluster.sh start"):
        submit(script)


def _wait_until_running(job_id: str) -> None:
    _wait_until(lambda: job_state(job_id) == "RUNNING")


def _wait_until(condition: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.3)
