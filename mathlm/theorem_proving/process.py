"""One prover process spoken to over pipes: what the ``coqidetop`` and Lean REPL clients share.

Both provers are long-lived children in a session of their own (so a kill takes the workers they start
with them), fed requests on stdin; a reader thread turns stdout into answers on a queue, and a request
waits for its answer under a wall-time limit. A subclass reads its own protocol in :meth:`_read` and
names the exceptions its callers catch: ``died`` (the process is gone or cannot take input),
``unresponsive`` (no answer in time: the owner kills it and starts another) and ``start_error`` (the
command cannot be started at all, which a caller may want to report rather than retry).
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar


class ProverProcess:
    """A child process with one answer per request; requests are sequential (one worker owns it)."""

    label: ClassVar[str] = "the prover"
    died: ClassVar[type[Exception]] = RuntimeError
    unresponsive: ClassVar[type[Exception]] = TimeoutError
    start_error: ClassVar[type[Exception]] = RuntimeError

    def __init__(self, command: Sequence[str], cwd: str | Path | None = None, text: bool = False) -> None:
        try:
            self._proc = subprocess.Popen(
                list(command),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=cwd,
                text=text,
                start_new_session=True,
            )
        except OSError as err:
            raise self.start_error(f"cannot start {self.label} ({command[0]}): {err}") from None
        self._answers: queue.Queue[Any] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True, name=f"{command[0]}-reader")
        self._reader.start()

    @property
    def pid(self) -> int:
        return self._proc.pid

    def alive(self) -> bool:
        return self._proc.poll() is None

    def _exchange(self, request: str | bytes, timeout_s: float) -> Any:
        """Write one request and wait for the next answer the reader thread queues."""
        if not self.alive():
            raise self.died(f"{self.label} is not running")
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write(request)
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError) as err:
            raise self.died(f"{self.label} closed its input: {err}") from None
        try:
            answer = self._answers.get(timeout=timeout_s)
        except queue.Empty:
            raise self.unresponsive(f"no answer from {self.label} within {timeout_s:g} s") from None
        if answer is None:
            raise self.died(f"{self.label} exited")
        return answer

    def _read(self) -> None:
        """Queue each answer read from stdout, then ``None`` once stdout closes."""
        raise NotImplementedError

    def kill(self) -> None:
        """Kill the process group (the prover may have started workers) and reap it."""
        if self._proc.poll() is None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                stream.close()
