"""The tool-use sandbox runs programs correctly, reports what went wrong, and fails closed.

These run real programs in real bubblewrap workers; the attacks are in test_sandbox_attacks.py.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mathlm.errors import MathlmError
from mathlm.eval import sandbox_worker
from mathlm.eval.sandbox import SandboxLimits, SandboxPool
from mathlm.eval.workers import JsonLineWorker, WorkerPool, WorkerStartError

needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")


@pytest.fixture(scope="module")
def pool() -> Iterator[SandboxPool]:
    with SandboxPool(workers=2, limits=SandboxLimits(wall_time_s=2.0, cpu_time_s=2)) as pool:
        yield pool


@needs_bwrap
def test_pal_solution_value(pool: SandboxPool) -> None:
    result = pool.run("def solution():\n    apples = 3 * 14\n    return apples\n", "solution()")
    assert result.ok and result.value == "42" and result.value_type == "int"


@needs_bwrap
def test_sympy_answer_also_as_latex(pool: SandboxPool) -> None:
    result = pool.run(
        "from sympy import symbols, solve, Rational\nx = symbols('x')\nanswer = solve(2*x - 1, x)[0]\n",
        "answer",
    )
    assert result.ok and result.value == "1/2" and result.value_latex == "\\frac{1}{2}"


@needs_bwrap
def test_numpy_and_threads_work(pool: SandboxPool) -> None:
    program = (
        "import numpy as np, threading\nout = []\nt = threading.Thread(target=lambda: out.append(1))\n"
        "t.start()\nt.join()\nanswer = int(np.arange(5).sum()) + out[0]\n"
    )
    assert pool.run(program, "answer").value == "11"


@needs_bwrap
def test_stdout_is_captured(pool: SandboxPool) -> None:
    result = pool.run("print('step 1')\nanswer = 5", "answer")
    assert result.ok and result.stdout == "step 1\n"


@needs_bwrap
def test_files_inside_the_workdir_work_and_do_not_persist(pool: SandboxPool) -> None:
    assert (
        pool.run("open('notes.txt', 'w').write('a')\nanswer = open('notes.txt').read()", "answer").value
        == "a"
    )
    for _ in range(2):  # whichever worker ran it
        result = pool.run("import os\nanswer = sorted(os.listdir('.'))", "answer")
        assert result.ok and result.value == "[]"


@needs_bwrap
def test_program_errors_are_reported(pool: SandboxPool) -> None:
    assert pool.run("def f(:\n").error.startswith("SyntaxError")  # type: ignore[union-attr]
    assert pool.run("raise SystemExit(3)").error == "SystemExit: 3"
    assert pool.run("answer = 1 / 0", "answer").error == "ZeroDivisionError: division by zero"


@needs_bwrap
def test_an_oversized_program_is_refused_before_it_is_sent(pool: SandboxPool) -> None:
    result = pool.run("x = 1\n" + "#" * 2_000_000)
    assert result.status == "error" and "longer than" in (result.error or "")


@needs_bwrap
def test_limits_give_their_statuses(pool: SandboxPool) -> None:
    assert pool.run("while True:\n    pass\n").status == "timeout"
    assert pool.run("block = bytearray(8 * 2**30)\n").status == "memory"
    assert "File too large" in (pool.run("open('b', 'wb').write(b'x' * 2**21)\n").error or "")
    assert "No space left" in (
        pool.run("for i in range(10**5):\n    open(f'f{i}', 'w').close()\n").error or ""
    )
    assert pool.run("import os\nos.fork()\n").error == "PermissionError: [Errno 1] Operation not permitted"


@needs_bwrap
def test_the_evaluator_checks_every_reply_again(pool: SandboxPool) -> None:
    """Whatever a worker sends, the result has a known status and bounded text fields."""
    for reply in (
        {"status": "ok", "value": 5},
        {"status": "pwned"},
        {"status": "ok", "stdout": ["x"]},
        {"status": "ok", "seconds": float("nan")},
        {"status": "error", "error": {"a": 1}},
    ):
        assert pool._checked(reply).error == "the sandbox worker sent an invalid reply", reply
    long = pool._checked({"status": "ok", "value": "9" * 10**6, "stdout": "o" * 10**6})
    assert (
        len(long.value or "") == pool.limits.max_value_chars
        and len(long.stdout) == pool.limits.max_output_chars
    )


@needs_bwrap
def test_dead_worker_is_replaced(pool: SandboxPool) -> None:
    for worker in list(pool._pool.workers):
        worker.process.kill()
    results = [pool.run("answer = 2", "answer") for _ in range(4)]
    assert [r.status for r in results[:2]] == ["killed", "killed"]
    assert all(r.ok for r in results[2:])


@needs_bwrap
def test_map_keeps_input_order(pool: SandboxPool) -> None:
    programs = [(f"def solution():\n    return {i}\n", "solution()") for i in range(20)]
    assert [r.value for r in pool.map(programs)] == [str(i) for i in range(20)]


def test_missing_bubblewrap_refuses_to_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(MathlmError, match="apt-get install bubblewrap.*unsafe_no_isolation"):
        SandboxPool(workers=1)


@needs_bwrap
def test_a_sandbox_that_cannot_start_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bwrap that cannot make namespaces (as where user namespaces are disabled) fails closed."""
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to creating new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    with pytest.raises(
        MathlmError, match="No permissions to creating new namespace.*unprivileged user namespaces"
    ):
        SandboxPool(workers=1)


