"""Run model-written Python behind an operating-system wall, for tool use (GSM8k+Python, MATH+Python).

The original Llemma harness ran generated programs with ``exec()`` in the evaluator's own process. Here
the kernel holds every program, not Python: each worker is a bubblewrap sandbox (see
``sandbox_worker.py`` for what happens inside) with

* new user, mount, PID, network, IPC and UTS namespaces: no network interface but a dead loopback, no
  host sockets, no other process visible, and the sandbox dies with the evaluator (``--die-with-parent``);
* a read-only view of only the shared libraries (``/usr/lib``), the interpreter, its standard library
  and the packages the tasks may import (bound one by one under ``/sandbox/site``); no ``/proc``,
  ``/tmp``, ``/run``, ``/etc`` or home; of ``/dev`` only null, zero, random and urandom;
* a private working directory on a tmpfs with a byte and an inode limit, emptied after every program;
* seccomp filters (``bwrap --seccomp`` before the interpreter starts, stacked with more in the worker and
  for each program) that refuse the program any new process, any ``exec``, signals to other
  processes, ptrace, mounts, namespaces, keyrings, BPF, io_uring, sockets;
* limits for the whole program (one process, since it cannot make more): address space, CPU time, file
  size, open files, threads (``RLIMIT_NPROC``, counted in the sandbox's own user namespace). The
  machine's cgroups are not used: on v1 (and for ordinary users) they are not delegated, and with
  process creation refused, per-process limits already cover the whole program;
* the evaluator's own wall clock: a worker that does not answer in time is killed with its namespace.

Every field that comes back is checked for type and size here, whatever the worker says. Without
bubblewrap or user namespaces, :class:`SandboxPool` refuses to start and says what to install or
enable; ``unsafe_no_isolation=True`` runs without namespaces (seccomp and limits only) and says so.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Self

from mathlm.errors import MathlmError
from mathlm.eval import sandbox_worker
from mathlm.eval.workers import JsonLineWorker, WorkerPool, WorkerStartError

logger = logging.getLogger(__name__)

WORKER_SCRIPT = Path(sandbox_worker.__file__)
Status = Literal["ok", "error", "timeout", "memory", "killed"]
STATUSES = ("ok", "error", "timeout", "memory", "killed")
SANDBOX_SITE = "/sandbox/site"
# What the tool-use prompts' programs import: the standard library's math modules, NumPy and SymPy.
DEFAULT_PRELOAD = (
    "math",
    "cmath",
    "fractions",
    "decimal",
    "itertools",
    "functools",
    "collections",
    "statistics",
    "random",
    "re",
    "string",
    "operator",
    "heapq",
    "bisect",
    "datetime",
    "numbers",
    "copy",
    "typing",
    "dataclasses",
    "enum",
    "textwrap",
    "json",
    "numpy",
    "sympy",
)
SANDBOX_UID = 65534
# Far above any generated program; keeps a request well inside what the worker reads in one line.
MAX_PROGRAM_CHARS = 1_000_000
# The sandbox's user namespace already holds bubblewrap's init, the two zygotes and the program.
_PROCESSES_BEFORE_THREADS = 4
_INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; it is in "
    "scripts/install_system_deps.sh)"
)
_USERNS_HINT = (
    "bubblewrap could not create a user namespace: enable unprivileged user namespaces "
    "(`sysctl -w kernel.unprivileged_userns_clone=1` on Debian, `user.max_user_namespaces` > 0, "
    "and on Ubuntu 24.04+ `kernel.apparmor_restrict_unprivileged_userns=0`)"
)


@dataclass(frozen=True)
class SandboxLimits:
    """Limits for one program. Defaults suit the arithmetic and SymPy programs of the tool-use tasks.

    ``disk_bytes`` and ``max_files`` size the worker's tmpfs (emptied after each program).
    """

    wall_time_s: float = 10.0
    cpu_time_s: int = 10
    memory_bytes: int = 1 << 30
    file_size_bytes: int = 1 << 20
    disk_bytes: int = 16 << 20
    max_files: int = 256
    max_threads: int = 16
    max_output_chars: int = 10_000
    max_value_chars: int = 20_000


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


@dataclass(frozen=True)
class _Interpreter:
    """What a worker needs from the host, found once per interpreter by a probe process."""

    executable: str
    binds: tuple[str, ...]  # host paths bound read-only at the same place: stdlib, libpython
    packages: tuple[tuple[str, str], ...]  # (name under /sandbox/site, host path)
    address_space: int  # bytes mapped after the preloads: the program's memory limit comes on top
    missing: tuple[str, ...]


_PROBE = r"""
import json, os, sys, sysconfig
wanted, extra_paths = json.loads(sys.argv[1])
sys.path[:0] = extra_paths
already = set(sys.modules)
missing = []
for name in wanted:
    try:
        __import__(name)
    except ImportError:
        missing.append(name)
