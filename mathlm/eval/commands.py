"""``mathlm eval``: score a model on MATH, GSM8k, OCW, MMLU-STEM, SAT and tool-use tasks."""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Evaluate a model: chain of thought, majority voting, tool use, memorization.",
                       no_args_is_help=True)
