"""``mathlm slurm``: submit mathlm jobs (data, training, evaluation) to a Slurm cluster and follow them.

The commands are thin: everything they do is in :mod:`mathlm.slurm.jobs`, which the training and
evaluation commands (``mathlm slurm train``/``eval``) use as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mathlm.cli_utils import SetOption

if TYPE_CHECKING:
    from rich.table import Table

    from mathlm.slurm.jobs import TaskInfo

slurm_app = typer.Typer(help="Run mathlm jobs on a Slurm cluster (sbatch, arrays, requeue).", no_args_is_help=True)

JobIdArgument = Annotated[str, typer.Argument(help="Slurm job id (e.g. 1234, or 1234_5 for one array task).")]
_STDERR_TAIL_LINES = 20


@slurm_app.command()
def submit(
    script: Annotated[Path, typer.Argument(help="An sbatch script (e.g. one written by `mathlm slurm render`).")],
    wait: Annotated[bool, typer.Option("--wait", help="Wait until the job ends; exit 1 unless it COMPLETED.")] = False,
    timeout: Annotated[float | None, typer.Option(help="With --wait: give up after this many seconds "
                                                       "(the job keeps running).")] = None,
    poll: Annotated[float, typer.Option(help="With --wait: seconds between status checks.")] = 2.0,
    sbatch_arg: Annotated[list[str], typer.Option("--sbatch-arg", help="Extra sbatch option, e.g. "
                                                   "--sbatch-arg=--partition=debug (repeatable).")] = [],
) -> None:
    """Submit SCRIPT with sbatch and print its job id (on stdout, for scripts)."""
    from mathlm.slurm import jobs

    job_id = jobs.submit(script, sbatch_arg)
    print(job_id)
    if wait:
        _wait_and_report(job_id, timeout, poll)


@slurm_app.command()
def render(
    config: Annotated[Path, typer.Argument(help="YAML file describing a SlurmJob (name, commands, nodes, "
                                                "time, partition, array, ...).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the sbatch script.")],
    overrides: SetOption = [],
    submit_it: Annotated[bool, typer.Option("--submit", help="Submit the script after writing it.")] = False,
) -> None:
    """Write the sbatch script of a job described in YAML, to read, edit or submit it."""
    from mathlm.config import load_config
    from mathlm.console import console
    from mathlm.slurm import jobs

    job = load_config(config, jobs.SlurmJob, overrides)
    jobs.write_script(job, output)
    console.print(f"wrote {output} (template {job.template})")
    if submit_it:
        print(jobs.submit(output))


@slurm_app.command()
def status(job_id: JobIdArgument) -> None:
    """Show the state, exit code and log files of a job (each task of an array job)."""
    from mathlm.console import console
    from mathlm.slurm import jobs

    tasks = jobs.job_tasks(job_id)
    console.print(_task_table(f"job {job_id}: {jobs.overall_state(tasks)}", tasks))


@slurm_app.command()
def logs(
    job_id: JobIdArgument,
    stderr: Annotated[bool, typer.Option("--stderr", help="Show standard error instead of standard output.")] = False,
) -> None:
    """Print what a job wrote (every task of an array job, each under a header)."""
    from mathlm.slurm import jobs

    tasks = jobs.job_tasks(job_id)
    for task in tasks:
        if len(tasks) > 1:
            print(f"==> {task.job_id} ({task.state}) <==")
        text = task.read_stderr() if stderr else task.read_stdout()
        print(text, end="" if text.endswith("\n") or not text else "\n")


@slurm_app.command()
def cancel(job_id: JobIdArgument) -> None:
    """Cancel a job (all tasks of an array job)."""
    from mathlm.console import console
    from mathlm.slurm import jobs

    jobs.cancel(job_id)
    console.print(f"cancelled {job_id}")


def _wait_and_report(job_id: str, timeout: float | None, poll: float) -> None:
    """Wait with a live status line, print the per-task table and stderr tails of failed tasks."""
    from mathlm.console import console
    from mathlm.slurm import jobs

    with console.status(f"job {job_id}: waiting") as live:
        state = jobs.wait(job_id, timeout=timeout, poll=poll,
                          on_poll=lambda current: live.update(f"job {job_id}: {current}"))
    tasks = jobs.job_tasks(job_id)
    console.print(_task_table(f"job {job_id}: {state}", tasks))
    for task in tasks:
        if task.state != "COMPLETED":
            tail = task.read_stderr().splitlines()[-_STDERR_TAIL_LINES:]
            console.rule(f"{task.job_id} {task.state}: last lines of {task.stderr}")
            console.print("\n".join(tail), markup=False, highlight=False)
    if state != "COMPLETED":
        raise typer.Exit(1)


def _task_table(title: str, tasks: list[TaskInfo]) -> Table:
    from mathlm.console import summary_table

    rows = [{"task": task.job_id, "state": task.state, "exit code": task.exit_code, "nodes": task.nodes,
             "restarts": task.restarts, "stdout": task.stdout or "", "stderr": task.stderr or ""} for task in tasks]
    return summary_table(title, rows)


@slurm_app.command("train")
def train(
    config: Annotated[Path, typer.Argument(help="Training config YAML, e.g. configs/train/llemma_7b.yaml.")],
    nodes: Annotated[int, typer.Option(min=1, help="Nodes to train on.")] = 1,
    gpus_per_node: Annotated[int, typer.Option(min=0, help="GPUs per node (0: CPU processes, gloo).")] = 8,
    nproc_per_node: Annotated[int | None, typer.Option(help="Processes per node (default: one per GPU).")] = None,
    partition: Annotated[str | None, typer.Option(help="Slurm partition (default: the cluster's).")] = None,
    time: Annotated[str, typer.Option(help="Time limit per allocation; the job requeues and resumes.")] = "2-00:00:00",
    cpus_per_task: Annotated[int | None, typer.Option(help="CPUs per node (default 8 per GPU).")] = None,
    overrides: SetOption = [],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write the sbatch script, do not submit it.")] = False,
    wait: Annotated[bool, typer.Option("--wait", help="Wait until the job ends; exit 1 unless it COMPLETED.")] = False,
) -> None:
    """Render and submit the torchrun sbatch job of `mathlm train CONFIG` (requeued on preemption)."""
    from mathlm.console import console
    from mathlm.pretrain.slurm_job import train_job
    from mathlm.slurm import jobs

    job, cfg = train_job(config, overrides, nodes, gpus_per_node, nproc_per_node, partition, time, cpus_per_task)
    script = jobs.write_script(job, cfg.run_dir / "train.sbatch")
    console.print(f"wrote {script}")
    if dry_run:
        return
    job_id = jobs.submit(script)
    print(job_id)
    if wait:
        _wait_and_report(job_id, None, 2.0)


@slurm_app.command("eval")
def eval_(
    config: Annotated[Path, typer.Argument(help="Eval config YAML, e.g. configs/eval/llemma_7b.yaml.")],
    shards: Annotated[int, typer.Option(min=1, help="Array tasks; task i evaluates every N-th problem from i.")] = 8,
    overrides: SetOption = [],
    wait: Annotated[bool, typer.Option("--wait", help="Wait for the shards and the merge; print the scores.")] = False,
) -> None:
    """Shard `mathlm eval run CONFIG` over a Slurm array; a dependent job merges the shards into OUT/."""
    from mathlm.console import console
    from mathlm.eval.slurm import submit_eval
    from mathlm.slurm import jobs

    submission = submit_eval(config, shards, overrides)
    console.print(f"array job {submission.array_job} ({shards} shards), merge job {submission.merge_job} "
                  f"(after every shard); results in {submission.output}")
    print(submission.array_job)
    if wait:
        try:
            _wait_and_report(submission.array_job, None, 2.0)
        except typer.Exit:
            jobs.cancel(submission.merge_job)  # where the cluster does not drop jobs whose dependency failed
            console.print(f"a shard failed: cancelled the merge job {submission.merge_job}; fix the cause and run "
                          "the same command again (finished generations are cached)")
            raise
        _wait_and_report(submission.merge_job, None, 2.0)
        console.print((submission.output / "results.md").read_text(encoding="utf-8"), markup=False)
