"""The Coq backend: one persistent ``coqidetop`` per search worker, proof states as Coq state ids.

A theorem is ``header`` (``Require``s, definitions, ``Open Scope``) + ``statement`` (``Theorem name ... .``);
the backend adds the header's sentences once and keeps them while the header stays the same, then the
statement and ``Proof.``. A :class:`ProofState` carries the proof sentences that lead to it. To try a
tactic on a state the backend keeps the current document when it is on the state's path and jumps back
with ``Edit_at`` to the state's id, so trying the 32 candidates of one expansion costs one ``Add`` + run
each, never a replay; moving to a state on another branch replays only the sentences after the point
where the two branches part (each was checked already, so this is cheap).

Every tactic sentence runs as ``Timeout N sentence.``, so a tactic that loops is stopped by Coq itself
and the process lives on. A process that still does not answer in ``N + grace`` seconds (a stopped or
hung process, a loop Coq cannot interrupt) is killed with its process group, recorded in
``failures``, and the next call starts a fresh one and replays the needed state.

``proof_prelude`` (default ``Require Import Lia Lra Psatz.``) runs right after ``Proof.`` of every
theorem, so ``lia``/``lra``/``nra`` are there without changing the environment the statement was
elaborated in; it is part of every proof script the backend writes out.

When no goal is left the backend sends ``Qed.`` in the same session: a proof only counts as found when
Coq's kernel accepts it. The search then re-checks the whole file with :mod:`mathlm.theorem_proving.verify`.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mathlm.theorem_proving.backend import Outcome, ProofState, TacticResult, TheoremStartError
from mathlm.theorem_proving.coq_ide import (
    COQIDETOP,
    Answer,
    CoqDied,
    CoqGoals,
    CoqIdeProcess,
    CoqUnresponsive,
    find_coqidetop,
    parse_goals,
)
from mathlm.theorem_proving.coq_text import CoqTextError, Sentence, split_sentences

_UNWRAPPED = {"-", "+", "*", "{", "}"}  # bullets and braces cannot take a Timeout prefix
DEFAULT_PRELUDE = "Require Import Lia Lra Psatz."
_CLOSERS = {"Qed.", "Defined."}  # a proposal may end with these: the backend closes proofs itself


def proof_script(tactics: Sequence[str], prelude: str = "") -> str:
    """The text that follows a Coq statement for a list of tactics: ``Proof. <prelude> ... Qed.``."""
    body = "".join(f"\n  {tactic.strip()}" for tactic in ([prelude] if prelude else []) + list(tactics))
    return f"\nProof.{body}\nQed."


@dataclass
class _Document:
    """What the live coqidetop holds: the header, the statement, and the proof sentences after them."""

    root: int
    header: str = ""
    header_tip: int = 0
    statement: str = ""
    proof_start: int = 0  # state after "Proof."
    path: list[tuple[str, int]] = field(default_factory=list)  # (sentence as sent, state id after it)

    def tip(self) -> int:
        return self.path[-1][1] if self.path else self.proof_start


class CoqBackend:
    """A :class:`~mathlm.theorem_proving.backend.ProverBackend` over one ``coqidetop`` process."""

    def __init__(
        self,
        executable: str = COQIDETOP,
        tactic_timeout_s: float = 10.0,
        start_timeout_s: float = 120.0,
        grace_s: float = 5.0,
        workdir: str | Path | None = None,
        proof_prelude: str = DEFAULT_PRELUDE,
    ) -> None:
        self.command = [find_coqidetop(executable), "-main-channel", "stdfds", "-async-proofs", "off"]
        self.tactic_timeout_s = tactic_timeout_s
        self.start_timeout_s = start_timeout_s
        self.grace_s = grace_s
        # lia/nra write certificate caches (.lia.cache, .nra.cache) into the working directory
        self._scratch = tempfile.TemporaryDirectory(prefix="mathlm-coq-") if workdir is None else None
        self.workdir = str(workdir) if workdir is not None else self._scratch.name
        self.proof_prelude = proof_prelude
        self.failures: list[str] = []  # one line per hang/crash that cost a restart
        self.restarts = 0
        self._process: CoqIdeProcess | None = None
        self._doc: _Document | None = None

    # -- the backend interface -------------------------------------------------------------------

    def start(self, header: str, statement: str) -> ProofState:
        try:
            goals = self._load(header, statement)
        except (CoqUnresponsive, CoqDied) as err:
            raise TheoremStartError(self._failure(err), str(err)) from None
        return ProofState(goals=goals.render(), tactics=(), handle=((header, statement), ()))

    def apply(self, state: ProofState, tactic: str) -> TacticResult:
        (header, statement), path = state.handle
        try:
            sentences = split_sentences(tactic)
            while sentences and sentences[-1].code in _CLOSERS:
                sentences.pop()
        except CoqTextError as err:
            return TacticResult(Outcome.ERROR, reason="parse_error", message=str(err))
        if not sentences:
            return TacticResult(Outcome.ERROR, reason="empty", message="no Coq sentence in the tactic")
        try:
            self._goto(header, statement, path)
            parent = self._require_doc().tip()
            added = self._add_all([self._guarded(s) for s in sentences], self.tactic_timeout_s + self.grace_s)
            if isinstance(added, TacticResult):
                return added
            goals = self._observe(parent, self.tactic_timeout_s + self.grace_s)
            if isinstance(goals, TacticResult):
                return goals
            tactics = (*state.tactics, tactic)
            new_path = (*path, *(text for text, _ in added))
            if goals is None:
                self._rewind(parent)
                return TacticResult(
                    Outcome.ERROR,
                    reason="left_proof",
                    message="the tactic ended the proof mode (only tactics may follow)",
                )
            if goals.given_up:
                self._rewind(parent)
                return TacticResult(Outcome.ERROR, reason="gave_up", message="a goal was given up (admit)")
            if goals.finished:
                problem = self._qed()
                if problem:
                    return TacticResult(Outcome.ERROR, reason="qed_failed", message=problem)
                return TacticResult(
                    Outcome.PROVED, state=ProofState("", tactics, ((header, statement), new_path))
                )
            return TacticResult(
                Outcome.GOALS, state=ProofState(goals.render(), tactics, ((header, statement), new_path))
            )
        except (CoqUnresponsive, CoqDied) as err:
            return TacticResult(Outcome.ERROR, reason=self._failure(err), message=str(err))

    def render_proof(self, tactics: Sequence[str]) -> str:
        return proof_script(tactics, self.proof_prelude)

    def check(self, header: str, statement: str, proof: str) -> str | None:
        from mathlm.theorem_proving.verify import verify_coq

        verdict = verify_coq(header, statement, proof, timeout_s=self.start_timeout_s)
        return None if verdict.verified else verdict.reason

    def close(self) -> None:
        if self._process is not None:
            self._process.kill()
        self._process, self._doc = None, None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    # -- moving around the document ----------------------------------------------------------------

    def _load(self, header: str, statement: str) -> CoqGoals:
        """Make the document ``header + statement + Proof.``; keeps a loaded header. Raises
        TheoremStartError when the header or statement does not elaborate."""
        doc = self._require_doc()
        if doc.header != header or doc.header_tip == 0:
            self._edit_at(doc.root, self.start_timeout_s)
            doc.header, doc.header_tip, doc.statement, doc.path = "", 0, "", []
            tip = self._add_checked(header, doc.root, "header_error")
            doc.header, doc.header_tip = header, tip
        else:  # the header stays loaded: jump back to just after it
            self._edit_at(doc.header_tip, self.start_timeout_s)
        doc.statement, doc.path = "", []
        tip = self._add_checked(
            statement + "\nProof.\n" + self.proof_prelude, doc.header_tip, "statement_error"
        )
        answer = self._process_goals(self.start_timeout_s)
        goals = parse_goals(answer) if answer.good else None
        if goals is None or goals.finished:
            self._edit_at(doc.header_tip, self.start_timeout_s)
            raise TheoremStartError(
                "statement_error", answer.message or "the statement does not open a proof"
            )
        doc.statement, doc.proof_start = statement, tip
        return goals

    def _add_checked(self, text: str, tip: int, reason: str) -> int:
        """Add and run every sentence of ``text`` after ``tip``; TheoremStartError(reason) on failure."""
        try:
            sentences = split_sentences(text)
        except CoqTextError as err:
            raise TheoremStartError(reason, str(err)) from None
        for sentence in sentences:
            answer = self._proc().add(sentence.text, tip, self.start_timeout_s)
            if not answer.good:
                self._edit_at(tip, self.start_timeout_s)
                raise TheoremStartError(reason, answer.message)
            tip = _new_state(answer)
            run = self._process_goals(self.start_timeout_s)
            if not run.good:
                self._edit_at(run.last_good_state or tip, self.start_timeout_s)
                raise TheoremStartError(reason, f"{sentence.text[:80]!r}: {run.message}")
        return tip

    def _goto(self, header: str, statement: str, path: Sequence[str]) -> None:
        """Put the document at the end of ``path`` (proof sentences after ``Proof.``)."""
        doc = self._require_doc()
        if doc.header != header or doc.statement != statement:
            self._load(header, statement)
        common = 0
        while common < min(len(path), len(doc.path)) and doc.path[common][0] == path[common]:
            common += 1
        if common < len(doc.path):
            self._rewind(doc.path[common - 1][1] if common else doc.proof_start)
        if common < len(path):
            parent = doc.tip()
            added = self._add_all(list(path[common:]), self.tactic_timeout_s + self.grace_s)
            replay = (
                added
                if isinstance(added, TacticResult)
                else self._observe(parent, self.tactic_timeout_s + self.grace_s)
            )
            if isinstance(replay, TacticResult):  # a path that worked before fails now: start over once
                raise CoqDied(f"replaying a known proof path failed: {replay.message}")

    def _add_all(self, sentences: list[str], timeout_s: float) -> list[tuple[str, int]] | TacticResult:
        """Add sentences at the tip; on a parse error rewind and return the error result."""
        doc = self._require_doc()
        parent = doc.tip()
        added: list[tuple[str, int]] = []
        for sentence in sentences:
            answer = self._proc().add(sentence, doc.tip(), timeout_s)
            if not answer.good:
                self._rewind(parent)
                return TacticResult(Outcome.ERROR, reason="coq_error", message=answer.message)
            added.append((sentence, _new_state(answer)))
            doc.path.append(added[-1])
        return added

    def _observe(self, parent: int, timeout_s: float) -> CoqGoals | None | TacticResult:
        """Run what was added; on failure rewind to ``parent`` and return the error result."""
        answer = self._process_goals(timeout_s)
        if answer.good:
            return parse_goals(answer)
        self._rewind(parent)
        reason = "timeout" if "Timeout" in answer.message else "coq_error"
        return TacticResult(Outcome.ERROR, reason=reason, message=answer.message)

    def _qed(self) -> str:
        """Close the proof with Qed (the kernel checks the term); '' when accepted. Rewinds after."""
        doc = self._require_doc()
        tip = doc.tip()
        answer = self._proc().add("Qed.", tip, self.start_timeout_s)
        if answer.good:
            answer = self._process_goals(self.start_timeout_s)
        self._edit_at(tip, self.start_timeout_s)
        return "" if answer.good else (answer.message or "Qed failed")

    def _rewind(self, state_id: int) -> None:
        """Edit_at ``state_id`` and drop the path entries after it."""
        doc = self._require_doc()
        self._edit_at(state_id, self.tactic_timeout_s + self.grace_s)
        while doc.path and doc.path[-1][1] != state_id:
            doc.path.pop()

    def _edit_at(self, state_id: int, timeout_s: float) -> None:
        answer = self._proc().edit_at(state_id, timeout_s)
        if not answer.good:
            raise CoqDied(f"Edit_at {state_id} failed: {answer.message}")

    def _process_goals(self, timeout_s: float) -> Answer:
        return self._proc().goals(timeout_s)

    def _guarded(self, sentence: Sentence) -> str:
        """``Timeout N sentence`` so Coq stops a runaway tactic itself (bullets/braces stay bare)."""
        if sentence.code in _UNWRAPPED or sentence.code.strip(sentence.code[:1]) == "":
            return sentence.text
        return f"Timeout {max(1, math.ceil(self.tactic_timeout_s))} {sentence.text}"

    # -- the process -------------------------------------------------------------------------------

    def _proc(self) -> CoqIdeProcess:
        if self._process is None or not self._process.alive():
            raise CoqDied("coqidetop is not running")
        return self._process

    def _require_doc(self) -> _Document:
        """The document of the running process; starts coqidetop (again) when there is none."""
        if self._process is not None and self._process.alive() and self._doc is not None:
            return self._doc
        if self._process is not None:
            self._process.kill()
            self.restarts += 1
        self._process = CoqIdeProcess(self.command, cwd=self.workdir)
        self._doc = _Document(root=self._process.init(self.start_timeout_s))
        return self._doc

    def _failure(self, err: Exception) -> str:
        """Record a hang or crash, kill the process (the next call starts a new one), name the reason."""
        reason = "timeout" if isinstance(err, CoqUnresponsive) else "prover_crash"
        self.failures.append(f"{reason}: {err}")
        if self._process is not None:
            self._process.kill()
        self._process, self._doc = None, None
        self.restarts += 1
        return reason


def _new_state(answer: Answer) -> int:
    found = answer.value.find("pair/state_id")
    if found is None:
        raise CoqDied("coqidetop's Add answer has no state id")
    return int(found.get("val", "0"))
