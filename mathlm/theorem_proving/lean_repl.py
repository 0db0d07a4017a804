"""A Lean 4 backend for Mathlib clusters over the Lean REPL (leanprover-community/repl).

The interface REPL / Pantograph-style users expect:

* **Proof-state handles.** ``{"cmd": statement + " := by sorry", "env": E}`` gives a ``proofState`` id for
  the goal; ``{"tactic": t, "proofState": p}`` runs one tactic on it and returns a new id. A branch is
  never re-elaborated: every search node keeps its REPL id.
* **The header once per process.** The first command of a process is the header (``import Mathlib``...);
  its environment id is reused by every theorem the process sees afterwards.
* **Heartbeats, not kills.** Each theorem is elaborated under ``set_option maxHeartbeats N in``, so a
  runaway tactic ends with Lean's own "deterministic timeout" error and the process lives on. A wall-time
  watchdog (``tactic_timeout_s``) remains for what heartbeats do not cover; it kills and restarts.
* **A pool with memory caps.** :class:`LeanReplPool` runs several REPL processes; a process whose
  resident memory passes ``memory_limit_mb`` after a request is restarted (Mathlib REPLs grow).
* **Batch whole-proof checking.** :meth:`LeanReplPool.check_batch` checks many complete proofs in
  parallel, one command each in the header's environment.

Tested here against a scripted stand-in that speaks the REPL's JSON protocol (no Lean REPL or Mathlib
can be installed on this machine); the real REPL is what cluster users run (see docs/theorem_proving.md).
"""

from __future__ import annotations

import json
import queue
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from mathlm.errors import MathlmError
from mathlm.theorem_proving.backend import Outcome, ProofState, TacticResult, TheoremStartError, proof_text
from mathlm.theorem_proving.process import ProverProcess


class ReplUnresponsive(Exception):
    """The REPL gave no answer in time."""


class ReplDied(Exception):
    """The REPL process exited."""


