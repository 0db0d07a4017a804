"""Pools of pre-started helper processes that can be killed: hard timeouts in any thread or process.

Python cannot interrupt a running computation from another thread, and ``signal.alarm`` only works in
the main thread of the main process. Work that may hang (model-written programs, SymPy
simplification) therefore runs in a separate process that answers one JSON line per request; a
request that outlives its deadline gets the process killed and replaced, and the caller gets
``None``. Both :mod:`mathlm.eval.sandbox` and :mod:`mathlm.eval.answers` build on this.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class JsonLineWorker:
    """One helper process speaking JSON lines on stdin/stdout; it greets with one line when ready."""

    process: subprocess.Popen[str]
    hello: dict[str, Any]

    @classmethod
    def start(cls, command: Sequence[str], env: dict[str, str] | None = None,
              start_timeout_s: float = 60.0) -> JsonLineWorker | None:
        """Start ``command``; None if it exits or does not greet in time (so a caller can try another)."""
        try:
            process = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, text=True, bufsize=1, env=env)
        except OSError:
            return None
        hello = _readline(process, start_timeout_s)
        if hello is None:
            process.kill()
            process.wait()
            return None
        return cls(process, hello)

    def request(self, message: dict[str, Any], timeout_s: float) -> dict[str, Any] | None:
        """Send one request and wait for its reply; None when the process died or missed the deadline."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(message) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            return None
        return _readline(self.process, timeout_s)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def _readline(process: subprocess.Popen[str], timeout_s: float) -> dict[str, Any] | None:
    """Read one JSON line with a deadline (a reader thread, because pipes have no portable timeout)."""
    line: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        try:
            line.append(process.stdout.readline())
        except (OSError, ValueError):
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout_s)
    if not line or not line[0].strip().startswith("{"):
        return None
    return json.loads(line[0])


class WorkerPool:
    """A fixed number of workers made by ``factory``; a worker that fails a request is replaced.

    Thread-safe: each call takes an idle worker, so ``n`` threads keep ``n`` workers busy.
    """

    def __init__(self, factory: Callable[[], JsonLineWorker], size: int) -> None:
        self._factory = factory
        self._idle: queue.Queue[JsonLineWorker] = queue.Queue()
        self._lock = threading.Lock()
        self.workers: list[JsonLineWorker] = []
        for _ in range(size):
            self._add(factory())

    def request(self, message: dict[str, Any], timeout_s: float) -> dict[str, Any] | None:
        worker = self._idle.get()
        reply = worker.request(message, timeout_s)
        if reply is None:
            with self._lock:
                self.workers.remove(worker)
            worker.close()
            worker = self._factory()
            with self._lock:
                self.workers.append(worker)
        self._idle.put(worker)
        return reply

    def close(self) -> None:
        with self._lock:
            for worker in self.workers:
                worker.close()
            self.workers.clear()

    def _add(self, worker: JsonLineWorker) -> None:
        with self._lock:
            self.workers.append(worker)
        self._idle.put(worker)
