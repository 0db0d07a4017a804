"""The Lean REPL client (proof-state handles, header once per process, heartbeat errors, hang watchdog,
memory cap, batch checking) against a FAKE REPL that speaks the REPL's JSON protocol
(tests/support/fake_lean_repl.py): no Lean REPL or Mathlib can be installed here, so this tests the
client, not Lean."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mathlm.theorem_proving.backend import Outcome
from mathlm.theorem_proving.lean_repl import LeanReplBackend, LeanReplPool
from tests.support import fake_lean_repl

FAKE = [sys.executable, str(Path(fake_lean_repl.__file__))]
HEADER = "import Mathlib\n\n"
STATEMENT = "theorem t (hq : q) : p := by"


@pytest.fixture
def repl(tmp_path: Path) -> Iterator[LeanReplBackend]:
    backend = LeanReplBackend(FAKE, tmp_path, tactic_timeout_s=3, start_timeout_s=10)
    yield backend
    backend.close()


def test_handles_header_once_and_heartbeat_errors(repl: LeanReplBackend) -> None:
    root = repl.start(HEADER, STATEMENT)
    assert root.goals == "⊢ p" and isinstance(root.handle, int)
    pid = repl.pid
    repl.start(HEADER, STATEMENT)  # the second theorem reuses the header's environment: no new process
    assert repl.pid == pid and repl._header_env == 0
    step = repl.apply(root, "constructor")
    assert step.outcome is Outcome.GOALS and step.state.goals == "⊢ q"
    sibling = repl.apply(root, "nonsense")  # a sibling from the same handle: nothing re-elaborated
    assert sibling.outcome is Outcome.ERROR and sibling.reason == "lean_error"
    spin = repl.apply(step.state, "spin")
    assert (
        spin.reason == "timeout" and "heartbeats" in spin.message and repl.pid == pid
    )  # Lean's limit, no kill
    done = repl.apply(step.state, "exact hq")
    assert done.outcome is Outcome.PROVED and done.state.tactics == ("constructor", "exact hq")


def test_a_hung_repl_is_killed_and_restarted(repl: LeanReplBackend) -> None:
    root = repl.start(HEADER, STATEMENT)
    first = repl.pid
    hung = repl.apply(root, "hang")
    assert (
        hung.outcome is Outcome.ERROR and hung.reason == "timeout" and repl.failures[0].startswith("timeout")
    )
    again = repl.start(HEADER, STATEMENT)  # a fresh process, the header loaded again
    assert repl.pid != first and repl.apply(again, "constructor").outcome is Outcome.GOALS


def test_memory_cap_restarts_a_grown_repl(tmp_path: Path) -> None:
    backend = LeanReplBackend(FAKE, tmp_path, tactic_timeout_s=10, memory_limit_mb=200)
    try:
        root = backend.start(HEADER, STATEMENT)
        first = backend.pid
        grown = backend.apply(root, "grow")
        assert (
            grown.outcome is Outcome.GOALS and backend.failures and backend.failures[0].startswith("memory")
        )
        assert backend.pid is None  # closed; the next request starts a new process
        backend.start(HEADER, STATEMENT)
        assert backend.pid != first
    finally:
        backend.close()


def test_batch_whole_proof_checking_over_a_pool(tmp_path: Path) -> None:
    pool = LeanReplPool(lambda: LeanReplBackend(FAKE, tmp_path, start_timeout_s=10), size=2)
    try:
        items = [
            (STATEMENT, "\n  constructor\n  exact hq"),
            (STATEMENT, "\n  constructor"),
            (STATEMENT, "\n  sorry"),
        ] * 2
        results = pool.check_batch(HEADER, items)
        assert results[0] is None and results[1] == "unsolved goals" and results[2] is not None
        assert results[3:] == results[:3]
    finally:
        pool.close()
