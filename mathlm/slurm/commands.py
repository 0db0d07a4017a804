"""``mathlm slurm``: submit mathlm jobs (data, training, evaluation) to a Slurm cluster."""

from __future__ import annotations

import typer

slurm_app = typer.Typer(help="Run mathlm jobs on a Slurm cluster (sbatch, arrays, requeue).", no_args_is_help=True)
