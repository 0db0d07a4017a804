"""The process inside the sandbox that runs model-written Python for :mod:`mathlm.eval.sandbox`.

It starts under bubblewrap (new user, mount, PID, network, IPC and UTS namespaces; a read-only view of
the interpreter and the allowed libraries; no ``/proc``, ``/tmp`` or host sockets) as a small
*zygote*: it mounts its private working directory (a tmpfs with a byte and an inode limit), drops
every capability, installs the base seccomp filter, imports the allowed modules once and greets the
evaluator. For each request (one JSON line on stdin) it forks one child, and the child, before any
program code runs, gets resource limits and a second seccomp filter that refuses every way to make a
process or run a binary. So the program itself can never create a process, and only the zygote's
own code ever forks; a program costs a ``fork`` of a warm interpreter, not an interpreter start.

The child's output and its report travel through pipes that the zygote reads with size caps and a
wall-clock deadline; the zygote checks the report's fields and types before it answers. Nothing the
program wrote is trusted: the evaluator checks the answer again (see ``sandbox.py``).

This file must only use the standard library: it runs outside the mathlm package, and the evaluator
imports it only for :func:`seccomp_program`.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import gc
import json
import os
import resource
import select
import shutil
import signal
import struct
import sys
import time
import traceback

WORKDIR = "/work"
STATUSES_FROM_CHILD = ("ok", "error", "memory")
REPORT_FIELDS = ("value", "value_latex", "value_type", "error")
MAX_REPORT_BYTES = 1 << 18
MAX_REQUEST_BYTES = 1 << 22


# --- seccomp -------------------------------------------------------------------------------------
# A classic BPF program over ``struct seccomp_data`` {int nr; u32 arch; u64 ip; u64 args[6]}. We build
# it ourselves (x86-64 and aarch64) so that it works with any interpreter, with no native library needed.

AUDIT_ARCH_X86_64 = 0xC000003E
AUDIT_ARCH_AARCH64 = 0xC00000B7
X32_SYSCALL_BIT = 0x40000000
RET_KILL_PROCESS = 0x80000000
RET_ALLOW = 0x7FFF0000
RET_ERRNO = 0x00050000
_LD_W_ABS, _JEQ_K, _JGE_K, _JSET_K, _RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
_NR, _ARCH, _ARG0 = 0, 4, 16  # offsets in seccomp_data; args are little-endian, low word first

CLONE_THREAD = 0x00010000
CLONE_NAMESPACES = (
    0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x00000080
)  # NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET, NEWTIME

# System calls added since Linux 5.1 carry the same number on every architecture (424 and up).
SYSCALLS_SINCE_424 = {
    "pidfd_send_signal": 424,
    "io_uring_setup": 425,
    "io_uring_enter": 426,
    "io_uring_register": 427,
    "open_tree": 428,
    "move_mount": 429,
    "fsopen": 430,
    "fsconfig": 431,
    "fsmount": 432,
    "fspick": 433,
    "pidfd_open": 434,
    "clone3": 435,
    "pidfd_getfd": 438,
    "mount_setattr": 442,
    "quotactl_fd": 443,
}
# x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl); tests cross-check libseccomp.
SYSCALLS_X86_64 = {
    "socket": 41,
    "socketpair": 53,
    "clone": 56,
    "fork": 57,
    "vfork": 58,
    "execve": 59,
    "kill": 62,
    "ptrace": 101,
    "syslog": 103,
    "rt_sigqueueinfo": 129,
    "uselib": 134,
    "personality": 135,
    "ustat": 136,
    "sysfs": 139,
    "vhangup": 153,
    "pivot_root": 155,
    "_sysctl": 156,
    "adjtimex": 159,
    "chroot": 161,
    "acct": 163,
    "settimeofday": 164,
    "mount": 165,
    "umount2": 166,
    "swapon": 167,
    "swapoff": 168,
    "reboot": 169,
    "iopl": 172,
    "ioperm": 173,
    "init_module": 175,
    "delete_module": 176,
    "quotactl": 179,
    "nfsservctl": 180,
    "tkill": 200,
    "lookup_dcookie": 212,
    "clock_settime": 227,
    "tgkill": 234,
    "kexec_load": 246,
    "add_key": 248,
    "request_key": 249,
    "keyctl": 250,
    "migrate_pages": 256,
    "unshare": 272,
    "move_pages": 279,
    "rt_tgsigqueueinfo": 297,
    "perf_event_open": 298,
    "fanotify_init": 300,
    "name_to_handle_at": 303,
    "open_by_handle_at": 304,
    "clock_adjtime": 305,
    "setns": 308,
    "process_vm_readv": 310,
    "process_vm_writev": 311,
    "kcmp": 312,
    "finit_module": 313,
    "kexec_file_load": 320,
    "bpf": 321,
    "execveat": 322,
    "userfaultfd": 323,
    **SYSCALLS_SINCE_424,
}
# aarch64 (the generic table, include/uapi/asm-generic/unistd.h): no fork, vfork, iopl, ioperm, uselib,
# ustat, sysfs or _sysctl there; processes come from clone and clone3 only.
SYSCALLS_AARCH64 = {
    "lookup_dcookie": 18,
    "umount2": 39,
    "mount": 40,
    "pivot_root": 41,
    "nfsservctl": 42,
    "chroot": 51,
    "vhangup": 58,
    "quotactl": 60,
    "acct": 89,
    "personality": 92,
    "unshare": 97,
    "kexec_load": 104,
    "init_module": 105,
    "delete_module": 106,
    "clock_settime": 112,
    "syslog": 116,
    "ptrace": 117,
    "kill": 129,
    "tkill": 130,
    "tgkill": 131,
    "rt_sigqueueinfo": 138,
    "reboot": 142,
    "settimeofday": 170,
    "adjtimex": 171,
    "socket": 198,
    "socketpair": 199,
    "add_key": 217,
    "request_key": 218,
    "keyctl": 219,
    "clone": 220,
    "execve": 221,
    "swapon": 224,
    "swapoff": 225,
    "migrate_pages": 238,
    "move_pages": 239,
    "rt_tgsigqueueinfo": 240,
    "perf_event_open": 241,
    "fanotify_init": 262,
    "name_to_handle_at": 264,
    "open_by_handle_at": 265,
    "clock_adjtime": 266,
    "setns": 268,
    "process_vm_readv": 270,
    "process_vm_writev": 271,
    "kcmp": 272,
    "finit_module": 273,
    "bpf": 280,
    "execveat": 281,
    "userfaultfd": 282,
    "kexec_file_load": 294,
    **SYSCALLS_SINCE_424,
}
ARCHITECTURES = {
    "x86_64": (AUDIT_ARCH_X86_64, SYSCALLS_X86_64),
    "aarch64": (AUDIT_ARCH_AARCH64, SYSCALLS_AARCH64),
}

# Refused to every process in the sandbox, the zygote included: debugging and reading other
# processes, mounts and namespaces, kernel keyrings, BPF, io_uring (its operations bypass seccomp),
# kernel modules, clocks, swap, reboot, file handles, and sockets (there is no network to use).
BASE_DENIED = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "open_tree",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "perf_event_open",
    "userfaultfd",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "swapon",
    "swapoff",
    "reboot",
    "acct",
    "quotactl",
    "quotactl_fd",
    "open_by_handle_at",
    "name_to_handle_at",
    "fanotify_init",
    "lookup_dcookie",
    "iopl",
    "ioperm",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "syslog",
    "vhangup",
    "uselib",
    "ustat",
    "sysfs",
    "_sysctl",
    "nfsservctl",
    "personality",
    "migrate_pages",
    "move_pages",
    "socket",
    "socketpair",
)
# Refused to the program on top of that: making processes or running binaries of any kind, and
# signalling any process but itself.
PROGRAM_DENIED = ("fork", "vfork", "execve", "execveat", "tkill", "pidfd_open", "pidfd_send_signal")
OWN_PID_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("<HBBI", code, jt, jf, k & 0xFFFFFFFF)


def _errno(number: int) -> int:
    return RET_ERRNO | number


def seccomp_program(stage: str, own_pid: int | None = None, machine: str | None = None) -> bytes:
    """The filter for ``stage``: ``bwrap`` (base minus ``mount``, installed by bubblewrap before the
    interpreter starts, so the zygote can still mount its tmpfs), ``base`` (the zygote, after the
    mount) or ``program`` (one program, on top of ``base``; signals only to ``own_pid``). Any other
    system call ABI (x32, 32-bit compat) kills the process."""
    machine = machine or os.uname().machine
    if machine not in ARCHITECTURES:
        raise OSError(f"the sandbox's seccomp filter is built for x86-64 and aarch64 Linux, not {machine}")
    arch, numbers = ARCHITECTURES[machine]
    prog = [
        _insn(_LD_W_ABS, _ARCH),
        _insn(_JEQ_K, arch, jt=1, jf=0),
        _insn(_RET_K, RET_KILL_PROCESS),
        _insn(_LD_W_ABS, _NR),
    ]
    if machine == "x86_64":  # the x32 ABI shares the architecture value and reaches the same calls
        prog += [_insn(_JGE_K, X32_SYSCALL_BIT, jt=0, jf=1), _insn(_RET_K, _errno(errno.EPERM))]
    blocks: list[tuple[int, list[bytes]]] = []
    denied = [name for name in BASE_DENIED if not (stage == "bwrap" and name == "mount")]
    if stage == "program":
        denied += PROGRAM_DENIED
    for name in denied:
        if name in numbers:
            blocks.append((numbers[name], [_insn(_RET_K, _errno(errno.EPERM))]))
    # clone3 passes its flags in memory that seccomp cannot read: ENOSYS makes glibc fall back to clone.
    blocks.append((numbers["clone3"], [_insn(_RET_K, _errno(errno.ENOSYS))]))
    clone = [
        _insn(_LD_W_ABS, _ARG0),
        _insn(_JSET_K, CLONE_NAMESPACES, jt=0, jf=1),
        _insn(_RET_K, _errno(errno.EPERM)),
    ]
    if stage == "program":  # threads only
        clone += [_insn(_JSET_K, CLONE_THREAD, jt=1, jf=0), _insn(_RET_K, _errno(errno.EPERM))]
    blocks.append((numbers["clone"], [*clone, _insn(_RET_K, RET_ALLOW)]))
    if stage == "program":
        if own_pid is None:
            raise ValueError("the program stage needs the program's pid")
        for name in OWN_PID_ONLY:
            blocks.append(
                (
                    numbers[name],
                    [
                        _insn(_LD_W_ABS, _ARG0),
                        _insn(_JEQ_K, own_pid, jt=0, jf=1),
                        _insn(_RET_K, RET_ALLOW),
                        _insn(_RET_K, _errno(errno.EPERM)),
                    ],
                )
            )
    for number, block in blocks:
        prog += [_insn(_JEQ_K, number, jt=0, jf=len(block)), *block]
    prog.append(_insn(_RET_K, RET_ALLOW))
    return b"".join(prog)


_PID_MARK = 0x7EADBEEF  # stands for the child's pid in the cached program filter


@functools.lru_cache(maxsize=1)
def _program_filter_template() -> bytes:
    return seccomp_program("program", own_pid=_PID_MARK)


def _program_filter(pid: int) -> bytes:
    """The program stage for ``pid``, without rebuilding the whole filter in every child."""
    return _program_filter_template().replace(struct.pack("<I", _PID_MARK), struct.pack("<I", pid))


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_DUMPABLE, PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS, SECCOMP_MODE_FILTER = 4, 22, 38, 2


def install_seccomp(program: bytes) -> None:
    """Load ``program`` into this process (and every thread it starts later); it cannot be removed."""
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if (
        _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
        or _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0
    ):
        raise OSError(ctypes.get_errno(), "cannot install the seccomp filter")


# --- zygote setup --------------------------------------------------------------------------------


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _mount_workdir(disk_bytes: int, max_files: int) -> None:
    """Our own tmpfs, because bubblewrap's ``--tmpfs`` cannot limit inodes (each costs kernel memory)."""
    options = f"size={disk_bytes},nr_inodes={max_files},mode=0700".encode()
    ms_nosuid, ms_nodev, ms_noexec = 2, 4, 8
    if _libc.mount(b"tmpfs", WORKDIR.encode(), b"tmpfs", ms_nosuid | ms_nodev | ms_noexec, options) != 0:
        raise OSError(ctypes.get_errno(), "cannot mount the sandbox's tmpfs")


