"""Shared by the Coq tests: the real Coq 8.16 from Debian must be installed (``make test`` installs it
through scripts/install_system_deps.sh); a missing Coq fails these tests with that message instead of
skipping them."""

from __future__ import annotations

import shutil

import pytest

from mathlm.theorem_proving.coq_ide import INSTALL_HINT
from mathlm.theorem_proving.theorems import Theorem, rocq_theorems


def require_coq() -> None:
    if shutil.which("coqidetop.opt") is None:
        pytest.fail(INSTALL_HINT)


def rocq(name: str, split: str = "test") -> Theorem:
    """A miniF2F-rocq theorem by name."""
    return next(t for t in rocq_theorems(split) if t.id == name)
