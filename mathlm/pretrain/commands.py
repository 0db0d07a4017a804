"""``mathlm train``, ``mathlm export`` and ``mathlm convert``: continued pretraining and checkpoint formats."""

from __future__ import annotations

import typer

from mathlm.cli_utils import DefaultCommandGroup

train_app = typer.Typer(cls=DefaultCommandGroup, no_args_is_help=True,
                        help="Continue pretraining a Llama model: `mathlm train CONFIG`, `mathlm train plot RUN`.")
export_app = typer.Typer(help="Export checkpoints and configs: Hugging Face, GPT-NeoX.", no_args_is_help=True)
convert_app = typer.Typer(help="Convert Llama checkpoints between Hugging Face and GPT-NeoX layouts.",
                          no_args_is_help=True)