def _drop_capabilities() -> None:
    """bubblewrap granted CAP_SYS_ADMIN (in our user namespace) for the mount only; give up all."""
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    if _libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "cannot drop capabilities")


def main() -> None:
    config = json.loads(sys.argv[1])
    global WORKDIR  # the unsafe mode works in a directory the evaluator made
    if config.get("mount_tmpfs"):
        _mount_workdir(int(config["disk_bytes"]), int(config["max_files"]))
        _drop_capabilities()
    else:
        WORKDIR = config["workdir"]
    install_seccomp(seccomp_program("base"))
    _program_filter_template()
    _libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)  # no other process of our user may read our memory
    sys.path[:] = [p for p in sys.path if p and not p.startswith(os.path.dirname(os.path.abspath(__file__)))]
    sys.path.extend(config.get("site", []))
    _preload(config.get("preload", []))
    heavy = _HeavyZygote.start(config["heavy"], config["markers"]) if config.get("heavy") else None
    gc.freeze()  # the preloaded objects stay out of the children's collections: less copy-on-write
    _send({"ready": True, "pid": os.getpid(), "uid": os.getuid(), "workdir": WORKDIR})
    reader = _LineReader(0)
    while True:
        line = reader.readline(MAX_REQUEST_BYTES)
        if line is None:
            return
        request = json.loads(line)
        if heavy is not None and heavy.wanted_by(request):
            reply, healthy = heavy.run(line)
        else:
            reply, healthy = _run_one(request)
        _send({**reply, "healthy": healthy})
        if not healthy:
            return  # the evaluator starts a fresh sandbox in our place


