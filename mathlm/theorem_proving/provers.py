"""Provers registered by name: what ``prover.backend`` in a prove config may say.

Each entry knows its proof language (a Coq prover cannot run a Lean benchmark) and how to build one
backend per search worker from the config. Adding a prover = one function with ``@register(...)``
here that returns a :class:`~mathlm.theorem_proving.backend.ProverBackend`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mathlm.errors import MathlmError
from mathlm.registry import Registry
from mathlm.theorem_proving.backend import ProverBackend
from mathlm.theorem_proving.config import ProverConfig
from mathlm.theorem_proving.theorems import Language

Builder = Callable[[ProverConfig], ProverBackend]


@dataclass(frozen=True)
class Prover:
    name: str
    language: Language
    description: str
    build: Builder


PROVERS: Registry[Prover] = Registry("prover")


def register(name: str, language: Language, description: str) -> Callable[[Builder], Builder]:
    """Register ``build(config) -> backend`` under ``name``."""

    def add(build: Builder) -> Builder:
        PROVERS.register(name, Prover(name, language, description, build))
        return build

    return add


def get_prover(name: str) -> Prover:
    """The prover called ``name``; an unknown name is an error listing the known ones."""
    return PROVERS.get(name)


@register("coq", "coq", "Coq 8.16 through coqidetop (XML protocol, state ids, Timeout per tactic)")
def _coq(config: ProverConfig) -> ProverBackend:
    from mathlm.theorem_proving.coq_backend import CoqBackend

    return CoqBackend(
        config.coqidetop,
        tactic_timeout_s=config.tactic_timeout_s,
        start_timeout_s=config.start_timeout_s,
        grace_s=config.grace_s,
        proof_prelude=config.proof_prelude,
    )


@register(
    "lean_server", "lean", "a Lean 4 language server (lake serve / lean --server), one document per worker"
)
def _lean_server(config: ProverConfig) -> ProverBackend:
    from mathlm.theorem_proving.lean_server import LeanServerBackend, server_command

    project_dir = Path(config.project_dir).expanduser()
    if not project_dir.is_dir():
        raise MathlmError(
            f"prover.project_dir does not exist: {project_dir}; point it at your Lean project "
            "with Mathlib (docs/theorem_proving.md)"
        )
    return LeanServerBackend(
        server_command(config.lean, project_dir, config.use_lake),
        project_dir,
        env=config.env,
        tactic_timeout_s=config.tactic_timeout_s,
        start_timeout_s=config.start_timeout_s,
        document_name=f"MathlmProofSearch{threading.get_ident()}.lean",
    )


@register(
    "lean_repl",
    "lean",
    "the Lean REPL: proof-state handles, header loaded once, heartbeat limits, memory cap",
)
def _lean_repl(config: ProverConfig) -> ProverBackend:
    from mathlm.theorem_proving.lean_repl import LeanReplBackend

    return LeanReplBackend.from_config(config)
