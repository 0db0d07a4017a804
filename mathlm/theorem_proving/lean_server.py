"""The default backend: a persistent Lean 4 language server (``lean --server`` or ``lake serve``).

The server keeps one document open. A theorem replaces its text with ``header + statement``; every
candidate tactic is an edit that appends the tactic path to the statement. After each edit we wait for
the diagnostics of *that* document version (``textDocument/waitForDiagnostics`` plus the version's
``$/lean/fileProgress`` "done"; diagnostics of an older version are never read as the answer) and ask
``$/lean/plainGoal`` for the goals at the end of the last tactic. The header stays identical between
edits, so Lean keeps its import snapshot: with ``import Mathlib`` only the first theorem pays the load.

``-Dserver.reportDelayMs=0`` makes the server report as soon as elaboration finishes instead of
batching for 200 ms, which is most of the round trip otherwise.

A request without an answer in ``tactic_timeout_s`` (a tactic that never terminates, a hung server) or
a server that died is recorded, the process group is killed, and the next call starts a fresh server.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathlm.errors import MathlmError
from mathlm.theorem_proving.backend import Outcome, ProofState, TacticResult, TheoremStartError, proof_text
from mathlm.theorem_proving.lsp import LspClient, LspError, RequestTimeout, ServerDied

UNSOLVED = "unsolved goals"
SORRY_WARNING = "declaration uses 'sorry'"


@dataclass
class _Document:
    """The diagnostics and progress the server reported for our document, by version."""

    diagnostics: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    done: set[int] = field(default_factory=set)
    changed: threading.Condition = field(default_factory=threading.Condition)


@dataclass(frozen=True)
class Diagnostics:
    """The errors and warnings of one document version, split by what the backend does with them."""

    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]

    def blocking(self) -> list[dict[str, Any]]:
        """Errors other than "unsolved goals" (which only says the proof is not finished yet)."""
        return [d for d in self.errors if not d["message"].startswith(UNSOLVED)]

    def uses_sorry(self) -> bool:
        return any(SORRY_WARNING in d["message"] for d in self.warnings)


def server_command(
    lean: str = "lean",
    project_dir: str | Path | None = None,
    use_lake: bool = False,
    report_delay_ms: int = 0,
) -> list[str]:
    """The command line of the server: ``lake serve`` inside a Lean project (it sets up the import
    paths of the project's dependencies, e.g. Mathlib), else ``lean --server``."""
    option = f"-Dserver.reportDelayMs={report_delay_ms}"
    if use_lake:
        if project_dir is None:
            raise MathlmError("lake serve needs the Lean project directory (prover.project_dir)")
        return [_executable("lake"), "serve", "--", option]
    return [_executable(lean), "--server", option]


def _executable(name: str) -> str:
    found = shutil.which(name) or (name if Path(name).is_file() else None)
    if found is None:
        raise MathlmError(
            f"'{name}' not found. Install Lean 4 with elan (docs/theorem_proving.md), or set "
            "prover.lean to the path of a lean binary"
        )
    return found


def utf16_length(text: str) -> int:
    """LSP positions count UTF-16 code units; Lean goals are full of non-ASCII symbols."""
    return len(text.encode("utf-16-le")) // 2


class LeanServerBackend:
    """A :class:`~mathlm.theorem_proving.backend.ProverBackend` over one persistent Lean server."""

    def __init__(
        self,
        command: Sequence[str],
        project_dir: str | Path,
        env: Mapping[str, str] | None = None,
        tactic_timeout_s: float = 60.0,
        start_timeout_s: float = 600.0,
        document_name: str = "MathlmProofSearch.lean",
    ) -> None:
        self.command = list(command)
        self.project_dir = Path(project_dir).resolve()
        self.env = dict(env or {})
        self.tactic_timeout_s = tactic_timeout_s
        self.start_timeout_s = start_timeout_s
        self.path = self.project_dir / document_name
        self.uri = self.path.as_uri()
        self.failures: list[str] = []  # one line per crash/timeout that cost a restart
        self.restarts = 0
        self._client: LspClient | None = None
        self._doc = _Document()
        self._version = 0
        self._opened = False

    # -- the backend interface -------------------------------------------------------------------

    def start(self, header: str, statement: str) -> ProofState:
        text = header + statement
        try:
            diagnostics = self._edit(text, self.start_timeout_s)
        except (RequestTimeout, ServerDied, LspError) as err:
            raise TheoremStartError(self._failure(err), str(err)) from None
        # Errors inside the statement (after its first token, before the end) mean it does not parse or
        # elaborate; an error at the declaration's first character is about the still empty proof.
        begins, ends = _end_position(header), _end_position(text)
        in_header = [d for d in diagnostics.blocking() if _position(d) < begins]
        if in_header:
            raise TheoremStartError("header_error", _describe(in_header[0]))
        inside = [d for d in diagnostics.blocking() if begins < _position(d) < ends]
        if inside:
            raise TheoremStartError("statement_error", _describe(inside[0]))
        goals = self._goals_at(ends, self.tactic_timeout_s) or _unsolved_goals(diagnostics.errors)
        if not goals:
            first = diagnostics.blocking()[:1]
            raise TheoremStartError(
                "statement_error",
                _describe(first[0])
                if first
                else "Lean shows no goal after ':= by' (is it a theorem statement ending ':= by'?)",
            )
        return ProofState(goals=goals, tactics=(), handle=(header, statement))

    def apply(self, state: ProofState, tactic: str) -> TacticResult:
        header, statement = state.handle
        tactics = (*state.tactics, tactic)
        text = header + statement + proof_text(tactics) + "\n"
        try:
            diagnostics = self._edit(text, self.tactic_timeout_s)
            blocking = diagnostics.blocking()
            if blocking:
                return TacticResult(Outcome.ERROR, reason="lean_error", message=_describe(blocking[0]))
            if diagnostics.uses_sorry():
                return TacticResult(Outcome.ERROR, reason="sorry", message=SORRY_WARNING)
            if not diagnostics.errors:
                return TacticResult(Outcome.PROVED, state=ProofState("", tactics, state.handle))
            goals = self._goals_at(_end_position(text.rstrip("\n")), self.tactic_timeout_s)
        except (RequestTimeout, ServerDied, LspError) as err:
            return TacticResult(Outcome.ERROR, reason=self._failure(err), message=str(err))
        goals = goals or _unsolved_goals(diagnostics.errors)
        return TacticResult(Outcome.GOALS, state=ProofState(goals, tactics, state.handle))

    def render_proof(self, tactics: Sequence[str]) -> str:
        return proof_text(tactics)

    def check_messages(self, text: str) -> list[tuple[str, str]]:
        """Every message Lean gives for ``text`` as a whole file: ``(error|warning|information, text)``.
        The verifier reads ``#check``/``#print axioms`` answers from the information messages."""
        try:
            diagnostics = self._edit(text, self.start_timeout_s, everything=True)
        except (RequestTimeout, ServerDied, LspError) as err:
            return [("error", f"{self._failure(err)}: {err}")]
        names = {1: "error", 2: "warning", 3: "information", 4: "hint"}
        return [(names.get(d.get("severity", 1), "error"), d["message"]) for d in diagnostics.errors]

    def check(self, header: str, statement: str, proof: str) -> str | None:
        try:
            diagnostics = self._edit(header + statement + proof + "\n", self.start_timeout_s)
        except (RequestTimeout, ServerDied, LspError) as err:
            return f"{self._failure(err)}: {err}"
        if diagnostics.errors:
            return _describe(diagnostics.errors[0])
        return SORRY_WARNING if diagnostics.uses_sorry() else None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self.path.unlink(missing_ok=True)

    # -- the server conversation -----------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        """The server's process id (None before the first theorem or after a failure)."""
        return self._client.pid if self._client is not None else None

    def _server(self) -> LspClient:
        if self._client is not None and self._client.alive():
            return self._client
        if self._client is not None:
            self._client.kill()
        self._doc = _Document()
        self._opened = False
        client = LspClient(self.command, cwd=self.project_dir, env=self.env, on_notification=self._notified)
        try:
            client.request(
                "initialize",
                {"processId": os.getpid(), "rootUri": self.project_dir.as_uri(), "capabilities": {}},
                self.start_timeout_s,
            )
            client.notify("initialized", {})
        except LspError as err:
            client.kill()
            raise ServerDied(
                f"the server did not initialize: {err}; stderr: {' | '.join(client.stderr_tail[-3:])}"
            ) from None
        self._client = client
        return client

    def _edit(self, text: str, timeout_s: float, everything: bool = False) -> Diagnostics:
        """Make ``text`` the document's content and return the diagnostics of exactly that version
        (``everything``: all of them, whatever the severity, in ``errors``)."""
        client = self._server()
        self._version += 1
        version = self._version
        if not self._opened:
            self.path.write_text(text, encoding="utf-8")  # lake looks at the file on disk for its imports
            client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": self.uri, "languageId": "lean4", "version": version, "text": text}},
            )
            self._opened = True
        else:
            client.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": self.uri, "version": version}, "contentChanges": [{"text": text}]},
            )
        deadline = time.monotonic() + timeout_s
        client.request("textDocument/waitForDiagnostics", {"uri": self.uri, "version": version}, timeout_s)
        with self._doc.changed:
            if not self._doc.changed.wait_for(
                lambda: version in self._doc.done or not client.alive(), max(0.0, deadline - time.monotonic())
            ):
                raise RequestTimeout(
                    f"no 'done' progress for document version {version} within {timeout_s:g} s"
                )
            diagnostics = self._doc.diagnostics.get(version, [])
        if not client.alive():
            raise ServerDied("the server exited while checking the document")
        if everything:
            return Diagnostics(errors=list(diagnostics), warnings=[])
        return Diagnostics(
            errors=[d for d in diagnostics if d.get("severity") == 1],
            warnings=[d for d in diagnostics if d.get("severity") == 2],
        )

    def _goals_at(self, position: tuple[int, int], timeout_s: float) -> str:
        line, character = position
        result = self._server().request(
            "$/lean/plainGoal",
            {"textDocument": {"uri": self.uri}, "position": {"line": line, "character": character}},
            timeout_s,
        )
        goals = (result or {}).get("goals") or []
        return "\n\n".join(goals)

    def _notified(self, method: str, params: Any) -> None:
        if not isinstance(params, dict):
            return
        if method == "textDocument/publishDiagnostics" and params.get("uri") == self.uri:
            version = params.get("version")
            with self._doc.changed:
                self._doc.diagnostics[version] = params.get("diagnostics", [])
                self._doc.changed.notify_all()
        elif (
            method == "$/lean/fileProgress"
            and params["textDocument"]["uri"] == self.uri
            and not params.get("processing")
        ):
            with self._doc.changed:
                self._doc.done.add(params["textDocument"]["version"])
                self._doc.changed.notify_all()

    def _failure(self, err: Exception) -> str:
        """Record a server failure, kill the server (the next call restarts it) and name the reason."""
        reason = (
            "timeout"
            if isinstance(err, RequestTimeout)
            else "server_crash"
            if isinstance(err, ServerDied)
            else "server_error"
        )
        self.failures.append(f"{reason}: {err}")
        if reason != "server_error" and self._client is not None:
            self._client.kill()
            self._client = None
            self.restarts += 1
        return reason


def _position(diagnostic: Mapping[str, Any]) -> tuple[int, int]:
    start = diagnostic["range"]["start"]
    return start["line"], start["character"]


def _end_position(text: str) -> tuple[int, int]:
    """The (line, UTF-16 character) position just after the last character of ``text``."""
    lines = text.split("\n")
    return len(lines) - 1, utf16_length(lines[-1])


def _describe(diagnostic: Mapping[str, Any]) -> str:
    line, character = _position(diagnostic)
    return f"{line + 1}:{character}: {diagnostic['message']}"


def _unsolved_goals(errors: list[dict[str, Any]]) -> str:
    """The goals printed in the "unsolved goals" error, where ``plainGoal`` has nothing at the position."""
    for diagnostic in errors:
        if diagnostic["message"].startswith(UNSOLVED):
            return diagnostic["message"][len(UNSOLVED) :].strip()
    return ""
