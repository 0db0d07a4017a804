"""``mathlm slurm``: submit mathlm jobs to a Slurm cluster and follow them.

The commands are thin: everything they do is in :mod:`mathlm.slurm.jobs`. ``mathlm slurm train`` and
``mathlm slurm eval`` belong to their stages (``pretrain/commands.py``, ``eval/commands.py``, built on
:mod:`mathlm.slurm.jobs` and :func:`wait_and_report`); :mod:`mathlm.cli.root` mounts them in this group,
so the generic Slurm client never imports a stage.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mathlm.cli.options import SetOption

if TYPE_CHECKING:
    from rich.table import Table

    from mathlm.slurm.jobs import TaskInfo

slurm_app = typer.Typer(
    help="Run mathlm jobs on a Slurm cluster (sbatch, arrays, requeue).", no_args_is_help=True
)

JobIdArgument = Annotated[str, typer.Argument(help="Slurm job id (e.g. 1234, or 1234_5 for one array task).")]
_STDERR_TAIL_LINES = 20


@slurm_app.command()
def submit(
    script: Annotated[
        Path, typer.Argument(help="An sbatch script (e.g. one written by `mathlm slurm render`).")
    ],
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait until the job ends; exit 1 unless it COMPLETED.")
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option(help="With --wait: give up after this many seconds (the job keeps running)."),
    ] = None,
    poll: Annotated[float, typer.Option(help="With --wait: seconds between status checks.")] = 2.0,
    sbatch_arg: Annotated[
        list[str],
        typer.Option(
            "--sbatch-arg", help="Extra sbatch option, e.g. --sbatch-arg=--partition=debug (repeatable)."
        ),
    ] = [],  # noqa: B006 (typer reads the default)
) -> None:
    """Submit SCRIPT with sbatch and print its job id (on stdout, for scripts)."""
    from mathlm.slurm import jobs

    job_id = jobs.submit(script, sbatch_arg)
    print(job_id)
    if wait:
        wait_and_report(job_id, timeout, poll)


@slurm_app.command()
def render(
    config: Annotated[
        Path,
        typer.Argument(
            help="YAML file describing a SlurmJob (name, commands, nodes, time, partition, array, ...)."
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the sbatch script.")],
    overrides: SetOption = [],  # noqa: B006 (typer reads the default)
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
    stderr: Annotated[
        bool, typer.Option("--stderr", help="Show standard error instead of standard output.")
    ] = False,
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


def wait_and_report(job_id: str, timeout: float | None = None, poll: float = 2.0) -> None:
    """Wait with a live status line, print the per-task table and stderr tails of failed tasks;
    exit 1 unless the job COMPLETED."""
    from mathlm.console import console
    from mathlm.slurm import jobs

    with console.status(f"job {job_id}: waiting") as live:
        state = jobs.wait(
            job_id,
            timeout=timeout,
            poll=poll,
            on_poll=lambda current: live.update(f"job {job_id}: {current}"),
        )
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

    rows = [
        {
            "task": task.job_id,
            "state": task.state,
            "exit code": task.exit_code,
            "nodes": task.nodes,
            "restarts": task.restarts,
            "stdout": task.stdout or "",
            "stderr": task.stderr or "",
        }
        for task in tasks
    ]
    return summary_table(title, rows)
