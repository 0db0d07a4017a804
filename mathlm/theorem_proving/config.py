"""The schemas of ``configs/prove/*.yaml``: which benchmark, which model, which prover, which budgets.

``prover`` names a registered prover (:mod:`mathlm.theorem_proving.provers`): ``coq`` (coqidetop, for
``minif2f_rocq``), ``lean_server`` (a Lean language server) or ``lean_repl`` (the Lean REPL with
proof-state handles, for Mathlib clusters). ``prover: coq`` is short for ``prover: {backend: coq}``.

Two modes, each on or off: ``search`` (best-first search over tactics, Llemma's setting) and
``whole_proof`` (the model writes a complete proof, ``k`` samples, pass@k). Every proof either mode
finds counts only once the verifier accepts it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from mathlm.config import ConfigModel


class ModelConfig(ConfigModel):
    """The model. ``temperature: 0`` with ``n > 1`` is beam search (the published search setting).
    ``engine: automation`` is no model: the search proposes a fixed list of Coq decision procedures
    (the automation baseline, :mod:`mathlm.theorem_proving.baseline`)."""

    engine: Literal["hf", "vllm", "openai", "automation"] = "hf"
    path: str = ""  # checkpoint directory (hf, vllm) or the served model name (openai)
    base_url: str | None = None  # openai: e.g. http://localhost:8000/v1
    n: int = 32
    temperature: float = 0.0
    top_p: float = 0.95
    max_new_tokens: int = 256
    dtype: Literal["auto", "bf16", "fp16", "fp32"] = "auto"
    seed: int = 0
    vllm: dict[str, Any] = Field(default_factory=dict)  # extra vllm.LLM arguments (tensor_parallel_size...)


class ProverConfig(ConfigModel):
    """The prover. Options that do not apply to the chosen backend are ignored."""

    backend: str = "lean_server"  # a name registered in theorem_proving.provers
    tactic_timeout_s: float = 60.0  # Coq: `Timeout N` per tactic; Lean server: per edit; REPL: per command
    start_timeout_s: float = 600.0  # loading the header (Mathlib) / the statement
    # Coq
    coqidetop: str = "coqidetop.opt"
    grace_s: float = 5.0  # an answer later than tactic_timeout_s + grace_s = a hung process: restart it
    allowed_libraries: list[str] = Field(default_factory=lambda: ["Coq", "Coquelicot"])
    proof_prelude: str = "Require Import Lia Lra Psatz."  # run after `Proof.`; part of every proof found
    # Lean
    project_dir: str = "."
    lean: str = "lean"
    use_lake: bool = True
    env: dict[str, str] = Field(default_factory=dict)  # e.g. LEAN_WORKER_PATH, LEAN_PATH
    repl: str = "repl"  # lean_repl: the REPL binary (leanprover-community/repl), run with `lake env`
    max_heartbeats: int = 200000  # lean_repl: Lean's own limit per tactic (0 = none), not a kill
    memory_limit_mb: int | None = None  # lean_repl: restart a REPL whose resident memory passes this
    allow_native_decide: bool = False  # verifier policy (Lean): native_decide trusts the compiler

    @model_validator(mode="before")
    @classmethod
    def _name_only(cls, value: Any) -> Any:
        return {"backend": value} if isinstance(value, str) else value


class SearchConfig(ConfigModel):
    """Best-first search per theorem. Llemma: 32 candidates per expansion, 100 expansions or 600 s."""

    enabled: bool = True
    max_expansions: int = 100
    max_tactics: int | None = None
    timeout_s: float = 600.0


class WholeProofConfig(ConfigModel):
    """The model writes whole proofs: ``k`` samples per theorem, each checked by the verifier (pass@k)."""

    enabled: bool = False
    k: int = 8
    temperature: float = 0.8
    top_p: float = 0.95
    max_new_tokens: int = 512


class ProveConfig(ConfigModel):
    """A proving run (``configs/prove/*.yaml``)."""

    benchmark: Literal["minif2f", "minif2f_llemma", "minif2f_rocq"] = "minif2f"
    split: Literal["test", "valid"] = "test"
    limit: int | None = None
    header: str | None = None  # Lean: overrides the benchmark's file header
    output_dir: str = "runs/prove"
    workers: int = 1
    model: ModelConfig = ModelConfig()
    prover: ProverConfig = ProverConfig()
    search: SearchConfig = SearchConfig()
    whole_proof: WholeProofConfig = WholeProofConfig()
