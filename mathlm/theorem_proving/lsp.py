"""A small JSON-RPC client for language servers spoken over a child process's stdin/stdout (LSP framing).

It is what :class:`~mathlm.theorem_proving.lean_server.LeanServerBackend` drives ``lean --server`` /
``lake serve`` with. Messages are ``Content-Length: N\\r\\n\\r\\n`` + N bytes of JSON. One reader thread
owns stdout: responses complete the future of their request id, notifications go to a callback (the
Lean backend keeps the latest diagnostics per document version), and server-to-client requests are
answered with ``null`` so the server never waits on us.

Every wait has a timeout. A server that exits or closes its pipe fails every pending request with
:class:`ServerDied`; a request without an answer in time raises :class:`RequestTimeout`. The caller
decides whether to restart (the backend does).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import IO, Any

Notification = Callable[[str, Any], None]


class LspError(Exception):
    """The server answered a request with a JSON-RPC error object."""


class ServerDied(LspError):
    """The server process exited or closed its output while we were talking to it."""


class RequestTimeout(LspError):
    """No answer to a request within its timeout (a hung server, or a request that never terminates)."""


def encode_message(message: Mapping[str, Any]) -> bytes:
    """One framed LSP message: the Content-Length header, a blank line, the UTF-8 JSON body."""
    body = json.dumps(message, ensure_ascii=False).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream: IO[bytes]) -> dict[str, Any] | None:
    """The next framed message from ``stream``; None at end of stream."""
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        name, _, value = line.decode("ascii", errors="replace").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        raise LspError("a message without a Content-Length header")
    body = stream.read(length)
    if len(body) < length:
        return None
    return json.loads(body)


class LspClient:
    """A running language server and the JSON-RPC conversation with it."""

    def __init__(
        self,
        command: Sequence[str],
        cwd: str | Path | None = None,
        env: Mapping[str, str] | None = None,
        on_notification: Notification | None = None,
    ) -> None:
        self.command = list(command)
        self.process = subprocess.Popen(
            self.command,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self._on_notification = on_notification or (lambda method, params: None)
        self._pending: dict[int, Future[Any]] = {}
        self._lock = threading.Lock()
        self._next_id = 0
        self._dead: str | None = None
        self.stderr_tail: list[str] = []
        self._reader = threading.Thread(target=self._read_loop, name="lsp-reader", daemon=True)
        self._reader.start()
        threading.Thread(target=self._drain_stderr, name="lsp-stderr", daemon=True).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self._dead is None and self.process.poll() is None

    def request(self, method: str, params: Any, timeout_s: float) -> Any:
        """Send a request and wait up to ``timeout_s`` for its result."""
        future: Future[Any] = Future()
        with self._lock:
            self._next_id += 1
            request_id = self._next_id
            self._pending[request_id] = future
        self._send({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        try:
            return future.result(timeout=timeout_s)
        except FutureTimeout:
            raise RequestTimeout(f"{method}: no answer within {timeout_s:g} s") from None
        finally:
            with self._lock:
                self._pending.pop(request_id, None)

    def notify(self, method: str, params: Any) -> None:
        """Send a notification (no answer expected)."""
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def close(self, timeout_s: float = 2.0) -> None:
        """Ask the server to shut down, then make sure the process (and its workers) are gone."""
        if self.alive():
            try:
                self.request("shutdown", None, timeout_s)
                self.notify("exit", None)
                self.process.wait(timeout=timeout_s)
            except (LspError, OSError, subprocess.TimeoutExpired):
                pass
        self.kill()

    def kill(self) -> None:
        """Kill the server's whole process group (the server and the file workers it started)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, 9)
            except ProcessLookupError:
                pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            try:
                stream.close()  # type: ignore[union-attr]
            except OSError:
                pass
        self._fail_all(self._dead or "the server was stopped")

    def _send(self, message: Mapping[str, Any]) -> None:
        if self._dead is not None:
            raise ServerDied(self._dead)
        try:
            with self._lock:
                self.process.stdin.write(encode_message(message))  # type: ignore[union-attr]
                self.process.stdin.flush()  # type: ignore[union-attr]
        except (BrokenPipeError, OSError, ValueError):
            raise ServerDied(self._death_reason()) from None

    def _read_loop(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        try:
            while (message := read_message(stdout)) is not None:
                self._dispatch(message)
        except (OSError, ValueError, LspError):
            pass
        self._fail_all(self._death_reason())

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "method" in message and "id" in message:  # a request from the server: answer, never block it
            self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        elif "method" in message:
            self._on_notification(message["method"], message.get("params"))
        else:
            with self._lock:
                future = self._pending.get(message.get("id"))  # type: ignore[arg-type]
            if future is None or future.done():
                return
            if "error" in message:
                future.set_exception(LspError(message["error"].get("message", str(message["error"]))))
            else:
                future.set_result(message.get("result"))

    def _drain_stderr(self) -> None:
        stderr = self.process.stderr
        assert stderr is not None
        try:
            for line in stderr:
                self.stderr_tail = [*self.stderr_tail[-19:], line.decode("utf-8", errors="replace").rstrip()]
        except (OSError, ValueError):
            pass

    def _death_reason(self) -> str:
        code = self.process.poll()
        if code is None:
            return "the server closed its output"
        signal_text = f" (killed by signal {-code})" if code < 0 else ""
        return f"the server exited with status {code}{signal_text}"

    def _fail_all(self, reason: str) -> None:
        self._dead = self._dead or reason
        with self._lock:
            pending = list(self._pending.values())
        for future in pending:
            if not future.done():
                future.set_exception(ServerDied(reason))
