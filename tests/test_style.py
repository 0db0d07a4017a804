"""The tree is ruff clean: lint (``ruff check``) and one formatting style (``ruff format --check``).

Both use the configuration in pyproject.toml; ruff is a test extra (``make test`` installs it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if executable is None:
        pytest.fail("ruff is not installed: it is a test extra (`make install-test`)")
    return subprocess.run([executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_check() -> None:
    result = ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr


def test_ruff_format() -> None:
    result = ruff("format", "--check", "--no-cache", ".")
    assert result.returncode == 0, (
        "not formatted (run `ruff format`):\n" + result.stdout[-6000:] + result.stderr
    )
