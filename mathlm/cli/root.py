"""The ``mathlm`` command line: the root group.

Each area of the project owns its command group (``mathlm/<area>/commands.py``); this module mounts them
(and each stage's Slurm command under ``mathlm slurm``), adds ``quickstart`` and turns the project's own
errors into a message and an exit code instead of a traceback. Heavy libraries (torch, datatrove,
transformers) are imported inside the commands so that ``mathlm --help`` answers at once.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from mathlm import __version__
from mathlm.console import console
from mathlm.errors import MathlmError
from mathlm.eval.commands import eval_app, slurm_eval
from mathlm.pretrain.commands import convert_app, export_app, slurm_train, train_app
from mathlm.proof_pile_2.commands import data_app
from mathlm.slurm.commands import slurm_app
from mathlm.theorem_proving.commands import prove_app

app = typer.Typer(
    name="mathlm",
    help="Math-domain continued pretraining: build Proof-Pile-2, continue-pretrain Llama models, evaluate.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
slurm_app.command("train")(slurm_train)
slurm_app.command("eval")(slurm_eval)

app.add_typer(data_app, name="data")
app.add_typer(train_app, name="train")
app.add_typer(eval_app, name="eval")
app.add_typer(prove_app, name="prove")
app.add_typer(slurm_app, name="slurm")
app.add_typer(export_app, name="export")
app.add_typer(convert_app, name="convert")


def _version(value: bool) -> None:
    if value:
        print(f"mathlm {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Math-domain continued pretraining: build Proof-Pile-2, continue-pretrain Llama models, evaluate."""


@app.command()
def quickstart(
    workdir: Annotated[Path, typer.Option(help="Where every stage writes its outputs.")] = Path(
        "runs/quickstart"
    ),
    stages: Annotated[
        str | None, typer.Option(help="Comma-separated subset of stages to run (default: all).")
    ] = None,
) -> None:
    """The whole path on the embedded sample data, offline: data, tokens, training, evaluation, proving."""
    from mathlm.quickstart.run import run_quickstart

    run_quickstart(workdir, only=stages.split(",") if stages else None)


def main() -> None:
    """Entry point: run the CLI; a MathlmError prints its message and exits with status 2."""
    try:
        app()
    except MathlmError as err:
        console.print(f"[bold red]error:[/] {escape(str(err))}", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