class LeanRepl(ProverProcess):
    """One REPL process: JSON commands separated by blank lines on stdin, one JSON answer each."""

    label = "the Lean REPL"
    died = ReplDied
    unresponsive = ReplUnresponsive
    start_error = MathlmError  # a missing REPL binary is the user's to fix, not a crash to count

    def __init__(self, command: Sequence[str], cwd: str | Path | None = None) -> None:
        super().__init__(command, cwd, text=True)

    def send(self, request: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        return self._exchange(json.dumps(request, ensure_ascii=False) + "\n\n", timeout_s)

    def resident_mb(self) -> float:
        """Resident memory of the process (Linux /proc), 0 when unknown."""
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    def _read(self) -> None:
        """Answers are JSON objects separated by blank lines (pretty-printed over several lines)."""
        assert self._proc.stdout is not None
        lines: list[str] = []
        try:
            for line in self._proc.stdout:
                if line.strip():
                    lines.append(line)
                    continue
                if lines:
                    self._put("".join(lines))
                    lines = []
        except (OSError, ValueError):  # the stream was closed by kill()
            lines = []
        if lines:
            self._put("".join(lines))
        self._answers.put(None)

    def _put(self, text: str) -> None:
        try:
            self._answers.put(json.loads(text))
        except json.JSONDecodeError:
            self._answers.put({"message": f"unreadable REPL answer: {text[:200]}"})


class LeanReplBackend:
    """A :class:`~mathlm.theorem_proving.backend.ProverBackend` over one REPL process."""

    def __init__(
        self,
        command: Sequence[str],
        project_dir: str | Path,
        tactic_timeout_s: float = 60.0,
        start_timeout_s: float = 600.0,
        max_heartbeats: int = 200000,
        memory_limit_mb: int | None = None,
    ) -> None:
        self.command, self.project_dir = list(command), Path(project_dir)
        self.tactic_timeout_s, self.start_timeout_s = tactic_timeout_s, start_timeout_s
        self.max_heartbeats, self.memory_limit_mb = max_heartbeats, memory_limit_mb
        self.failures: list[str] = []
        self.restarts = 0
        self._repl: LeanRepl | None = None
        self._header: str | None = None
        self._header_env: int | None = None

    @classmethod
    def from_config(cls, config: Any) -> LeanReplBackend:
        """From a ``ProverConfig``: ``lake env <repl>`` in ``project_dir`` (the REPL sees Mathlib)."""
        project = Path(config.project_dir).expanduser()
        if not project.is_dir():
            raise MathlmError(
                f"prover.project_dir does not exist: {project}; point it at a Lean project with "
                "Mathlib and the REPL (docs/theorem_proving.md)"
            )
        lake = shutil.which("lake")
        if lake is None:
            raise MathlmError("'lake' not found: install Lean 4 with elan (docs/theorem_proving.md)")
        return cls(
            [lake, "env", config.repl],
            project,
            config.tactic_timeout_s,
            config.start_timeout_s,
            config.max_heartbeats,
            config.memory_limit_mb,
        )

    # -- the backend interface -------------------------------------------------------------------

    def start(self, header: str, statement: str) -> ProofState:
        try:
            env = self._environment(header)
            answer = self._send(
                {"cmd": self._limited(statement) + " sorry", "env": env}, self.start_timeout_s
            )
        except (ReplUnresponsive, ReplDied) as err:
            raise TheoremStartError(self._failure(err), str(err)) from None
        errors = _errors(answer)
        sorries = answer.get("sorries") or []
        if errors or not sorries:
            raise TheoremStartError("statement_error", errors[0] if errors else "no goal after ':= by'")
        return ProofState(goals=sorries[0].get("goal", ""), handle=sorries[0]["proofState"])

    def apply(self, state: ProofState, tactic: str) -> TacticResult:
        try:
            answer = self._send({"tactic": tactic, "proofState": state.handle}, self.tactic_timeout_s)
        except (ReplUnresponsive, ReplDied) as err:
            return TacticResult(Outcome.ERROR, reason=self._failure(err), message=str(err))
        errors = _errors(answer)
        if errors or "proofState" not in answer:
            reason = "timeout" if any("heartbeats" in e for e in errors) else "lean_error"
            return TacticResult(
                Outcome.ERROR, reason=reason, message=errors[0] if errors else str(answer)[:300]
            )
        uses_sorry = any("sorry" in m.get("data", "") for m in answer.get("messages", []))
        if uses_sorry or str(answer.get("proofStatus", "")).startswith("Incomplete"):
            return TacticResult(Outcome.ERROR, reason="sorry", message="the tactic uses sorry")
        tactics, goals = (*state.tactics, tactic), answer.get("goals") or []
        new = ProofState("\n\n".join(goals), tactics, answer["proofState"])
        return TacticResult(Outcome.GOALS if goals else Outcome.PROVED, state=new)

    def render_proof(self, tactics: Sequence[str]) -> str:
        return proof_text(tactics)

    def check(self, header: str, statement: str, proof: str) -> str | None:
        messages = self.check_messages(header + statement + proof)
        errors = [text for severity, text in messages if severity == "error"]
        if errors:
            return errors[0]
        return "declaration uses 'sorry'" if any("sorry" in t for _, t in messages) else None

    def check_messages(self, text: str) -> list[tuple[str, str]]:
        """Lean's messages for a whole file; the header part runs in the process's header environment
        when it starts with the loaded header (the usual case), else as a fresh command."""
        try:
            if self._header and text.startswith(self._header):
                answer = self._send(
                    {"cmd": text[len(self._header) :], "env": self._environment(self._header)},
                    self.start_timeout_s,
                )
            else:
                answer = self._send({"cmd": text}, self.start_timeout_s)
        except (ReplUnresponsive, ReplDied) as err:
            return [("error", f"{self._failure(err)}: {err}")]
        return [(m.get("severity", "error"), m.get("data", "")) for m in answer.get("messages", [])]

    def close(self) -> None:
        if self._repl is not None:
            self._repl.kill()
        self._repl, self._header, self._header_env = None, None, None

    @property
    def pid(self) -> int | None:
        return self._repl.pid if self._repl is not None else None

    # -- process and environments -------------------------------------------------------------------

    def _limited(self, statement: str) -> str:
        """The statement under Lean's own heartbeat limit (inherited by the tactics run on its goal)."""
        return f"set_option maxHeartbeats {self.max_heartbeats} in\n{statement}"

    def _environment(self, header: str) -> int:
        """The environment id after ``header`` (loaded once per process)."""
        if (
            self._repl is not None
            and self._repl.alive()
            and self._header == header
            and self._header_env is not None
        ):
            return self._header_env
        answer = self._send({"cmd": header}, self.start_timeout_s) if header.strip() else {"env": None}
        errors = _errors(answer)
        if errors:
            raise TheoremStartError("header_error", errors[0])
        self._header, self._header_env = header, answer.get("env")
        return answer.get("env")

    def _send(self, request: dict[str, Any], timeout_s: float) -> dict[str, Any]:
        if self._repl is None or not self._repl.alive():
            if self._repl is not None:
                self.restarts += 1
            self._repl, self._header, self._header_env = LeanRepl(self.command, self.project_dir), None, None
        answer = self._repl.send({k: v for k, v in request.items() if v is not None}, timeout_s)
        if self.memory_limit_mb and self._repl.resident_mb() > self.memory_limit_mb:
            self.failures.append(
                f"memory: {self._repl.resident_mb():.0f} MB > {self.memory_limit_mb} MB, restarted"
            )
            self.close()  # proof-state ids die with the process: later tactics on old states fail cleanly
            self.restarts += 1
        return answer

    def _failure(self, err: Exception) -> str:
        reason = "timeout" if isinstance(err, ReplUnresponsive) else "server_crash"
        self.failures.append(f"{reason}: {err}")
        self.close()
        self.restarts += 1
        return reason


class LeanReplPool:
    """Several REPL backends (processes) for batch whole-proof checking, each under the memory cap."""

    def __init__(self, make_backend: Any, size: int) -> None:
        self.backends: list[LeanReplBackend] = [make_backend() for _ in range(max(1, size))]
        self._free: queue.Queue[LeanReplBackend] = queue.Queue()
        for backend in self.backends:
            self._free.put(backend)

    def check_batch(self, header: str, items: Sequence[tuple[str, str]]) -> list[str | None]:
        """``check(header, statement, proof)`` for every ``(statement, proof)``, in parallel over the pool;
        results in input order (None = complete proof without ``sorry``)."""

        def one(item: tuple[str, str]) -> str | None:
            backend = self._free.get()
            try:
                return backend.check(header, *item)
            finally:
                self._free.put(backend)

        with ThreadPoolExecutor(max_workers=len(self.backends)) as pool:
            return list(pool.map(one, items))

    def close(self) -> None:
        for backend in self.backends:
            backend.close()


def _errors(answer: dict[str, Any]) -> list[str]:
    """Error messages of a REPL answer (``messages`` with severity error, or a top-level ``message``)."""
    errors = [m.get("data", "") for m in answer.get("messages", []) if m.get("severity") == "error"]
    if "message" in answer and not answer.get("messages"):
        errors.append(str(answer["message"]))
    return errors
