"""The pre-started process that runs model-written Python for :mod:`mathlm.eval.sandbox`.

Run as a script (``python -I sandbox_worker.py PRELOAD...``), normally inside fresh network, PID and
mount namespaces made by ``unshare``. It imports the allowed modules once, then for every request
read from stdin (one JSON line) forks a child that drops privileges, applies resource limits and an
audit-hook policy, runs the program in an empty temporary directory and reports one JSON line back.
Forking a warm interpreter is what makes tool-use evaluation cheap: no interpreter start and no
``import sympy`` per program.

This file must only use the standard library: it runs outside the mathlm package on purpose.
"""

from __future__ import annotations

import json
import os
import resource
import select
import shutil
import signal
import sys
import sysconfig
import tempfile
import time
import traceback

# Modules a program may use. They are imported before privileges are dropped, because the sandbox
# user may not be able to read the interpreter's files; anything else fails to import.
STDLIB_PRELOAD = (
    "math", "cmath", "fractions", "decimal", "itertools", "functools", "collections", "statistics",
    "random", "re", "string", "operator", "heapq", "bisect", "datetime", "numbers", "copy", "typing",
    "dataclasses", "enum", "textwrap", "json",
    # Imported by many libraries; the network namespace, not a missing module, is what keeps it offline.
    "socket",
)
NOBODY = 65534
MAX_REPORT_CHARS = 20_000


def main() -> None:
    preload = [name for name in sys.argv[1:] if name]
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != os.path.dirname(os.path.abspath(__file__))]
    for name in (*STDLIB_PRELOAD, *preload):
        try:
            __import__(name)
        except ImportError:
            pass
    library_roots = _library_roots()  # computed now: sysconfig imports lazily, and the child cannot
    pid_namespace = os.getpid() == 1
    _send({"ready": True, "pid_namespace": pid_namespace, "uid": os.getuid()})
    for line in sys.stdin:
        request = json.loads(line)
        _send(_run_one(request, pid_namespace, library_roots))


