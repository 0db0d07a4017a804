"""The command-line layer: the root group (:mod:`.root`) and the options every command group shares
(:mod:`.options`).

``app`` and ``main`` are resolved on first use rather than imported here: each stage's ``commands.py``
imports :mod:`mathlm.cli.options`, which runs this file first, and an eager import of the root group
(which imports every stage's commands) would then re-enter a half-initialised ``commands`` module.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("app", "main"):
        from mathlm.cli import root

        return getattr(root, name)
    raise AttributeError(f"module 'mathlm.cli' has no attribute {name!r}")
