"""``mathlm prove``: few-shot Lean 4 proof search on miniF2F."""

from __future__ import annotations

import typer

prove_app = typer.Typer(help="Lean 4 proof search (best-first, few-shot tactic prediction) on miniF2F.",
                        no_args_is_help=True)
