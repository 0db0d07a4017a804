"""`mathlm slurm train`: the torchrun sbatch job of a training run, rendered and run on a real Slurm cluster."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mathlm.cli import app
from mathlm.config import load_config
from mathlm.pretrain import checkpoint as ckpt
from mathlm.pretrain.config import TrainConfig
from mathlm.slurm import jobs
from tests.support.pretrain import TINY_CONFIG, set_options, step_losses, tiny_overrides, torchrun


def test_multi_node_gpu_job_is_rendered_with_nccl_and_requeue(tiny_data: Path, tmp_path: Path) -> None:
    sets = set_options([*tiny_overrides(tmp_path, tiny_data), "data.global_batch_tokens=2048"])
    result = CliRunner().invoke(
        app, ["slurm", "train", str(TINY_CONFIG), "--nodes", "4", "--gpus-per-node", "8", "--dry-run", *sets]
    )
    assert result.exit_code == 0, result.output
    script = (tmp_path / "run" / "train.sbatch").read_text()
    run_dir = tmp_path / "run"
    for expected in (
        "#SBATCH --nodes=4",
        "#SBATCH --gpus-per-node=8",
        "#SBATCH --requeue",
        "--signal=B:USR1@120",
        "export TORCH_NCCL_ASYNC_ERROR_HANDLING=1",
        "--nproc-per-node=8",
        "--rdzv-backend=c10d",
        f"-m mathlm.cli train {run_dir / 'config.yaml'}",
        f"touch {run_dir}/PREEMPT_REQUESTED",
        f"if [ -f {run_dir}/PREEMPTED ]; then",
    ):
        assert expected in script, expected
    # the requeue happens after the trainer has exited, never in the signal handler
    assert script.index("scontrol requeue") > script.index('wait "$main_pid"')
    # the job trains from the snapshot written at submission, with the --set values applied
    snapshot = load_config(run_dir / "config.yaml", TrainConfig)
    assert snapshot.data.global_batch_tokens == 2048 and snapshot.run_dir == run_dir


def test_batch_that_does_not_split_over_the_job_is_refused_before_submitting(
    tiny_data: Path, tmp_path: Path
) -> None:
    sets = set_options(tiny_overrides(tmp_path, tiny_data))
    result = CliRunner().invoke(
        app, ["slurm", "train", str(TINY_CONFIG), "--nodes", "2", "--gpus-per-node", "8", "--dry-run", *sets]
    )
    assert "not divisible by world size 16" in " ".join(str(result.exception).split())
    assert not (tmp_path / "run" / "train.sbatch").exists()


def submit_training(config: Path, overrides: list[str], partition: str) -> str:
    """``mathlm slurm train CONFIG`` as two CPU processes on the local cluster; returns the job id."""
    result = CliRunner().invoke(
        app,
        [
            "slurm",
            "train",
            str(config),
            "--nodes",
            "1",
            "--gpus-per-node",
            "0",
            "--nproc-per-node",
            "2",
            "--cpus-per-task",
            "2",
            "--time",
            "00:10:00",
            "--partition",
            partition,
            *set_options(overrides),
        ],
    )
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def job_log(run_dir: Path) -> str:
    """The job's stderr (both starts: the log is appended to on requeue), or a note that there is none."""
    logs = sorted((run_dir / "slurm_logs").glob("*.err"))
    return logs[0].read_text() if logs else "(no job log)"


def unwrapped(text: str) -> str:
    """``text`` without any whitespace: the console wraps long lines (paths too) at its width."""
    return "".join(text.split())


@pytest.mark.slurm
@pytest.mark.slow
def test_two_process_training_job_runs_on_the_local_cluster(
    slurm_cluster, tiny_data: Path, tmp_path: Path, no_launch_env: None
) -> None:
    job_id = submit_training(TINY_CONFIG, tiny_overrides(tmp_path, tiny_data), slurm_cluster.partition)
    state = jobs.wait(job_id, timeout=300, poll=1.0)
    assert state == "COMPLETED", job_log(tmp_path / "run")[-3000:]
    assert sorted(step_losses(tmp_path / "run")) == list(range(1, 9))
    final = ckpt.read_state(ckpt.latest_checkpoint(tmp_path / "run"))
    assert (final.step, final.world_size) == (8, 2)


PREEMPTED_RUN_STEPS = 80  # steps cost ~0.1 CPU-s here, a start ~35: room to be signalled mid-run