def _preload(names: list[str]) -> None:
    for name in names:  # imported once here, a dictionary lookup in every program
        try:
            __import__(name)
        except ImportError:
            pass


class _HeavyZygote:
    """A second zygote, forked before anything big is imported, that holds the big libraries.

    Forking costs in proportion to the memory a process maps: NumPy and SymPy make every fork several
    times dearer. Programs that name one of those libraries go to this zygote; all others are forked
    from the small one. A program that reaches a library without naming it still works, it just
    imports it itself.
    """

    def __init__(self, pid: int, requests: int, replies: int, markers: list[str]) -> None:
        self.pid, self.requests, self.markers = pid, requests, markers
        self.replies = _LineReader(replies)

    @classmethod
    def start(cls, names: list[str], markers: list[str]) -> _HeavyZygote:
        request_r, request_w = os.pipe()
        reply_r, reply_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # never returns
            os.close(request_w)
            os.close(reply_r)
            devnull = os.open(os.devnull, os.O_RDWR)
            os.dup2(devnull, 0)  # the evaluator's pipes are the small zygote's alone
            os.dup2(devnull, 1)
            _preload(names)
            gc.freeze()
            _write_all(reply_w, b'{"ready": true}\n')
            reader = _LineReader(request_r)
            while (line := reader.readline(MAX_REQUEST_BYTES)) is not None:
                reply, healthy = _run_one(json.loads(line))
                _write_all(reply_w, (json.dumps({**reply, "healthy": healthy}) + "\n").encode())
                if not healthy:
                    break
            os._exit(0)
        os.close(request_r)
        os.close(reply_w)
        heavy = cls(pid, request_w, reply_r, markers)
        if heavy.replies.readline(MAX_REQUEST_BYTES) is None:  # its imports done, like ours
            raise OSError("the library zygote did not start")
        return heavy

    def wanted_by(self, request: dict) -> bool:
        text = f"{request.get('code', '')}\n{request.get('result_expr') or ''}"
        return any(marker in text for marker in self.markers)

    def run(self, line: bytes) -> tuple[dict, bool]:
        try:
            _write_all(self.requests, line + b"\n")
            answer = self.replies.readline(MAX_REQUEST_BYTES)
        except OSError:
            answer = None
        if answer is None:
            return {"status": "killed", "error": "the sandbox's library zygote died", "stdout": ""}, False
        reply = json.loads(answer)
        return reply, bool(reply.pop("healthy", False))


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