stdlib = os.path.dirname(os.path.realpath(os.__file__))
binds = [stdlib]
dynload = sysconfig.get_config_var("DESTSHARED")
if dynload and os.path.isdir(dynload):
    binds.append(os.path.realpath(dynload))
if sysconfig.get_config_var("Py_ENABLE_SHARED"):
    lib = os.path.join(sysconfig.get_config_var("LIBDIR") or "", sysconfig.get_config_var("INSTSONAME") or "")
    if os.path.isfile(lib):
        binds.append(lib)
packages = {}
for name, module in list(sys.modules.items()):
    where = getattr(module, "__file__", None)
    if name in already or not where or os.path.realpath(where).startswith(stdlib + os.sep):
        continue
    top = sys.modules.get(name.partition(".")[0])
    path = getattr(top, "__path__", None)
    location = list(path)[0] if path else getattr(top, "__file__", None)
    if location and os.path.isabs(location) and os.path.exists(location):
        packages[os.path.basename(location)] = location
        if os.path.isdir(location + ".libs"):
            packages[os.path.basename(location) + ".libs"] = location + ".libs"
with open("/proc/self/statm") as statm:
    mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
print(json.dumps({"executable": os.path.realpath(sys.executable), "binds": binds,
                  "packages": sorted(packages.items()), "address_space": mapped, "missing": missing}))
