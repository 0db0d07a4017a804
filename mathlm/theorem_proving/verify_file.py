"""``mathlm prove verify``: check a JSONL file of proofs with the sound verifier, line by line.

Every input line gets one output line on stdout, in order: the input's ``theorem`` and ``proof`` plus
``verified`` and ``reason``. A line that is not a JSON object with string ``theorem`` and ``proof``
is reported (``verified: false``, ``reason: bad_line: ...`` with its line number) and the rest of the
file is still checked; an unknown theorem name is ``unknown_theorem``. A count goes to stderr.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from mathlm.errors import MathlmError
from mathlm.theorem_proving.theorems import Theorem, load_theorems
from mathlm.theorem_proving.verify import CoqVerifier, TheoremVerifier

BENCHMARK = {"coq": "minif2f_rocq", "lean": "minif2f"}


def theorems_by_name(prover: str, split: str | None) -> dict[str, Theorem]:
    if prover not in BENCHMARK:
        raise MathlmError(f"--prover must be coq or lean, not {prover!r}")
    splits = [split] if split else ["test", "valid"]
    return {t.id: t for s in splits for t in load_theorems(BENCHMARK[prover], s)}


def verify_jsonl(
    path: Path,
    prover: str,
    split: str | None = None,
    allow_native_decide: bool = False,
    lean_project: Path | None = None,
) -> int:
    """Verify every line of ``path``; returns the exit status (0, or 1 when some line was unreadable)."""
    if not path.is_file():
        raise MathlmError(f"no such file: {path}")
    theorems = theorems_by_name(prover, split)
    verifier = _verifier(prover, allow_native_decide, lean_project)
    counts = {"lines": 0, "verified": 0, "bad_lines": 0}
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                counts["lines"] += 1
                row = _check_line(line, number, theorems, verifier)
                counts["verified"] += row["verified"]
                counts["bad_lines"] += row["reason"].startswith("bad_line")
                print(json.dumps(row, ensure_ascii=False), flush=True)
    finally:
        verifier.close()
    print(
        f"{counts['verified']} of {counts['lines']} proofs verified ({counts['bad_lines']} unreadable lines) "
        f"in {path}",
        file=sys.stderr,
    )
    return 1 if counts["bad_lines"] else 0


def _check_line(
    line: str, number: int, theorems: dict[str, Theorem], verifier: TheoremVerifier
) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        return {
            "line": number,
            "verified": False,
            "reason": f"bad_line: line {number} is not JSON ({err.msg})",
        }
    if (
        not isinstance(record, dict)
        or not isinstance(record.get("theorem"), str)
        or not isinstance(record.get("proof"), str)
    ):
        return {
            "line": number,
            "verified": False,
            "reason": f'bad_line: line {number} needs string fields "theorem" and "proof"',
        }
    theorem = theorems.get(record["theorem"])
    if theorem is None:
        verdict_reason, verified = f"unknown_theorem: no theorem named {record['theorem']!r}", False
    else:
        verdict = verifier.verify(theorem, record["proof"])
        verdict_reason, verified = verdict.reason, verdict.verified
    return {**record, "verified": verified, "reason": verdict_reason}


def _verifier(prover: str, allow_native_decide: bool, lean_project: Path | None) -> TheoremVerifier:
    if prover == "coq":
        return TheoremVerifier("coq", CoqVerifier())
    backend = None
    if lean_project is not None:
        from mathlm.theorem_proving.config import ProverConfig
        from mathlm.theorem_proving.provers import get_prover

        backend = get_prover("lean_server").build(ProverConfig(project_dir=str(lean_project)))
    return TheoremVerifier("lean", lean_backend=backend, allow_native_decide=allow_native_decide)
