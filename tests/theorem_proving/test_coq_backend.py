"""The Coq backend on the real coqidetop (Debian Coq 8.16) and real miniF2F-rocq statements: structured
goals and errors, jumping back by state id instead of replaying, Coq's own Timeout stopping a runaway
tactic, and an unresponsive or killed process restarted without hanging the search."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from mathlm.errors import MathlmError
from mathlm.theorem_proving.backend import Outcome
from mathlm.theorem_proving.coq_backend import CoqBackend
from mathlm.theorem_proving.coq_ide import CoqIdeProcess
from mathlm.theorem_proving.proposer import Candidate
from mathlm.theorem_proving.search import SearchBudget, best_first_search
from tests.support.coq import require_coq, rocq


@pytest.fixture
def coq() -> Iterator[CoqBackend]:
    require_coq()
    backend = CoqBackend(tactic_timeout_s=1, grace_s=2)
    yield backend
    backend.close()


def test_goals_errors_and_a_real_proof(coq: CoqBackend) -> None:
    theorem = rocq("mathd_algebra_107")
    root = coq.start(theorem.header, theorem.statement)
    assert root.goals.startswith(
        "=" * 28 + "\nforall x y : R,"
    )  # no hypothesis yet, the conclusion under the rule
    intro = coq.apply(root, "intros x y h.")
    assert intro.outcome is Outcome.GOALS
    assert "h : x ^ 2 + 8 * x + y ^ 2 - 6 * y = 0" in intro.state.goals.splitlines()
    wrong = coq.apply(intro.state, "reflexivity.")
    assert (
        wrong.outcome is Outcome.ERROR and wrong.reason == "coq_error" and "Unable to unify" in wrong.message
    )
    syntax = coq.apply(intro.state, "intros (.")
    assert syntax.outcome is Outcome.ERROR and "Syntax error" in syntax.message
    done = coq.apply(intro.state, "nra.")  # the backend's prelude loaded Psatz
    assert done.outcome is Outcome.PROVED and done.state.tactics == ("intros x y h.", "nra.")
    assert coq.render_proof(done.state.tactics).endswith("intros x y h.\n  nra.\nQed.")
    assert coq.check(theorem.header, theorem.statement, coq.render_proof(done.state.tactics)) is None


def test_sibling_tactics_jump_back_by_state_id_without_replay(
    coq: CoqBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    theorem = rocq("mathd_algebra_107")
    root = coq.start(theorem.header, theorem.statement)
    sent: list[str] = []
    add = CoqIdeProcess.add
    monkeypatch.setattr(
        CoqIdeProcess, "add", lambda self, sentence, *a: sent.append(sentence) or add(self, sentence, *a)
    )
    intro = coq.apply(root, "intros x y h.").state
    for candidate in ["idtac.", "reflexivity.", "clear h."]:  # one expansion: siblings from the same state
        coq.apply(intro, candidate)
    assert [s.removeprefix("Timeout 1 ") for s in sent] == [
        "intros x y h.",
        "idtac.",
        "reflexivity.",
        "clear h.",
    ]
    sent.clear()
    other = coq.apply(root, "intro x.").state  # another branch: jump back to the root's state id
    coq.apply(intro, "idtac.")  # back to the first branch: only its one sentence is replayed
    assert [s.removeprefix("Timeout 1 ") for s in sent] == ["intro x.", "intros x y h.", "idtac."]
    assert other.goals != intro.goals


def test_a_runaway_tactic_is_stopped_by_coq_and_the_process_lives_on(coq: CoqBackend) -> None:
    theorem = rocq("mathd_algebra_107")
    root = coq.start(theorem.header, theorem.statement)
    pid = coq.pid
    loop = coq.apply(root, "let rec f := (idtac; f) in f.")
    assert loop.outcome is Outcome.ERROR and loop.reason == "timeout" and "Timeout" in loop.message
    assert coq.pid == pid and coq.failures == []  # Coq interrupted itself: no restart
    assert coq.apply(root, "intros; nra.").outcome is Outcome.PROVED


class StopsCoqFirst:
    """A proposer that freezes the Coq process (SIGSTOP) before its first answer: the first candidate
    then meets an unresponsive worker, as a tactic Coq cannot interrupt would."""

    model_id = "scripted"

    def __init__(self, backend: CoqBackend, stop: signal.Signals) -> None:
        self.backend, self.stop, self.calls = backend, stop, 0

    def propose(self, goals: str) -> list[Candidate]:
        self.calls += 1
        if self.calls == 1:
            os.kill(self.backend.pid, self.stop)
        return [Candidate("intros x y h.", -0.1), Candidate("intros; nra.", -0.2)]


@pytest.mark.parametrize(("stop", "reason"), [(signal.SIGSTOP, "timeout"), (signal.SIGKILL, "prover_crash")])
def test_an_unresponsive_or_dead_worker_does_not_stop_the_search(
    coq: CoqBackend, stop: signal.Signals, reason: str
) -> None:
    theorem = rocq("mathd_algebra_107")
    first_pid_holder: list[int] = []
    coq.start(theorem.header, theorem.statement)
    first_pid_holder.append(coq.pid)
    result = best_first_search(
        coq,
        StopsCoqFirst(coq, stop),
        theorem.header,
        theorem.statement,
        SearchBudget(max_expansions=3, timeout_s=120),
    )
    assert result.errors[reason] == 1, result
    assert len(coq.failures) == 1 and coq.failures[0].startswith(reason)
    assert result.proved and result.proof == ["intros; nra."]  # the restarted process found the proof
    assert coq.pid != first_pid_holder[0]


def test_missing_coq_says_how_to_install_it() -> None:
    with pytest.raises(MathlmError, match="apt-get install -y coq libcoq-stdlib libcoq-coquelicot"):
        CoqBackend("/nonexistent/coqidetop.opt")
