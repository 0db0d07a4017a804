"""`mathlm slurm train`: the torchrun sbatch job of a training run, rendered and run on a real Slurm cluster."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mathlm.cli import app
from mathlm.config import load_config
from mathlm.pretrain import checkpoint as ckpt
from mathlm.pretrain.config import TrainConfig
from mathlm.slurm import jobs
from tests.support.pretrain import TINY_CONFIG, set_options, step_losses, tiny_overrides


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


@pytest.mark.slurm
@pytest.mark.slow
def test_two_process_training_job_runs_on_the_local_cluster(
    slurm_cluster, tiny_data: Path, tmp_path: Path, no_launch_env: None
) -> None:
    sets = set_options(tiny_overrides(tmp_path, tiny_data))
    result = CliRunner().invoke(
        app,
        [
            "slurm",
            "train",
            str(TINY_CONFIG),
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
            slurm_cluster.partition,
            *sets,
        ],
    )
    assert result.exit_code == 0, result.output
    job_id = result.stdout.strip().splitlines()[-1]
    state = jobs.wait(job_id, timeout=300, poll=1.0)
    logs = sorted((tmp_path / "run" / "slurm_logs").glob("*.err"))
    assert state == "COMPLETED", logs[0].read_text()[-3000:] if logs else state
    assert sorted(step_losses(tmp_path / "run")) == list(range(1, 9))
    final = ckpt.read_state(ckpt.latest_checkpoint(tmp_path / "run"))
    assert (final.step, final.world_size) == (8, 2)
