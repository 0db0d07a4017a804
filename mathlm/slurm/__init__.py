"""Slurm: render sbatch scripts from the templates in ``slurm/``, submit them, follow them, read their output."""