@pytest.mark.slurm
@pytest.mark.slow
def test_preempted_training_job_saves_requeues_resumes_exactly_and_completes(
    slurm_cluster, tiny_data: Path, tmp_path: Path, no_launch_env: None
) -> None:
    """Slurm's warning signal mid-run: the trainer ends its step and saves, the job requeues itself (same
    id), the second start resumes from that checkpoint with the submitted config, and the losses are those
    of a run that was never interrupted."""
    run_dir = tmp_path / "run"
    source = tmp_path / "tiny.yaml"
    shutil.copy(TINY_CONFIG, source)
    overrides = [
        *tiny_overrides(tmp_path, tiny_data),
        f"schedule.decay_steps={PREEMPTED_RUN_STEPS}",
        "checkpoint.every=20",
        "checkpoint.async_save=true",  # background saves in flight on both ranks before the warning
    ]
    job_id = submit_training(source, overrides, slurm_cluster.partition)
    # edited after submission: the requeued job must keep training what was submitted (the run-dir snapshot)
    source.write_text(source.read_text().replace("lr: 3.0e-3", "lr: 9.0e-3"))

    # mid-run (training has begun, so the shell's trap is set; most steps to go), the warning that
    # --signal=B:USR1@T sends to the batch shell
    metrics = run_dir / "metrics.jsonl"
    wait_until(lambda: metrics.is_file() and '"loss"' in metrics.read_text())
    subprocess.run(["scancel", "--batch", "--signal=USR1", job_id], check=True)
    wait_until(lambda: jobs.job_tasks(job_id)[0].restarts == 1 and jobs.job_state(job_id) == "PENDING")
    start_requeued_job_soon(job_id)
    state = jobs.wait(job_id, timeout=300, poll=1.0)

    log = job_log(run_dir)
    assert state == "COMPLETED", log[-3000:]
    [task] = jobs.job_tasks(job_id)
    assert (task.job_id, task.restarts, task.exit_code) == (job_id, 1, "0:0")
    flat = unwrapped(log)
    stopped = re.search(r"stoppedbythepreemptionwarningafterstep(\d+);saved", flat)
    assert stopped, log[-3000:]
    saved_at = int(stopped.group(1))
    assert saved_at < PREEMPTED_RUN_STEPS, "the warning came after the last step: nothing was preempted"
    assert unwrapped("got USR1; asking the trainer to checkpoint and stop") in flat
    assert unwrapped(f"the trainer saved and stopped; requeueing job {job_id}") in flat
    assert unwrapped(f"job {job_id} on") in flat and "(restart1)" in flat
    assert unwrapped(f"resuming from {ckpt.checkpoint_path(run_dir, saved_at)}") in flat
    # every step logged once: the first start ended with the step it saved, the second began right after
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    trained = [record["step"] for record in records if "loss" in record]
    assert trained == list(range(1, PREEMPTED_RUN_STEPS + 1))
    assert not (run_dir / ckpt.PREEMPTED_MARKER).exists()
    # the background save at step 60 completed (keep_last 2 pruned the earlier ones), the final one is 80
    assert ckpt.complete_checkpoints(run_dir) == [ckpt.checkpoint_path(run_dir, step) for step in (60, 80)]

    reference = torchrun(
        2,
        [
            "train",
            str(TINY_CONFIG),
            *set_options(
                [*overrides, f"run_dir={tmp_path / 'uninterrupted'}", "checkpoint.async_save=false"]
            ),
        ],
    )
    assert reference.returncode == 0, reference.stderr[-3000:]
    assert step_losses(run_dir) == step_losses(tmp_path / "uninterrupted")  # bit for bit, every step


def start_requeued_job_soon(job_id: str) -> None:
    """Slurm holds a requeued job back for the credential lifetime (120 s); start it now instead, but only
    in a later second than the one its old credential was revoked in (before the job turned PENDING):
    slurmd compares whole seconds and refuses a credential from the same second ("Job credential
    revoked"; the job then FAILS). A start time in the future would wait for the next scheduling pass."""
    time.sleep(2)
    subprocess.run(["scontrol", "update", f"JobId={job_id}", "StartTime=now"], check=True)


def wait_until(condition: Callable[[], bool], timeout: float = 300) -> None:
    """Poll ``condition`` until it holds (the timeout only bounds a broken run; nothing is timed)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the job did not get there in time"
        time.sleep(0.2)
