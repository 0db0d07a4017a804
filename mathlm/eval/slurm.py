"""``mathlm slurm eval``: one evaluation spread over a Slurm job array, then merged by a dependent job.

Array task ``i`` of ``N`` runs ``mathlm eval run CONFIG --shard i/N``: every N-th problem of every
task, written to ``OUT/shards/i/`` with its own generation cache, so a failed task is resubmitted and
resumes. A second job, held with ``--dependency=afterok`` on the whole array, runs ``mathlm eval merge
OUT``; if any shard fails, Slurm drops it (``--kill-on-invalid-dep``) instead of leaving it pending.
Resources come from the config's ``slurm:`` section (GPUs default to one per task for vLLM).

    submission = submit_eval(Path("configs/eval/llemma_7b.yaml"), shards=8)
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from mathlm.config import load_config
from mathlm.errors import MathlmError
from mathlm.eval.config import EvalConfig
from mathlm.slurm.jobs import SlurmJob, SlurmResources, mathlm_arguments, mathlm_job, submit_job


@dataclass(frozen=True)
class EvalSubmission:
    """The two jobs of a sharded evaluation and where their results land."""

    array_job: str
    merge_job: str
    output: Path
    shards: int


def gpus_per_task(cfg: EvalConfig) -> int:
    """GPUs of one array task: the config's, else what the backend will use (vLLM's tensor parallelism)."""
    if cfg.slurm.gpus_per_task is not None:
        return cfg.slurm.gpus_per_task
    return int(cfg.backend_options.get("tensor_parallel_size", 1)) if cfg.backend == "vllm" else 0


def eval_jobs(config: Path, shards: int, overrides: list[str]) -> tuple[SlurmJob, SlurmJob, EvalConfig]:
    """The array job and the merge job of ``config`` over ``shards`` tasks, validated before submission."""
    if shards < 1:
        raise MathlmError(f"--shards {shards}: give at least 1")
    cfg = load_config(config, EvalConfig, overrides)
    output = cfg.output.resolve()
    source = f"{config} (slurm section)"
    run = f"python {mathlm_arguments('eval run', config, overrides, 'output', output)}"
    slurm = cfg.slurm
    array = mathlm_job(
        slurm,
        source,
        name=f"eval-{output.name}",
        array=f"0-{shards - 1}",
        commands=[f'{run} --shard "$SLURM_ARRAY_TASK_ID/{shards}"'],
        gpus_per_node=gpus_per_task(cfg),
        env={"OMP_NUM_THREADS": str(slurm.cpus_per_task)},
        log_dir=str(output / "slurm_logs"),
    )
    # the merge reads files: the queue settings and setup of the shards, none of their compute
    merge_resources = SlurmResources(
        partition=slurm.partition, account=slurm.account, qos=slurm.qos, time=slurm.time, setup=slurm.setup
    )
    name = f" --model-name {shlex.quote(cfg.model_name)}" if cfg.model_name else ""
    merge = mathlm_job(
        merge_resources,
        source,
        name=f"eval-merge-{output.name}",
        commands=[f"python -m mathlm.cli eval merge {shlex.quote(str(output))}{name}"],
        log_dir=str(output / "slurm_logs"),
    )
    return array, merge, cfg


def submit_eval(config: Path, shards: int, overrides: list[str] = ()) -> EvalSubmission:
    """Write both sbatch scripts under ``OUT/`` and submit them; the merge job waits for every shard."""
    array, merge, cfg = eval_jobs(config, shards, list(overrides))
    output = cfg.output.resolve()
    array_id = submit_job(array, output / "eval.sbatch")
    merge_id = submit_job(
        merge, output / "merge.sbatch", [f"--dependency=afterok:{array_id}", "--kill-on-invalid-dep=yes"]
    )
    return EvalSubmission(array_job=array_id, merge_job=merge_id, output=output, shards=shards)
