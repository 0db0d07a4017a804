"""Attack programs against the tool-use sandbox, and the driver that runs them and checks containment.

Run as a script (``python tests/eval/sandbox_attacks.py [--python PY] [--library-path DIR]``) by
``test_sandbox_attacks.py``, once as root and once as an ordinary user. The driver sets up what an
attacker would want on the host (a secret file, a secret in the evaluator's environment, a writable
host file, TCP/UDP listeners on loopback, a unix socket in a temp directory and an abstract one), runs
every attack through one :class:`SandboxPool` with a benign program after each, then checks the host:
nothing reached a listener, no host file changed or appeared, no secret came back in any field. It
prints one JSON object: the number of attacks and the failures (empty when the wall held).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import secrets
import socket
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mathlm.eval.sandbox import ExecutionResult, SandboxLimits, SandboxPool

REPO = Path(__file__).resolve().parents[2]
LIMITS = SandboxLimits(wall_time_s=2.0, cpu_time_s=2, memory_bytes=512 << 20)
BENIGN = ("def solution():\n    return sum(range(10))\n", "solution()")


@dataclass
class Host:
    """What the attacks aim at. Every path is outside the sandbox; every port is on loopback."""

    dir: Path
    secret: str = field(default_factory=lambda: "S3CRET-" + secrets.token_hex(8))
    sockets: list[socket.socket] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.dir.chmod(0o755)
        self.secret_file = self.dir / "secret.txt"
        self.secret_file.write_text(self.secret)
        self.secret_file.chmod(0o644)  # readable by anyone: only the sandbox may keep it out
        self.target = self.dir / "target.txt"
        self.target.write_text("original")
        self.target.chmod(0o666)
        self.marker = self.dir / "pwned"
        self.tcp = self._listen(socket.socket(socket.AF_INET, socket.SOCK_STREAM), ("127.0.0.1", 0))
        self.udp = self._bound(socket.socket(socket.AF_INET, socket.SOCK_DGRAM), ("127.0.0.1", 0))
        self.unix_path = str(self.dir / "host.sock")
        self.unix = self._listen(socket.socket(socket.AF_UNIX, socket.SOCK_STREAM), self.unix_path)
        os.chmod(self.unix_path, 0o777)
        self.abstract_name = "mathlm-test-" + secrets.token_hex(6)
        self.abstract = self._listen(
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM), "\0" + self.abstract_name
        )
        os.environ["MATHLM_TEST_SECRET"] = self.secret  # the evaluator's environment
        self.watched = {
            path: path.read_bytes() for path in (self.target, self.secret_file, REPO / "pyproject.toml")
        }

    def _bound(self, sock: socket.socket, address: object) -> socket.socket:
        sock.bind(address)
        sock.setblocking(False)
        self.sockets.append(sock)
        return sock

    def _listen(self, sock: socket.socket, address: object) -> socket.socket:
        self._bound(sock, address)
        sock.listen(8)
        return sock

    def fill(self, text: str) -> str:
        return (
            text.replace("SECRET_FILE", str(self.secret_file))
            .replace("TARGET", str(self.target))
            .replace("MARKER", str(self.marker))
            .replace("HOSTDIR", str(self.dir))
            .replace("TCP_PORT", str(self.tcp.getsockname()[1]))
            .replace("UDP_PORT", str(self.udp.getsockname()[1]))
            .replace("UNIX_PATH", self.unix_path)
            .replace("ABSTRACT", self.abstract_name)
            .replace("REPO", str(REPO))
        )

    def breaches(self) -> list[str]:
        """Host-side evidence that something got out, gathered after all attacks ran."""
        found = []
        for name, sock in (("TCP", self.tcp), ("unix", self.unix), ("abstract unix", self.abstract)):
            try:
                sock.accept()
                found.append(f"the {name} listener accepted a connection")
            except BlockingIOError:
                pass
        try:
            self.udp.recv(100)
            found.append("the UDP listener received a datagram")
        except BlockingIOError:
            pass
        found += [f"{path} changed" for path, data in self.watched.items() if path.read_bytes() != data]
        found += [
            f"{path.name} appeared in the host directory"
            for path in self.dir.iterdir()
            if path.name not in {"secret.txt", "target.txt", "host.sock"}
        ]
        return found


Check = Callable[[ExecutionResult], str | None]


def status_in(*statuses: str) -> Check:
    return lambda r: None if r.status in statuses else f"status {r.status} ({r.error}), expected {statuses}"


def value_is(expected: str) -> Check:
    return lambda r: (
        None if r.value == expected else f"value {r.value!r} ({r.status}: {r.error}), expected {expected!r}"
    )


def bounded(r: ExecutionResult) -> str | None:
    sizes = [len(r.value or ""), len(r.value_latex or ""), len(r.error or "")]
    if max(sizes) > LIMITS.max_value_chars or len(r.stdout) > LIMITS.max_output_chars:
        return f"unbounded result: {sizes}, stdout {len(r.stdout)}"
    return None


@dataclass(frozen=True)
class Attack:
    name: str
    category: str
    program: str
    call: str | None = None
    check: Check = bounded


def refused(name: str, category: str, statement: str) -> Attack:
    """An attack that must fail: ``statement`` runs, and reaching the next line would be the breach."""
    return Attack(name, category, f"{statement}\nanswer = 'ESCAPED'\n", "answer", status_in("error"))


def denied_syscall(name: str, number: int, *args: int, errno: int = 1) -> Attack:
    """A raw system call through ctypes, around any Python-level check: it must fail with ``errno``
    (EPERM from the seccomp filter; a call that failed for another reason would prove nothing)."""
    program = (
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        f"rc = libc.syscall({number}, {', '.join(map(str, args)) or '0'})\n"
        f"answer = 'refused' if rc == -1 and ctypes.get_errno() == {errno} else f'rc={{rc}} "
        "errno={ctypes.get_errno()}'\n"
    )
    return Attack(name, "kernel", program, "answer", value_is("refused"))


ATTACKS: list[Attack] = [
    # --- resource exhaustion -------------------------------------------------------------------
    Attack("infinite loop", "resources", "while True:\n    pass\n", None, status_in("timeout")),
    Attack("sleep", "resources", "import time\ntime.sleep(3600)\n", None, status_in("timeout")),
    Attack("huge allocation", "resources", "block = bytearray(8 * 2**30)\n", None, status_in("memory")),
    Attack(
        "growing list",
        "resources",
        "x = []\nwhile True:\n    x.append(bytearray(10**7))\n",
        None,
        status_in("memory", "timeout"),
    ),  # touching every page can outlast the wall clock on a busy machine
    Attack("huge string", "resources", "s = 'x' * 2**34\n", None, status_in("memory")),
    Attack(
        "numpy allocation",
        "resources",
        "import numpy as np\na = np.ones(10**10)\n",
        None,
        status_in("memory", "error"),
    ),
    Attack(
        "anonymous mmap",
        "resources",
        "import mmap\nm = mmap.mmap(-1, 8 * 2**30)\nm[:] = b'x' * len(m)\n",
        None,
        status_in("memory", "error"),
    ),
    refused(
        "thread bomb",
        "resources",
        "import threading, time\nfor _ in range(5000):\n"
        "    threading.Thread(target=time.sleep, args=(5,), daemon=True).start()",
    ),
    Attack(
        "threads spinning",
        "resources",
        "import threading\ndef spin():\n    while True:\n        pass\n"
        "for _ in range(4):\n    threading.Thread(target=spin, daemon=True).start()\nspin()\n",
        None,
        status_in("timeout"),
    ),
    refused("big file", "resources", "open('big.bin', 'wb').write(b'x' * (64 * 2**20))"),
    refused("inode exhaustion", "resources", "for i in range(100000):\n    open(f'f{i}', 'w').close()"),
    refused(
        "disk filling",
        "resources",
        "for i in range(1000):\n    open(f'chunk{i}', 'wb').write(b'x' * (2**20 - 4096))",
    ),
    refused("directory bomb", "resources", "import os\nfor i in range(100000):\n    os.mkdir(f'd{i}')"),
    refused(
        "memory in a memfd, outside the address space",
        "resources",
        "import os\nfd = os.memfd_create('hoard')\nfor _ in range(4096):\n    os.write(fd, b'x' * 2**20)",
    ),
    refused("memory in pipe buffers", "resources", "import os\npipes = [os.pipe() for _ in range(10000)]"),
    refused("descriptor exhaustion", "resources", "fds = [open('/dev/null') for _ in range(100000)]"),
    Attack(
        "output flood",
        "resources",
        "for _ in range(10**5):\n    print('spam' * 25)\nanswer = 1\n",
        "answer",
        lambda r: bounded(r) or (None if r.ok and len(r.stdout) == LIMITS.max_output_chars else r.status),
    ),
    Attack(
        "raw output flood",
        "resources",
        "import os\nfor _ in range(200):\n    os.write(1, b'z' * 2**20)\n",
        None,
        lambda r: bounded(r) or status_in("ok", "error")(r),
    ),
    Attack("deep recursion", "resources", "def f(n):\n    return f(n + 1)\nf(0)\n", None, status_in("error")),
    refused("enormous int to text", "resources", "str(10 ** 100000)"),
    Attack(
        "ignore SIGXCPU and burn",
        "resources",
        "import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n    pass\n",
        None,
        status_in("timeout", "killed"),
    ),
    # --- the filesystem ------------------------------------------------------------------------
    refused("read a host secret", "filesystem", "print(open('SECRET_FILE').read())"),
    refused(
        "os.open a host secret",
        "filesystem",
        "import os\nprint(os.read(os.open('SECRET_FILE', os.O_RDONLY), 100))",
    ),
    refused("read /etc/passwd", "filesystem", "print(open('/etc/passwd').read())"),
    refused("read /etc/shadow", "filesystem", "print(open('/etc/shadow').read())"),
    refused("read the project source", "filesystem", "print(open('REPO/pyproject.toml').read())"),
    refused("list the checkout", "filesystem", "import os\nprint(os.listdir('REPO'))"),
    refused(
        "dir_fd traversal",
        "filesystem",
        "import os\nroot = os.open('/', os.O_RDONLY)\n"
        "print(os.read(os.open('etc/passwd', os.O_RDONLY, dir_fd=root), 99))",
    ),
    refused("dotdot traversal", "filesystem", "print(open('../../../../../etc/passwd').read())"),
    Attack(
        "list the root",
        "filesystem",
        "import os\nanswer = sorted(os.listdir('/'))\n",
        "answer",
        lambda r: (
            None
            if r.ok
            and not {"etc", "proc", "tmp", "run", "var", "home", "sys"}
            & set(ast.literal_eval(r.value or "[]"))
            else f"root shows {r.value}"
        ),
    ),
    refused("write a host file", "filesystem", "open('TARGET', 'w').write('changed')"),
    refused("create a host file", "filesystem", "open('MARKER', 'w').write('x')"),
    Attack(
        "symlink to a host secret",
        "filesystem",
        "import os\nos.symlink('SECRET_FILE', 'link')\nanswer = open('link').read()\n",
        "answer",
        status_in("error"),
    ),
    refused("hard link to a host secret", "filesystem", "import os\nos.link('SECRET_FILE', 'hard')"),
    refused("rename a host file", "filesystem", "import os\nos.rename('TARGET', 'stolen')"),
    refused("truncate a host file", "filesystem", "import os\nos.truncate('TARGET', 0)"),
    refused("fifo on the host", "filesystem", "import os\nos.mkfifo('HOSTDIR/fifo')"),
    refused("unlink a host file", "filesystem", "import os\nos.unlink('TARGET')"),
    refused("chmod a host file", "filesystem", "import os\nos.chmod('TARGET', 0o777)"),
    refused("/proc/self/environ", "filesystem", "print(open('/proc/self/environ').read())"),
    refused("/proc/1/root", "filesystem", "import os\nprint(os.listdir('/proc/1/root'))"),
    refused("/proc/self/mem", "filesystem", "open('/proc/self/mem', 'wb')"),
    refused("/dev/shm", "filesystem", "open('/dev/shm/x', 'w').write('x')"),
    refused("host /tmp", "filesystem", "open('/tmp/mathlm-sandbox-escape', 'w').write('x')"),
    refused("host /run", "filesystem", "import os\nprint(os.listdir('/run'))"),
    refused("/sys", "filesystem", "import os\nprint(os.listdir('/sys'))"),
    refused("/dev/mem", "filesystem", "open('/dev/mem', 'rb').read(10)"),
    refused("patch a library", "filesystem", "import sympy\nopen(sympy.__file__, 'a').write('# x')"),
    refused("patch the worker", "filesystem", "open('/sandbox/sandbox_worker.py', 'a').write('# x')"),
    refused(
        "write beside the interpreter",
        "filesystem",
        "import sys, os\nopen(os.path.dirname(sys.executable) + '/x', 'w')",
    ),
    refused(
        "device node",
        "filesystem",
        "import os, stat\nos.mknod('disk', stat.S_IFBLK | 0o600, os.makedev(8, 0))",
    ),
    refused(
        "executable in the workdir",
        "filesystem",
        "import os, shutil, sys\nshutil.copy(sys.executable, 'py')\nos.chmod('py', 0o755)\n"
        "os.execv('./py', ['py'])",
    ),
    # --- processes -----------------------------------------------------------------------------
    refused("fork", "processes", "import os\nos.fork()"),
    refused("fork bomb", "processes", "import os\nwhile True:\n    os.fork()"),
    refused("os.system", "processes", "import os\nassert os.system('touch MARKER') == 0"),
    refused(
        "subprocess",
        "processes",
        "import subprocess\nsubprocess.run(['/bin/sh', '-c', 'touch MARKER'], check=True)",
    ),
    refused(
        "_posixsubprocess.fork_exec",
        "processes",
        "import _posixsubprocess, os\nr, w = os.pipe()\n"
        "_posixsubprocess.fork_exec([b'/usr/bin/touch', b'MARKER'], [b'/usr/bin/touch'], True, (),"
        " None, None,"
        " -1, -1, -1, -1, -1, -1, r, w, True, False, None, None, None, -1, None, False)",
    ),
    refused(
        "posix_spawn", "processes", "import os\nos.posix_spawn('/usr/bin/touch', ['touch', 'MARKER'], {})"
    ),
    refused("execv", "processes", "import os, sys\nos.execv(sys.executable, [sys.executable, '-c', 'pass'])"),
    refused(
        "multiprocessing",
        "processes",
        "import multiprocessing\np = multiprocessing.Process(target=print)\np.start()",
    ),
    refused("pty.fork", "processes", "import pty\npty.fork()"),
    refused("kill everything", "processes", "import os\nos.kill(-1, 9)"),
    refused("kill the worker", "processes", "import os\nos.kill(os.getppid(), 9)"),
    refused("kill the sandbox init", "processes", "import os\nos.kill(1, 9)"),
    refused("kill the library zygote", "processes", "import os\nos.kill(3, 9)"),
    refused(
        "kill the library zygote from a SymPy program",
        "processes",
        "import os, sympy\nos.kill(os.getppid(), 9)",
    ),
    refused("kill the process group", "processes", "import os\nos.killpg(0, 9)"),
    refused(
        "libc system through ctypes",
        "processes",
        "import ctypes\nassert ctypes.CDLL(None).system(b'touch MARKER') == 0",
    ),
    denied_syscall("clone a process", 56, 17),  # clone(SIGCHLD): a fork
    denied_syscall("clone3", 435, 0, 0, errno=38),  # ENOSYS: glibc then falls back to clone
    denied_syscall("vfork", 58),
    Attack(
        "execve through ctypes",
        "processes",
        "import ctypes, sys\nlibc = ctypes.CDLL(None, use_errno=True)\nexe = sys.executable.encode()\n"
        "argv = (ctypes.c_char_p * 4)(exe, b'-c', b'open(\\'MARKER\\', \\'w\\')', None)\n"
        "rc = libc.execv(exe, argv)\nanswer = 'refused' if ctypes.get_errno() == 1 else 'other'\n",
        "answer",
        value_is("refused"),
    ),
    denied_syscall("tkill the worker", 200, 2, 9),
    denied_syscall("pidfd_open the worker", 434, 2, 0),
    Attack(
        "daemon thread left running",
        "processes",
        "import threading, time\ndef daemon():\n    i = 0\n    while True:\n        i += 1\n"
        "        open('daemon.txt', 'w').write(str(i))\n        time.sleep(0.01)\n"
        "threading.Thread(target=daemon).start()\nanswer = 1\n",
        "answer",
        value_is("1"),
    ),
    # --- the network ---------------------------------------------------------------------------
    refused(
        "TCP to a loopback listener",
        "network",
        "import socket\nsocket.create_connection(('127.0.0.1', TCP_PORT), timeout=1)",
    ),
    refused(
        "UDP to a loopback listener",
        "network",
        "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
        "s.sendto(b'x', ('127.0.0.1', UDP_PORT))",
    ),
    refused(
        "IPv6 loopback", "network", "import socket\nsocket.create_connection(('::1', TCP_PORT), timeout=1)"
    ),
    refused(
        "unix socket in a host directory",
        "network",
        "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('UNIX_PATH')",
    ),
    refused(
        "abstract unix socket",
        "network",
        "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('\\0ABSTRACT')",
    ),
    refused(
        "urllib to loopback",
        "network",
        "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:TCP_PORT/', timeout=1)",
    ),
    refused("DNS lookup", "network", "import socket\nsocket.getaddrinfo('example.com', 80)"),
    refused(
        "raw packet socket", "network", "import socket\nsocket.socket(socket.AF_PACKET, socket.SOCK_RAW)"
    ),
    refused("netlink socket", "network", "import socket\nsocket.socket(socket.AF_NETLINK, socket.SOCK_RAW)"),
    refused("socketpair", "network", "import socket\nsocket.socketpair()"),
    denied_syscall("socket through ctypes", 41, 2, 1, 0),
    # --- signals -------------------------------------------------------------------------------
    Attack(
        "ignore termination signals",
        "signals",
        "import signal\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):\n"
        "    signal.signal(s, signal.SIG_IGN)\n"
        "while True:\n    pass\n",
        None,
        status_in("timeout"),
    ),
    Attack(
        "segfault itself",
        "signals",
        "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n",
        None,
        status_in("killed"),
    ),
    Attack("abort", "signals", "import os\nos.abort()\n", None, status_in("killed")),
    Attack(
        "stop itself",
        "signals",
        "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)\n",
        None,
        status_in("timeout"),
    ),
    Attack(
        "alarm", "signals", "import signal, time\nsignal.alarm(1)\ntime.sleep(5)\n", None, status_in("killed")
    ),
    # --- the result channel --------------------------------------------------------------------
    Attack(
        "forged report",
        "channel",
        "import os\n"
        'os.write(3, b\'{"status": "ok", "value": "forged", "stdout": "FORGED", "seconds": -5}\')\n'
        "os._exit(0)\n",
        None,
        lambda r: None if r.stdout != "FORGED" and r.seconds >= 0 else "forged fields were believed",
    ),
    Attack(
        "report of the wrong type",
        "channel",
        'import os\nos.write(3, b\'{"status": "ok", "value": {"a": [1]}}\')\nos._exit(0)\n',
        None,
        status_in("error"),
    ),
    Attack(
        "report with an unknown status",
        "channel",
        'import os\nos.write(3, b\'{"status": "timeout-ish", "value": "1"}\')\nos._exit(0)\n',
        None,
        status_in("error"),
    ),
    Attack(
        "report that is not JSON",
        "channel",
        "import os\nos.write(3, b'\\xff\\xfe garbage')\nos._exit(0)\n",
        None,
        status_in("error"),
    ),
    Attack(
        "200 MB value",
        "channel",
        "answer = 'x' * 200_000_000\n",
        "answer",
        lambda r: (
            bounded(r)
            or (
                None
                if (r.ok and r.value == "x" * LIMITS.max_value_chars) or r.status == "timeout"
                else r.status
            )
        ),
    ),  # building and sending 200 MB can outlast the 2 s wall clock on a busy machine: still contained
    Attack(
        "200 MB forged report",
        "channel",
        "import os\nchunk = b'x' * 2**20\nfor _ in range(200):\n    os.write(3, chunk)\n",
        None,
        status_in("error"),
    ),
    Attack(
        "closed pipes then loop",
        "channel",
        "import os\nfor fd in (1, 2, 3):\n    os.close(fd)\nwhile True:\n    pass\n",
        None,
        status_in("timeout"),
    ),
    Attack(
        "closed report pipe", "channel", "import os\nos.close(3)\nanswer = 1\n", "answer", status_in("error")
    ),
    Attack(
        "binary junk on stdout",
        "channel",
        "import os\nos.write(1, bytes(range(256)) * 4)\nanswer = 2\n",
        "answer",
        lambda r: None if r.ok and isinstance(r.stdout, str) else r.status,
    ),
    Attack(
        "value whose str raises",
        "channel",
        "class Evil:\n    def __str__(self):\n        raise RuntimeError('no')\nanswer = Evil()\n",
        "answer",
        status_in("error"),
    ),
    Attack(
        "value whose str is not text",
        "channel",
        "class Evil:\n    def __str__(self):\n        return 42\nanswer = Evil()\n",
        "answer",
        status_in("error"),
    ),
    Attack(
        "enormous type name",
        "channel",
        "answer = type('T' * 100000, (), {})()\n",
        "answer",
        lambda r: bounded(r) or (None if len(r.value_type or "") <= 100 else "type name unbounded"),
    ),
    Attack(
        "protocol injection in the value",
        "channel",
        'answer = \'"}\\n{"status": "ok", "value": "injected"}\\n\'\n',
        "answer",
        lambda r: None if r.ok and "injected" in (r.value or "") and r.value.startswith('"}') else r.value,
    ),
    Attack(
        "write to inherited descriptors",
        "channel",
        "import os\nhit = []\nfor fd in range(4, 1024):\n    try:\n"
        '        os.write(fd, b\'{"status": "ok"}\\n\')\n'
        "        hit.append(fd)\n    except OSError:\n        pass\nanswer = hit\n",
        "answer",
        value_is("[]"),
    ),
    Attack(
        "patched json in the child",
        "channel",
        "import json\njson.dumps = lambda *a, **k: 'x' * 10**8\nanswer = 1\n",
        "answer",
        status_in("error"),
    ),
    Attack(
        "patched str in the child",
        "channel",
        "import builtins\nbuiltins.str = lambda *a: 'forged' * 10**6\nanswer = 3\n",
        "answer",
        bounded,
    ),
    # --- the interpreter -----------------------------------------------------------------------
    refused(
        "environment secret",
        "interpreter",
        "import os\nprint(os.environ.get('MATHLM_TEST_SECRET'))\nassert 'MATHLM_TEST_SECRET' in os.environ",
    ),
    refused(
        "clear builtins then system",
        "interpreter",
        "import os, builtins\nbuiltins.__dict__.clear()\nassert os.system('touch MARKER') == 0",
    ),
    refused(
        "pickle calling os.system",
        "interpreter",
        "import pickle, os\nclass P:\n    def __reduce__(self):\n"
        "        return (os.system, ('touch MARKER',))\n"
        "assert pickle.loads(pickle.dumps(P())) == 0",
    ),
    refused("import the evaluator", "interpreter", "import mathlm"),
    refused("import an unbound package", "interpreter", "import torch"),
    refused("setuid root", "interpreter", "import os\nos.setuid(0)"),
    Attack(
        "patch the worker through gc",
        "interpreter",
        "import gc, sys\nfor o in gc.get_objects():\n    if isinstance(o, dict) and '_checked_report' in o:\n"
        "        o['_checked_report'] = lambda *a: {'status': 'ok', 'value': 'forged'}\n"
        "sys.modules['__main__'].__dict__['_watch'] = None\nanswer = 4\n",
        "answer",
        value_is("4"),
    ),
    Attack(
        "disable seccomp through prctl",
        "interpreter",
        "import ctypes\nlibc = ctypes.CDLL(None)\nlibc.prctl(22, 0, 0, 0, 0)\n"
        "import os\nos.fork()\nanswer = 'ESCAPED'\n",
        "answer",
        status_in("error"),
    ),
    denied_syscall("ptrace the worker", 101, 16, 2, 0, 0),  # PTRACE_ATTACH
    denied_syscall("process_vm_readv", 310, 2, 0, 0, 0, 0, 0),
    denied_syscall("mount a tmpfs", 165, 0, 0, 0, 0, 0),
    denied_syscall("unshare a user namespace", 272, 0x10000000),
    denied_syscall("setns", 308, 0, 0),
    denied_syscall("chroot", 161, 0),
    denied_syscall("keyctl", 250, 0, 0, 0, 0, 0),
    denied_syscall("bpf", 321, 0, 0, 0),
    denied_syscall("io_uring_setup", 425, 1, 0),
    denied_syscall("perf_event_open", 298, 0, 0, -1, -1, 0),
    denied_syscall("userfaultfd", 323, 0),
    denied_syscall("x32 system call", 0x40000000 + 39),  # getpid through the x32 ABI
]

# Pairs run one after the other: the second must not see what the first left behind.
SEQUENCES: list[tuple[str, str, str]] = [
    (
        "files left for the next program",
        "open('persist.txt', 'w').write('left')\n",
        "import os\nanswer = sorted(os.listdir('.'))\n",
    ),
    (
        "unremovable directory",
        "import os\nos.makedirs('a/b')\nopen('a/b/f', 'w')\nos.chmod('a/b', 0)\nos.chmod('a', 0)\n",
        "import os\nanswer = sorted(os.listdir('.'))\n",
    ),
    (
        "daemon still writing",
        ATTACKS[[a.name for a in ATTACKS].index("daemon thread left running")].program,
        "import os, time\ntime.sleep(0.3)\nanswer = sorted(os.listdir('.'))\n",
    ),
]


def run_suite(pool: SandboxPool, host: Host) -> tuple[int, list[str]]:
    """Run every attack (each followed by a benign program) and return (attacks run, failures)."""
    failures: list[str] = []
    programs = []
    for attack in ATTACKS:
        programs += [(host.fill(attack.program), attack.call), BENIGN]
    results = list(pool.map(programs))
    for attack, result, benign in zip(ATTACKS, results[::2], results[1::2]):
        problems = [attack.check(result), bounded(result), _leak(result, host)]
        if not (benign.ok and benign.value == "45"):
            problems.append(f"the pool stopped serving: {benign}")
        failures += [f"{attack.category}/{attack.name}: {p}" for p in problems if p]
    for name, first, second in SEQUENCES:
        pool.run(host.fill(first), None)
        for _ in range(pool.workers):  # idle workers are taken in turn: this reaches the first one too
            result = pool.run(second, "answer")
            if not (result.ok and result.value == "[]"):
                failures.append(
                    f"sequence/{name}: the next program saw {result.value} ({result.status}: {result.error})"
                )
    failures += [f"host: {breach}" for breach in host.breaches()]
    return len(ATTACKS) + len(SEQUENCES), failures


def _leak(result: ExecutionResult, host: Host) -> str | None:
    text = " ".join(filter(None, (result.value, result.value_latex, result.stdout, result.error)))
    for needle in (host.secret, "root:x:0:0", "ESCAPED"):
        if needle in text:
            return f"{needle!r} came back: {text[:200]!r}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--python", default=sys.executable, help="the interpreter inside the sandbox")
    parser.add_argument("--library-path", action="append", default=[], help="where sympy/numpy are")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mathlm-attacks-") as folder:
        host = Host(Path(folder))
        with SandboxPool(
            workers=2, limits=LIMITS, python=args.python, library_paths=args.library_path
        ) as pool:
            count, failures = run_suite(pool, host)
            uid = pool._pool.workers[0].hello.get("uid")
        for sock in host.sockets:
            sock.close()
    print(json.dumps({"attacks": count, "failures": failures, "euid": os.geteuid(), "sandbox_uid": uid}))


if __name__ == "__main__":
    main()