class _LineReader:
    """Reads lines from a descriptor without Python's buffering (fork must not duplicate buffered input)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pending = b""

    def readline(self, limit: int) -> bytes | None:
        while b"\n" not in self.pending:
            if len(self.pending) > limit:
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk:
                return None
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return line


def _send(message: dict) -> None:
    _write_all(1, (json.dumps(message) + "\n").encode())


def _run_one(request: dict) -> tuple[dict, bool]:
    """Run one program in a forked child; returns the checked reply and whether the zygote is still clean."""
    limits = request["limits"]
    out_r, out_w = os.pipe()
    res_r, res_w = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # never returns
        os.close(out_r)
        os.close(res_r)
        _child(request, out_w, res_w)
    os.close(out_w)
    os.close(res_w)
    reply = _watch(pid, out_r, res_r, limits)
    reply["seconds"] = round(time.monotonic() - start, 4)
    return reply, _clean_workdir()


def _watch(pid: int, out_r: int, res_r: int, limits: dict) -> dict:
    """Collect the child's output and report with caps, until it exits or the deadline passes."""
    deadline = time.monotonic() + float(limits["wall_time_s"])
    max_output = int(limits["max_output_chars"])
    pidfd = os.pidfd_open(pid)
    output = bytearray()
    report = bytearray()
    open_fds = {out_r, res_r}
    exited = timed_out = report_too_big = False
    while not exited or open_fds:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        waiting = [*open_fds] if exited else [*open_fds, pidfd]
        ready, _, _ = select.select(waiting, [], [], remaining)
        for fd in ready:
            if fd == pidfd:
                exited = True
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.discard(fd)
            elif fd == out_r:
                output += chunk[: max(0, max_output - len(output))]  # keep draining, keep nothing more
            else:
                report += chunk
                if len(report) > MAX_REPORT_BYTES:
                    report_too_big = True
                    break
        if report_too_big:
            break
    os.kill(pid, signal.SIGKILL)  # whatever its state, it is done; threads go with it
    _, status = os.waitpid(pid, 0)
    for fd in (out_r, res_r, pidfd):
        os.close(fd)
    stdout = output.decode("utf-8", "replace")[:max_output]
    if timed_out:
        reply = {
            "status": "timeout",
            "error": f"wall-clock limit of {float(limits['wall_time_s']):g} s exceeded",
        }
    elif report_too_big:
        reply = {"status": "error", "error": f"result report larger than {MAX_REPORT_BYTES} bytes"}
    elif report:
        reply = _checked_report(bytes(report), int(limits["max_value_chars"]))
    elif os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
        reply = {"status": "timeout", "error": "CPU time limit exceeded"}
    elif os.WIFSIGNALED(status):
        reply = {"status": "killed", "error": f"killed by signal {signal.Signals(os.WTERMSIG(status)).name}"}
    else:
        reply = {"status": "error", "error": f"exited with status {os.WEXITSTATUS(status)} without a result"}
    reply["stdout"] = stdout
    return reply


