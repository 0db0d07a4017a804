"""``mathlm data``: build the Proof-Pile-2 subsets, tokenize them, train the filter models."""

from __future__ import annotations

import typer

data_app = typer.Typer(help="Build Proof-Pile-2 data: arXiv, math web, math code, decontamination, tokens.",
                       no_args_is_help=True)
