"""The CLI contract: every group explains itself, errors print a message and exit 2 instead of a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from mathlm import __version__
from mathlm.cli import app

runner = CliRunner()
GROUPS = ["data", "train", "eval", "prove", "slurm", "export", "convert"]


def test_root_help_lists_every_group() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in [*GROUPS, "quickstart"]:
        assert group in result.output


@pytest.mark.parametrize("group", GROUPS)
def test_group_help(group: str) -> None:
    result = runner.invoke(app, [group, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_every_command_has_help_text() -> None:
    """Walk the click tree: a command without a docstring/help is a command a user cannot discover."""
    import typer.main

    root = typer.main.get_command(app)
    missing = []

    def walk(command, path: str) -> None:  # type: ignore[no-untyped-def]
        if not (command.help or command.short_help):
            missing.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(root, "mathlm")
    assert missing == []


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_user_error_is_a_message_not_a_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The installed entry point turns MathlmError into 'error: ...' on stderr and exit status 2."""
    result = subprocess.run(
        [sys.executable, "-m", "mathlm.cli", "quickstart", "--workdir", str(tmp_path), "--stages", "nope"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "error: unknown quickstart stage(s): nope" in result.stderr
    assert "Traceback" not in result.stderr