def _checked_report(raw: bytes, max_chars: int) -> dict:
    """The child's report as the program may have forged it: keep only known fields of the right type."""
    try:
        report = json.loads(raw)
    except ValueError:
        return {"status": "error", "error": "the program's result report is not valid JSON"}
    if not isinstance(report, dict) or report.get("status") not in STATUSES_FROM_CHILD:
        return {"status": "error", "error": "the program's result report is malformed"}
    checked = {"status": report["status"]}
    for key in REPORT_FIELDS:
        value = report.get(key)
        if value is not None and not isinstance(value, str):
            return {"status": "error", "error": f"the program's result report has a non-text {key}"}
        checked[key] = None if value is None else value[:max_chars]
    return checked


def _clean_workdir() -> bool:
    """Empty the working directory for the next program; False if that is impossible (retire the worker)."""
    try:
        for entry in os.scandir(WORKDIR):
            if entry.is_dir(follow_symlinks=False):
                os.chmod(entry.path, 0o700)  # a program may have taken away our permissions
                for root, dirs, _ in os.walk(entry.path):  # top-down: each one opened before we descend
                    for name in dirs:
                        path = os.path.join(root, name)
                        if not os.path.islink(path):
                            os.chmod(path, 0o700)
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        return not os.listdir(WORKDIR)
    except OSError:
        return False


