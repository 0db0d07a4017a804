"""Pools of pre-started helper processes that can be killed: hard timeouts in any thread or process.

Python cannot interrupt a running computation from another thread, and ``signal.alarm`` only works in
the main thread of the main process. Work that may hang (model-written programs, SymPy
simplification) therefore runs in a separate process that answers one JSON line per request; a
request that outlives its deadline gets the process killed and replaced, and the caller gets
``None``. Both :mod:`mathlm.eval.sandbox` and :mod:`mathlm.eval.answers` build on this.

Replies are read with a deadline and a size cap, straight from the pipe (no reader threads), so a
helper that floods its output or never finishes a line cannot hold the caller.
"""

from __future__ import annotations

import json
import os
import queue
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

MAX_STDERR_KEPT = 4096


class WorkerStartError(RuntimeError):
    """A helper process could not be started; the message says what it printed."""


@dataclass
class JsonLineWorker:
    """One helper process speaking JSON lines on stdin/stdout; it greets with one line when ready."""

    process: subprocess.Popen[bytes]
    hello: dict[str, Any] = field(default_factory=dict)
    max_line_bytes: int = 1 << 20
    _pending: bytes = b""
    _stderr: bytearray = field(default_factory=bytearray)

    @classmethod
    def start(
        cls,
        command: Sequence[str],
        env: dict[str, str] | None = None,
        start_timeout_s: float = 60.0,
        pass_fds: Sequence[int] = (),
        max_line_bytes: int = 1 << 20,
    ) -> JsonLineWorker:
        """Start ``command`` in its own session and wait for its greeting line.

        Raises :class:`WorkerStartError` (with the start of what it wrote to stderr) if it cannot be
        run, exits, or does not greet in time.
        """
        try:
            process = subprocess.Popen(
                list(command),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                bufsize=0,
                env=env,
                pass_fds=tuple(pass_fds),
                start_new_session=True,
            )
        except OSError as err:
            raise WorkerStartError(f"cannot run {command[0]}: {err}") from err
        worker = cls(process, max_line_bytes=max_line_bytes)
        drain = threading.Thread(target=worker._drain_stderr, daemon=True)
        drain.start()
        hello = worker._read_line(start_timeout_s)
        if hello is None:
            worker.close()
            drain.join(timeout=5)  # all it said before it died
            said = worker.stderr_text().strip()
            raise WorkerStartError(
                f"`{' '.join(command[:3])} ...` did not start"
                + (f": {said}" if said else " (it printed nothing)")
            )
        worker.hello = hello
        return worker

    def request(self, message: dict[str, Any], timeout_s: float) -> dict[str, Any] | None:
        """Send one request and wait for its reply; None when the process died or missed the deadline."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode())
        except (BrokenPipeError, OSError, ValueError):
            return None
        return self._read_line(timeout_s)

    def stderr_text(self) -> str:
        return bytes(self._stderr).decode("utf-8", "replace")

    def close(self, grace_s: float = 0.0) -> None:
        """Stop the process: with ``grace_s``, first let it see the end of its input and exit (so its
        CPU time is accounted to us); then kill it and everything in its session (a sandbox dies with
        its outer process)."""
        if grace_s > 0 and self.process.stdin is not None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=grace_s)
            except (OSError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                try:
                    stream.close()
                except OSError:  # a pipe whose reader died: nothing to flush
                    pass

    def _read_line(self, timeout_s: float) -> dict[str, Any] | None:
        """One JSON object line within ``timeout_s`` and ``max_line_bytes``, else None."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or len(self._pending) > self.max_line_bytes:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return None
                self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        try:
            reply = json.loads(line)
        except ValueError:
            return None
        return reply if isinstance(reply, dict) else None

    def _drain_stderr(self) -> None:
        """Keep the first few KB of stderr for error messages; discard the rest so the pipe never fills."""
        assert self.process.stderr is not None
        try:
            while chunk := self.process.stderr.read(1 << 16):
                self._stderr += chunk[: max(0, MAX_STDERR_KEPT - len(self._stderr))]
        except (OSError, ValueError):
            pass


class WorkerPool:
    """A fixed number of workers made by ``factory``; a worker that fails a request is replaced.

    Thread-safe: each call takes an idle slot, so ``n`` threads keep ``n`` workers busy. A replacement
    that cannot start fails that call with the factory's error, and its slot stays empty until the next
    call tries again, so no caller ever waits for a worker that will not come.
    """

    def __init__(self, factory: Callable[[], JsonLineWorker], size: int) -> None:
        self._factory = factory
        self._slots: queue.Queue[JsonLineWorker | None] = queue.Queue()
        self._lock = threading.Lock()
        self.workers: list[JsonLineWorker] = []
        try:
            for _ in range(size):
                self._add(factory())
        except BaseException:
            self.close()
            raise

    def request(
        self,
        message: dict[str, Any],
        timeout_s: float,
        keep: Callable[[dict[str, Any]], bool] = lambda reply: True,
    ) -> dict[str, Any] | None:
        """Send ``message`` to an idle worker. A worker that misses the deadline, dies, or whose reply
        fails ``keep`` is closed and replaced; a failed or missed request returns None."""
        worker = self._slots.get()
        if worker is None:  # an earlier replacement failed: try again now
            worker = self._start_or_free_slot()
        reply = worker.request(message, timeout_s)
        if reply is not None and keep(reply):
            self._slots.put(worker)
            return reply
        with self._lock:
            if worker in self.workers:
                self.workers.remove(worker)
        worker.close()
        self._add(self._start_or_free_slot())
        return reply

    def close(self) -> None:
        """Close every worker; idle ones get a moment to exit on their own."""
        with self._lock:
            for worker in self.workers:
                worker.close(grace_s=2.0)
            self.workers.clear()

    def _start_or_free_slot(self) -> JsonLineWorker:
        try:
            return self._factory()
        except BaseException:
            self._slots.put(None)
            raise

    def _add(self, worker: JsonLineWorker) -> None:
        with self._lock:
            self.workers.append(worker)
        self._slots.put(worker)