"""


@functools.lru_cache(maxsize=8)
def _probe_interpreter(python: str, preload: tuple[str, ...], library_paths: tuple[str, ...]) -> _Interpreter:
    """Ask ``python`` itself where its standard library, shared library and preloaded packages live."""
    try:
        done = subprocess.run(
            [python, "-I", "-c", _PROBE, json.dumps([preload, library_paths])],
            capture_output=True,
            check=False,
            text=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"},
        )
        found = json.loads(done.stdout)
    except (OSError, ValueError, subprocess.TimeoutExpired) as err:
        raise MathlmError(f"sandbox: cannot inspect the interpreter {python}: {err}") from err
    return _Interpreter(
        found["executable"],
        tuple(found["binds"]),
        tuple(map(tuple, found["packages"])),
        int(found["address_space"]),
        tuple(found["missing"]),
    )


def _system_library_args() -> list[str]:
    """Shared libraries and the dynamic loader, mirrored the way the host lays them out."""
    args: list[str] = []
    for path in ("/usr/lib", "/usr/lib64", "/usr/lib32"):
        if os.path.isdir(path) and not os.path.islink(path):
            args += ["--ro-bind", path, path]
    for path in ("/lib", "/lib64", "/lib32"):
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


@dataclass
class SandboxPool:
    """A pool of pre-started sandbox workers; thread-safe (one thread per worker runs them in parallel).

    ``preload`` names the modules imported once per worker; the third-party ones among them (with what
    they import) are the only ones programs can import, the rest of the standard library is always
    there. ``python`` is the interpreter inside the sandbox: it must be executable by the user running
    the pool; ``library_paths`` are more directories to find the preloads in (for an interpreter other
    than the venv's). ``unsafe_no_isolation`` runs workers without bubblewrap.
    """

    workers: int = 2
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    preload: Sequence[str] = DEFAULT_PRELOAD
    python: str = sys.executable
    library_paths: Sequence[str] = ()
    unsafe_no_isolation: bool = False
    _pool: WorkerPool = field(init=False, repr=False)
    _interpreter: _Interpreter = field(init=False, repr=False)
    _workdirs: list[str] = field(init=False, repr=False, default_factory=list)

    def __post_init__(self) -> None:
        if not self.unsafe_no_isolation and shutil.which("bwrap") is None:
            raise MathlmError(
                f"the tool-use sandbox needs bubblewrap and cannot find `bwrap`: {_INSTALL_HINT}. "
                "Running model-written code without isolation needs unsafe_no_isolation=True "
                "(`--unsafe-no-isolation`)."
            )
        if self.unsafe_no_isolation:
            logger.warning(
                "sandbox: UNSAFE, NO ISOLATION: programs run without namespaces or a private "
                "filesystem (seccomp and resource limits only); they can read your files and "
                "reach your network"
            )
        self._interpreter = _probe_interpreter(self.python, tuple(self.preload), tuple(self.library_paths))
        if self._interpreter.missing:
            logger.warning(
                "sandbox: %s cannot import %s; programs will not have it",
                self.python,
                ", ".join(self._interpreter.missing),
            )
        self._pool = WorkerPool(self._start_worker, self.workers)

    def run(self, code: str, result_expr: str | None = None) -> ExecutionResult:
        """Run ``code``, then evaluate ``result_expr`` (``"solution()"``, ``"answer"``) in its namespace."""
        if len(code) + len(result_expr or "") > MAX_PROGRAM_CHARS:
            return ExecutionResult(
                status="error", error=f"program longer than {MAX_PROGRAM_CHARS} characters"
            )
        limits = {
            **asdict(self.limits),
            "address_space_bytes": self._interpreter.address_space
            + self.limits.memory_bytes
            + (64 << 20),  # + room for the fork's own bookkeeping
            "nproc": None
            if self.unsafe_no_isolation
            else self.limits.max_threads + _PROCESSES_BEFORE_THREADS,
        }
        message = {"code": code, "result_expr": result_expr, "limits": limits}
        checked: list[ExecutionResult] = []

        def keep(reply: dict[str, Any]) -> bool:
            checked.append(self._checked(reply))
            return bool(reply.get("healthy", True)) and checked[-1].error != _INVALID_REPLY

        # The worker enforces the wall clock; ours, a few seconds later, catches a worker that does not.
        reply = self._pool.request(message, timeout_s=self.limits.wall_time_s + 5.0, keep=keep)
        if reply is None:
            return ExecutionResult(status="killed", error="the sandbox stopped responding and was replaced")
        return checked[-1]

    def map(self, programs: Iterable[tuple[str, str | None]]) -> Iterator[ExecutionResult]:
        """Run many ``(code, result_expr)`` pairs on all workers; results come back in input order."""
        with ThreadPoolExecutor(max_workers=self.workers) as executor:
            yield from executor.map(lambda item: self.run(*item), programs)

    def close(self) -> None:
        self._pool.close()
        for workdir in self._workdirs:
            shutil.rmtree(workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _checked(self, reply: dict[str, Any]) -> ExecutionResult:
        """The worker's reply as bounded text of the right types, or an error saying it was not."""
        status = reply.get("status")
        texts = {key: reply.get(key) for key in ("value", "value_latex", "value_type", "error")}
        stdout = reply.get("stdout", "")
        seconds = reply.get("seconds", 0.0)
        if (
            status not in STATUSES
            or not all(v is None or isinstance(v, str) for v in texts.values())
            or not isinstance(stdout, str)
            or not isinstance(seconds, (int, float))
            or not math.isfinite(seconds)
        ):
            return ExecutionResult(status="error", error=_INVALID_REPLY)
        cap = self.limits.max_value_chars
        return ExecutionResult(
            status=status,
            stdout=stdout[: self.limits.max_output_chars],
            seconds=max(0.0, float(seconds)),
            **{key: None if v is None else v[:cap] for key, v in texts.items()},
        )

    def _start_worker(self) -> JsonLineWorker:
        interpreter = self._interpreter
        libraries = {name for name, _ in interpreter.packages if not name.endswith(".libs")}
        heavy = [name for name in self.preload if name.partition(".")[0] in libraries]
        config: dict[str, Any] = {
            "preload": [name for name in self.preload if name not in heavy],
            "heavy": heavy,
            "markers": sorted(libraries),
        }
        env = {
            "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        if self.unsafe_no_isolation:
            workdir = tempfile.mkdtemp(prefix="mathlm-unsafe-sandbox-")
            self._workdirs.append(workdir)
            config.update(workdir=workdir, site=[])
            return JsonLineWorker.start(
                [self.python, "-I", str(WORKER_SCRIPT), json.dumps(config)], env={**env, "HOME": workdir}
            )
        config.update(
            mount_tmpfs=True,
            disk_bytes=self.limits.disk_bytes,
            max_files=self.limits.max_files,
            site=[SANDBOX_SITE],
        )
        seccomp_fd = os.memfd_create("mathlm-sandbox-seccomp", 0)
        try:
            os.write(seccomp_fd, sandbox_worker.seccomp_program("bwrap"))
            os.lseek(seccomp_fd, 0, os.SEEK_SET)
            command = [
                "bwrap",
                "--unshare-all",
                "--unshare-user",
                "--uid",
                str(SANDBOX_UID),
                "--gid",
                str(SANDBOX_UID),
                "--hostname",
                "sandbox",
                "--die-with-parent",
                "--new-session",
                "--cap-add",
                "CAP_SYS_ADMIN",
                "--clearenv",
            ]
            for key, value in {**env, "HOME": sandbox_worker.WORKDIR}.items():
                command += ["--setenv", key, value]
            command += _system_library_args()
            for path in sorted({interpreter.executable, *interpreter.binds}, key=len):
                command += ["--ro-bind", path, path]
            for name, path in interpreter.packages:
                command += ["--ro-bind", path, f"{SANDBOX_SITE}/{name}"]
            command += [
                "--ro-bind",
                str(WORKER_SCRIPT),
                "/sandbox/sandbox_worker.py",
                *_DEVICE_ARGS,
                "--dir",
                sandbox_worker.WORKDIR,
                "--chdir",
                "/",
                "--remount-ro",
                "/",
                "--seccomp",
                str(seccomp_fd),
                interpreter.executable,
                "-I",
                "/sandbox/sandbox_worker.py",
                json.dumps(config),
            ]
            return JsonLineWorker.start(
                command, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, pass_fds=(seccomp_fd,)
            )
        except WorkerStartError as err:
            hint = _USERNS_HINT if "namespace" in str(err) or "uid map" in str(err) else "see its message"
            raise MathlmError(
                f"sandbox: cannot start an isolated worker ({err}); {hint}. Running "
                "model-written code without isolation needs unsafe_no_isolation=True "
                "(`--unsafe-no-isolation`)."
            ) from err
        finally:
            os.close(seccomp_fd)


_INVALID_REPLY = "the sandbox worker sent an invalid reply"
# Only these devices (bubblewrap's --dev would add /dev/shm, ptys and a devpts mount).
_DEVICE_ARGS = [
    arg
    for device in ("null", "zero", "random", "urandom")
    for arg in ("--dev-bind", f"/dev/{device}", f"/dev/{device}")
]


@contextmanager
def sandbox(workers: int = 2, limits: SandboxLimits | None = None) -> Iterator[SandboxPool]:
    """``with sandbox() as pool: pool.run(code, "solution()")``."""
    pool = SandboxPool(workers=workers, limits=limits or SandboxLimits())
    try:
        yield pool
    finally:
        pool.close()