# --- the child -----------------------------------------------------------------------------------


def _child(request: dict, out_w: int, res_w: int) -> None:
    try:
        os.setsid()
        os.chdir(WORKDIR)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        os.dup2(res_w, 3)
        os.closerange(4, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        report_fd = 3
        sys.stdout = os.fdopen(1, "w", encoding="utf-8", errors="replace", closefd=False)
        sys.stderr = sys.stdout
        sys.stdin = os.fdopen(0, "r", closefd=False)
        os.environ.clear()
        os.environ.update({"HOME": WORKDIR, "TMPDIR": WORKDIR, "LANG": "C.UTF-8"})
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write raises EFBIG instead
        _set_limits(request["limits"])
        install_seccomp(_program_filter(os.getpid()))
    except BaseException as err:  # noqa: BLE001 - nothing of the program may run without its walls
        os.write(res_w, json.dumps({"status": "error", "error": f"sandbox setup failed: {err!r}"}).encode())
        os._exit(1)
    report = _execute(request["code"], request.get("result_expr"), int(request["limits"]["max_value_chars"]))
    try:
        sys.stdout.flush()
    except (OSError, ValueError):  # a closed or oversized output must not lose the report
        pass
    try:
        _write_all(report_fd, json.dumps(report).encode())
    finally:
        os._exit(0)


def _set_limits(limits: dict) -> None:
    memory = int(limits["address_space_bytes"])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = max(1, int(limits["cpu_time_s"]))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    size = int(limits["file_size_bytes"])
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    if limits.get("nproc") is not None:  # counts our user's processes in the sandbox's user namespace
        resource.setrlimit(resource.RLIMIT_NPROC, (int(limits["nproc"]), int(limits["nproc"])))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_MEMLOCK, (0, 0))
    resource.setrlimit(resource.RLIMIT_MSGQUEUE, (0, 0))


def _execute(code: str, result_expr: str | None, max_chars: int) -> dict:
    namespace: dict = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        exec(compile(code, "<program>", "exec"), namespace)  # noqa: S102 - running it is our purpose
        value = eval(compile(result_expr, "<result>", "eval"), namespace) if result_expr else None
        report = {
            "status": "ok",
            "value": None if value is None else _bounded_str(value, max_chars),
            "value_type": type(value).__name__[:100],
        }
        latex = _latex(value, max_chars)
        if latex is not None:
            report["value_latex"] = latex
        return report
    except MemoryError:
        return {"status": "memory", "error": "memory limit exceeded"}
    except RecursionError:
        return {"status": "error", "error": "RecursionError: maximum recursion depth exceeded"}
    except BaseException as err:  # noqa: BLE001 - SystemExit and KeyboardInterrupt from the program too
        try:
            last = traceback.format_exception_only(type(err), err)[-1].strip()
        except BaseException:  # noqa: BLE001 - an exception whose str() itself raises
            last = type(err).__name__
        return {"status": "error", "error": last[:max_chars]}


def _bounded_str(value: object, max_chars: int) -> str:
    text = str(value)
    if not isinstance(text, str):  # a str subclass or a __str__ that returns something else
        raise TypeError("the value's str() is not text")
    return str.__str__(text)[:max_chars]


def _latex(value: object, max_chars: int) -> str | None:
    """SymPy results also as LaTeX, the form MATH answers are compared in."""
    sympy = sys.modules.get("sympy")
    if sympy is None or not isinstance(value, sympy.Basic):
        return None
    try:
        return str.__str__(sympy.latex(value))[:max_chars]
    except Exception:  # noqa: BLE001 - a value that cannot be printed still has its str()
        return None


if __name__ == "__main__":
    main()
