"""The formal statements to prove, in the form the provers need: ``header`` + ``statement``.

* ``minif2f`` / ``minif2f_llemma`` (Lean 4): the statement ends ``:= by``; the header is the file's
  imports and options (``import Mathlib`` ...).
* ``minif2f_rocq`` (Coq): one ``.v`` file per theorem
  (``mathlm/assets/benchmarks/minif2f_rocq/{test,valid}``). The header is everything before
  ``Theorem <name>`` (``Require``s, definitions the statement uses,
  ``Open Scope``), the statement is that one sentence, and whatever followed (``Proof. Admitted.``) is
  what a proof replaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mathlm import assets
from mathlm.errors import MathlmError
from mathlm.theorem_proving.coq_text import CoqTextError, split_sentences

Language = Literal["lean", "coq"]
BENCHMARK_LANGUAGE: dict[str, Language] = {"minif2f": "lean", "minif2f_llemma": "lean", "minif2f_rocq": "coq"}
# Header of every miniF2F file in mathlm/assets/benchmarks/minif2f_lean4/minif2f.jsonl; used where a record
# has none.
MINIF2F_HEADER = "import Mathlib\n\nset_option maxHeartbeats 0\n\nopen BigOperators Real Nat Topology Rat\n\n"
ROCQ_DIR = assets.BENCHMARKS_DIR / "minif2f_rocq"


@dataclass(frozen=True)
class Theorem:
    """One formal statement to prove: Lean's ends with ``:= by``, Coq's is a ``Theorem ... .`` sentence."""

    id: str
    header: str
    statement: str
    split: str = "test"
    metadata: dict[str, Any] = field(default_factory=dict)
    language: Language = "lean"


def load_theorems(benchmark: str, split: str, header: str | None = None) -> list[Theorem]:
    """Every theorem of ``benchmark``'s ``split`` in file order; ``header`` replaces the Lean header."""
    if benchmark == "minif2f_rocq":
        return rocq_theorems(split)
    from mathlm.benchmarks import load_benchmark

    theorems = []
    for record in load_benchmark(benchmark):
        if record.split != split:
            continue
        chosen = header if header is not None else record.metadata.get("header", MINIF2F_HEADER)
        theorems.append(
            Theorem(
                record.id, chosen, as_tactic_statement(record.problem), record.split, dict(record.metadata)
            )
        )
    return theorems


def as_tactic_statement(statement: str) -> str:
    """``statement`` ending in ``:= by`` (Llemma's list stores the bare statement, miniF2F the ``:= by``)."""
    statement = statement.rstrip()
    if statement.endswith(":= by"):
        return statement
    return statement.removesuffix(":=").rstrip() + " := by"


def rocq_theorems(split: str, root: Path = ROCQ_DIR) -> list[Theorem]:
    """The miniF2F-rocq theorems of ``split`` (sorted by name, as the upstream listing)."""
    folder = root / split
    files = sorted(folder.glob("*.v"))
    if not files:
        raise MathlmError(f"no miniF2F-rocq files in {folder} (split must be test or valid)")
    return [parse_rocq_file(path, split) for path in files]


def parse_rocq_file(path: Path, split: str = "test") -> Theorem:
    """Split one miniF2F-rocq file into header and statement (the theorem is named like the file)."""
    text = path.read_text(encoding="utf-8")
    name = path.stem
    try:
        sentences = split_sentences(text)
    except CoqTextError as err:
        raise MathlmError(f"{path}: {err}") from None
    declares = re.compile(rf"(Theorem|Lemma)\s+{re.escape(name)}(?![\w'])")
    for sentence in sentences:
        if declares.match(sentence.code):
            return Theorem(
                name,
                text[: sentence.start],
                sentence.text,
                split,
                {"file": f"minif2f_rocq/{split}/{path.name}"},
                language="coq",
            )
    raise MathlmError(f"{path}: no 'Theorem {name}' sentence (every miniF2F-rocq file declares its theorem)")