def test_unsafe_mode_is_explicit_and_still_refuses_processes(caplog: pytest.LogCaptureFixture) -> None:
    with SandboxPool(workers=1, unsafe_no_isolation=True, preload=()) as pool:
        assert pool.run("def solution():\n    return 6 * 7\n", "solution()").value == "42"
        assert pool.run("import os\nos.system('true')\nos.fork()\n").status == "error"
    assert "UNSAFE, NO ISOLATION" in caplog.text


def test_replacement_that_cannot_start_fails_the_call_instead_of_waiting() -> None:
    starts = []

    def factory() -> JsonLineWorker:
        starts.append(1)
        if len(starts) > 1:
            raise WorkerStartError("no more workers")
        return JsonLineWorker.start(
            [sys.executable, "-c", "print('{}', flush=True)\nimport time\ntime.sleep(60)"]
        )

    pool = WorkerPool(factory, 1)
    for _ in range(3):  # the silent worker misses its deadline; its replacement, and every retry, fails
        with pytest.raises(WorkerStartError, match="no more workers"):
            pool.request({"x": 1}, timeout_s=0.2)
    assert len(starts) == 4
    pool.close()


def test_worker_replies_are_bounded() -> None:
    flood = (
        "import sys\nprint('{}', flush=True)\nsys.stdin.readline()\n"
        "sys.stdout.write('x' * 10**7)\nsys.stdout.flush()"
    )
    worker = JsonLineWorker.start([sys.executable, "-c", flood], max_line_bytes=1 << 16)
    try:
        assert worker.request({"go": 1}, timeout_s=10) is None  # an endless line is not read to its end
    finally:
        worker.close()


def test_seccomp_numbers_match_libseccomp() -> None:
    """Our x86-64 and aarch64 tables against libseccomp's (Debian python3-seccomp), where it is installed."""
    tables = {"X86_64": sandbox_worker.SYSCALLS_X86_64, "AARCH64": sandbox_worker.SYSCALLS_AARCH64}
    probe = (
        "import json, seccomp\n"
        "print(json.dumps({arch: {n: seccomp.resolve_syscall(getattr(seccomp.Arch, arch), n)"
        f" for n in names}} for arch, names in { ({a: sorted(t) for a, t in tables.items()})!r}.items()}}))"
    )
    done = subprocess.run(["/usr/bin/python3", "-c", probe], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip("python3-seccomp is not installed for /usr/bin/python3")
    assert json.loads(done.stdout) == tables


def test_aarch64_filter_checks_its_own_architecture() -> None:
    program = sandbox_worker.seccomp_program("program", own_pid=7, machine="aarch64")
    first_jump = struct.unpack("<HBBI", program[8:16])
    assert first_jump[3] == sandbox_worker.AUDIT_ARCH_AARCH64
    assert struct.pack("<I", sandbox_worker.X32_SYSCALL_BIT) not in program  # no x32 ABI there
    with pytest.raises(OSError, match="x86-64 and aarch64"):
        sandbox_worker.seccomp_program("base", machine="riscv64")


@needs_bwrap
def test_cli_answers_every_program_in_input_order(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "program": "def solution():\n    return 6 * 7\n", "call": "solution()"}),
        json.dumps({"id": 2, "program": "import os\nos.fork()\n", "call": None}),
        "{not json",
        json.dumps({"id": "c", "program": "print('hi')\n", "call": None}),
    ]
    path = tmp_path / "programs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "mathlm.cli", "eval", "sandbox", str(path), "--workers", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(o["id"], o["status"]) for o in out] == [("a", "ok"), (2, "error"), (None, "error"), ("c", "ok")]
    assert out[0]["value"] == "42" and out[3]["stdout"] == "hi\n" and out[2]["line"] == 3
    assert done.returncode == 1 and "line 3: not JSON" in done.stderr  # the bad line is counted, not lost
    path.write_text("\n".join(lines[:2]) + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "mathlm.cli", "eval", "sandbox", str(path), "--workers", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 2
