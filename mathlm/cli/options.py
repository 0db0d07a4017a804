"""Pieces shared by every command group: the ``--set`` option and a group with a default command."""

from __future__ import annotations

from typing import Annotated

import click
import typer
from typer.core import TyperGroup

SetOption = Annotated[
    list[str],
    typer.Option(
        "--set",
        help="Override a config value, e.g. --set optim.lr=3e-4 (repeatable; values are parsed as YAML).",
        show_default=False,
    ),
]


class DefaultCommandGroup(TyperGroup):
    """A group whose first positional argument may skip the command name.

    ``mathlm train CONFIG`` means ``mathlm train run CONFIG`` while ``mathlm train plot RUN`` still
    reaches ``plot``: an argument that is not a command name is handed to the default command (``run``).
    """

    default_command = "run"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)