def _send(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _run_one(request: dict, pid_namespace: bool, library_roots: tuple[str, ...]) -> dict:
    workdir = tempfile.mkdtemp(prefix="mathlm-sandbox-")
    if os.getuid() == 0:
        os.chown(workdir, NOBODY, NOBODY)
    read_fd, write_fd = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child: never returns
        os.close(read_fd)
        _child(request, workdir, write_fd, library_roots)
    os.close(write_fd)
    report = _collect(pid, read_fd, float(request["limits"]["wall_time_s"]))
    report["seconds"] = round(time.monotonic() - start, 4)
    _kill_leftovers(pid, pid_namespace)
    report["stdout"] = _read_capped(os.path.join(workdir, ".stdout"), int(request["limits"]["max_output_chars"]))
    shutil.rmtree(workdir, ignore_errors=True)
    return report


def _collect(pid: int, read_fd: int, wall_time_s: float) -> dict:
    """Read the child's JSON report until EOF or the wall-clock deadline, then reap the child."""
    deadline = time.monotonic() + wall_time_s
    chunks: list[bytes] = []
    timed_out = False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    if timed_out:
        _kill_group(pid)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        return {"status": "timeout", "error": f"wall-clock limit of {wall_time_s:g} s exceeded"}
    raw = b"".join(chunks).decode("utf-8", "replace")
    if raw:
        return json.loads(raw)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return {"status": "timeout", "error": "CPU time limit exceeded"}
        return {"status": "killed", "error": f"killed by signal {signal.Signals(sig).name}"}
    return {"status": "error", "error": f"exited with status {os.WEXITSTATUS(status)} without a result"}


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _kill_leftovers(pid: int, pid_namespace: bool) -> None:
    """Kill whatever the program started. In our own PID namespace that is every process but us."""
    _kill_group(pid)
    if pid_namespace:
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != 1:
                try:
                    os.kill(int(entry), signal.SIGKILL)
                except ProcessLookupError:
                    pass
    while True:  # reap orphans adopted by us (we are PID 1 in the namespace)
        try:
            reaped, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if reaped == 0:
            break


def _read_capped(path: str, limit: int) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


def _child(request: dict, workdir: str, result_fd: int, library_roots: tuple[str, ...]) -> None:
    limits = request["limits"]
    report: dict
    try:
        os.setsid()
        os.chdir(workdir)
        out = os.open(os.path.join(workdir, ".stdout"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        if os.getuid() == 0:
            os.fchown(out, NOBODY, NOBODY)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.environ.clear()
        os.environ.update({"PATH": "/usr/bin:/bin", "HOME": workdir, "LANG": "C.UTF-8", "TMPDIR": workdir})
        tempfile.tempdir = workdir
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write raises EFBIG instead of killing us
        _set_limits(limits)
        sys.addaudithook(_policy(workdir, library_roots))
        report = _execute(request["code"], request.get("result_expr"))
    except BaseException as err:  # the report must always be written
        report = {"status": "error", "error": f"sandbox setup failed: {type(err).__name__}: {err}"}
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a full or oversized output file must not lose the report
        pass
    try:
        os.write(result_fd, json.dumps(report, default=str).encode("utf-8"))
    finally:
        os._exit(0)


def _library_roots() -> tuple[str, ...]:
    """Directories a program may read: the standard library and installed packages, nothing else."""
    paths = sysconfig.get_paths()
    roots = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    return tuple(sorted(os.path.realpath(root) for root in roots))


def _set_limits(limits: dict) -> None:
    with open("/proc/self/statm") as handle:
        mapped = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    address_space = mapped + int(limits["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    cpu = int(limits["cpu_time_s"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    size = int(limits["file_size_bytes"])
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    processes = int(limits["max_processes"])
    resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# Audit events that start processes, load native code or bypass the file policy.
_FORBIDDEN_EVENTS = frozenset({
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "subprocess.Popen",
    "ctypes.dlopen", "ctypes.dlsym", "ctypes.call_function", "ctypes.cdata", "os.kill", "os.killpg",
    "socket.bind", "os.chroot", "os.setuid", "os.putenv", "os.unsetenv", "pty.spawn",
})
_LISTING_EVENTS = frozenset({"os.listdir", "os.scandir"})  # the import system lists library folders
_PATH_EVENTS = frozenset({"os.chdir", "os.remove", "os.rename", "os.rmdir",
                          "os.mkdir", "os.symlink", "os.link", "shutil.rmtree", "os.chmod", "os.chown"})


def _policy(workdir: str, read_roots: tuple[str, ...]):  # noqa: ANN202 - returns the hook
    """An audit hook: files only inside ``workdir``; reads also under ``read_roots`` (the libraries).

    This is the second wall, not the only one: the process already runs as an unprivileged user with
    resource limits in empty network/PID namespaces. The hook turns what those would let through
    (reading world-readable files, starting processes, loading native code) into a clean error.
    """
    workdir = os.path.realpath(workdir)

    def inside(path: object, roots: tuple[str, ...]) -> bool:
        if isinstance(path, int):
            return True  # an already-open descriptor
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if path is None:
            path = "."
        full = os.path.realpath(os.path.join(workdir, str(path)))
        return any(full == root or full.startswith(root.rstrip("/") + "/") for root in roots)

    def hook(event: str, args: tuple) -> None:
        if event in _FORBIDDEN_EVENTS:
            raise PermissionError(f"sandbox: {event} is not allowed")
        if event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
            roots = (workdir,) if writing else (workdir, *read_roots)
            if not inside(path, roots):
                raise PermissionError(f"sandbox: access to {path!r} outside the working directory is not allowed")
        elif event in _LISTING_EVENTS:
            if args and not inside(args[0], (workdir, *read_roots)):
                raise PermissionError(f"sandbox: {event} on {args[0]!r} is not allowed")
        elif event in _PATH_EVENTS:
            if args and not inside(args[0], (workdir,)):
                raise PermissionError(f"sandbox: {event} on {args[0]!r} is not allowed")

    return hook


def _execute(code: str, result_expr: str | None) -> dict:
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(compile(code, "<program>", "exec"), namespace)
        value = eval(compile(result_expr, "<result>", "eval"), namespace) if result_expr else None
    except MemoryError:
        return {"status": "memory", "error": "memory limit exceeded"}
    except RecursionError:
        return {"status": "error", "error": "RecursionError: maximum recursion depth exceeded"}
    except BaseException as err:  # SystemExit, KeyboardInterrupt from the program are errors too
        last = traceback.format_exception_only(type(err), err)[-1].strip()
        return {"status": "error", "error": last[:MAX_REPORT_CHARS]}
    report = {"status": "ok", "value": None if value is None else str(value)[:MAX_REPORT_CHARS],
              "value_type": type(value).__name__}
    latex = _latex(value)
    if latex is not None:
        report["value_latex"] = latex[:MAX_REPORT_CHARS]
    return report


def _latex(value: object) -> str | None:
    """SymPy results also as LaTeX, the form MATH answers are compared in."""
    sympy = sys.modules.get("sympy")
    if sympy is None or not isinstance(value, sympy.Basic):
        return None
    try:
        return sympy.latex(value)
    except Exception:  # noqa: BLE001 - a value that cannot be printed still has its str()
        return None


if __name__ == "__main__":
    main()
