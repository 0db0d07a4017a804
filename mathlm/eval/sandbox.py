"""Run model-written Python safely, for tool-use evaluation (GSM8k+Python, MATH+Python).

The original Llemma harness ran generated programs with ``exec()`` in the evaluator's own process and
no timeout. Here every program runs in a child process forked from a pre-started worker, and is held
by several independent walls:

* namespaces: the worker lives in fresh network, PID and mount namespaces (``unshare``): no network
  at all (not even loopback), and every process a program starts is killed after it finishes;
* credentials and limits: the child drops to ``nobody`` when started as root and gets limits on
  address space, CPU time, file size, process count and open files; a wall-clock deadline kills its
  whole process group;
* an audit-hook policy: files only inside an empty temporary directory (reads also in the standard
  library and installed packages), no subprocesses, no ``fork``, no ``ctypes``.

Workers are pre-started and keep ``sympy``/``numpy`` imported, so a program costs a ``fork``, not an
interpreter start. :class:`SandboxPool` is thread-safe; use one thread per worker to run in parallel.
"""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from mathlm.errors import MathlmError
from mathlm.eval.workers import JsonLineWorker, WorkerPool

logger = logging.getLogger(__name__)

WORKER_SCRIPT = Path(__file__).with_name("sandbox_worker.py")
Status = Literal["ok", "error", "timeout", "memory", "killed"]


@dataclass(frozen=True)
class SandboxLimits:
    """Per-program limits. Defaults suit the arithmetic and SymPy programs of the tool-use tasks."""

    wall_time_s: float = 10.0
    cpu_time_s: int = 10
    memory_bytes: int = 1 << 30
    file_size_bytes: int = 1 << 20
    max_processes: int = 32
    max_output_chars: int = 10_000


@dataclass(frozen=True)
class ExecutionResult:
    """What a program did: ``status`` is ``ok`` only when it ran to the end and produced its value."""

    status: Status
    value: str | None = None
    value_latex: str | None = None
    value_type: str | None = None
    stdout: str = ""
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# Isolation wrappers, strongest first. Root can make namespaces directly; an ordinary user needs a
# user namespace for them. The last resort runs without namespaces and says so.
_ISOLATION_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("unshare", "--net", "--pid", "--mount", "--fork", "--mount-proc", "--kill-child"),
    ("unshare", "--user", "--map-root-user", "--net", "--pid", "--mount", "--fork", "--mount-proc",
     "--kill-child"),
)


@dataclass
class SandboxPool:
    """A pool of pre-started sandbox workers.

    ``preload`` names the third-party modules programs may import (the standard library's usual
    math modules are always there). ``isolation`` set to ``required`` refuses to run without the
    network and PID namespaces; ``best_effort`` falls back to limits + policy with a warning.
    """

    workers: int = 2
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    preload: Sequence[str] = ("numpy", "sympy")
    isolation: Literal["required", "best_effort"] = "best_effort"
    python: str = sys.executable
    _pool: WorkerPool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._pool = WorkerPool(self._start_worker, self.workers)

    @property
    def network_isolated(self) -> bool:
        """True when every worker runs in its own empty network namespace."""
        return all(worker.hello.get("isolated") for worker in self._pool.workers)

    def run(self, code: str, result_expr: str | None = None) -> ExecutionResult:
        """Run ``code``, then evaluate ``result_expr`` (``"solution()"``, ``"answer"``) in its namespace."""
        message = {"code": code, "result_expr": result_expr, "limits": asdict(self.limits)}
        reply = self._pool.request(message, timeout_s=self.limits.wall_time_s + 30.0)
        if reply is None:  # the worker itself died or stopped answering; the pool replaced it
            return ExecutionResult(status="killed", error="sandbox worker stopped responding")
        return ExecutionResult(**{k: v for k, v in reply.items() if k in ExecutionResult.__dataclass_fields__})

    def map(self, programs: Iterable[tuple[str, str | None]]) -> Iterator[ExecutionResult]:
        """Run many ``(code, result_expr)`` pairs on all workers; results come back in input order."""
        with ThreadPoolExecutor(max_workers=self.workers) as executor:
            yield from executor.map(lambda item: self.run(*item), programs)

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start_worker(self) -> JsonLineWorker:
        base = (self.python, "-I", str(WORKER_SCRIPT), *self.preload)
        wrappers = _ISOLATION_COMMANDS if shutil.which("unshare") else ()
        for wrapper in (*wrappers, ()):
            if not wrapper and self.isolation == "required":
                break
            worker = JsonLineWorker.start((*wrapper, *base), env={"PATH": "/usr/bin:/bin"})
            if worker is not None:
                worker.hello["isolated"] = bool(wrapper)
                if not wrapper:
                    logger.warning("sandbox: no network/PID namespaces available (unshare failed); "
                                   "programs run with resource limits and the file policy only")
                return worker
        raise MathlmError("cannot start an isolated sandbox: `unshare --net --pid` failed. Run as root, "
                          "enable unprivileged user namespaces, or set isolation: best_effort")


@contextmanager
def sandbox(workers: int = 2, limits: SandboxLimits | None = None) -> Iterator[SandboxPool]:
    """``with sandbox() as pool: pool.run(code, "solution()")``."""
    pool = SandboxPool(workers=workers, limits=limits or SandboxLimits())
    try:
        yield pool
    finally:
        pool.close()
