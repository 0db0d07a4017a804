"""Slurm: one resources schema and job builder, sbatch scripts from the shipped templates, submit, follow."""
