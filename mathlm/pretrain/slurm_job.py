"""The Slurm job of a training run: ``srun`` + ``torchrun`` on every node, requeued on preemption.

The job runs ``mathlm train CONFIG`` under ``torchrun`` (the shipped ``torchrun.sbatch`` template). With
``checkpoint.resume: auto`` a requeued job (preempted, or at its time limit) starts again from the run's
latest complete checkpoint; the trainer saves one when Slurm sends SIGTERM, so little work is lost.
"""

from __future__ import annotations

from pathlib import Path

from mathlm.config import load_config, validate_config
from mathlm.errors import MathlmError
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.data import gradient_accumulation
from mathlm.slurm.jobs import SlurmJob, SlurmResources, mathlm_arguments, mathlm_job

# Settings for NCCL over the cluster's network; a user can override any of them in their shell or --env.
NCCL_ENV = {
    "TORCH_NCCL_ASYNC_ERROR_HANDLING": "1",  # a dead peer fails the job instead of hanging it
    "NCCL_DEBUG": "WARN",
    "CUDA_DEVICE_MAX_CONNECTIONS": "1",
}


def train_job(config: Path, overrides: list[str], nodes: int, gpus_per_node: int, nproc_per_node: int | None,
              partition: str | None, time: str, cpus_per_task: int | None) -> tuple[SlurmJob, TrainConfig]:
    """The SlurmJob for ``mathlm train CONFIG`` on ``nodes`` x ``nproc_per_node`` processes, checked first."""
    cfg = load_config(config, TrainConfig, overrides)
    procs = nproc_per_node or gpus_per_node or 1
    gradient_accumulation(cfg.data, nodes * procs)  # fail now, not after the job waited in the queue
    if cfg.checkpoint.resume != "auto":
        raise MathlmError(f"{config}: checkpoint.resume is {cfg.checkpoint.resume!s}; a requeued Slurm job must "
                          "resume from its own latest checkpoint: use checkpoint.resume: auto")
    run_dir = cfg.run_dir.resolve()
    cpus = cpus_per_task or max(procs, 8 * gpus_per_node)
    source = "mathlm slurm train options"
    resources = validate_config({"partition": partition, "time": time, "cpus_per_task": cpus}, SlurmResources, source)
    env = {"OMP_NUM_THREADS": str(max(1, cpus // procs)), **(NCCL_ENV if gpus_per_node else {})}
    job = mathlm_job(
        resources,
        source,
        name=f"train-{run_dir.name}",
        commands=[mathlm_arguments("train", config, overrides, "run_dir", run_dir)],
        env=env,
        nodes=nodes,
        gpus_per_node=gpus_per_node,
        log_dir=str(run_dir / "slurm_logs"),
        requeue=True,
        signal="B:USR1@120",
        template="torchrun.sbatch",
        template_values={"nproc_per_node": procs},
    )
    return job, cfg
