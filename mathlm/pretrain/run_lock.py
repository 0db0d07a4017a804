"""One training run per run directory at a time: an exclusive ``flock`` on ``RUN_DIR/.lock``.

Two jobs writing checkpoints into the same directory (a requeued job that starts while the old one is
still saving, or a user starting a second run by mistake) would corrupt each other's checkpoints. The
kernel releases the lock when the holding process dies, so a crashed or killed run never leaves a
stale lock behind. Rank 0 holds it; the other ranks learn the outcome by broadcast.
"""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path

LOCK_FILE = ".lock"


class RunLock:
    """The lock of one run directory, held from :meth:`acquire` to :meth:`release` (or process exit)."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> str | None:
        """Take the lock; returns None, or a description of the run that holds it (pid and host)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 256, 0).decode(errors="replace").strip() or "owner unknown"
            os.close(fd)
            return owner
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        self._fd = fd
        return None

    def release(self) -> None:
        """Give the lock up (idempotent)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
