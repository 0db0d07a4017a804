"""The tool-use sandbox contains what model-written programs may do wrong, each as an error verdict.

These run real programs in real worker processes (network/PID namespaces where the kernel allows,
an unprivileged user when started as root, rlimits, audit-hook policy).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from mathlm.eval.sandbox import SandboxLimits, SandboxPool


@pytest.fixture(scope="module")
def pool() -> Iterator[SandboxPool]:
    with SandboxPool(workers=2, limits=SandboxLimits(wall_time_s=2.0, cpu_time_s=2,
                                                     file_size_bytes=1 << 20)) as pool:
        yield pool


def test_pal_solution_value(pool: SandboxPool) -> None:
    result = pool.run("def solution():\n    apples = 3 * 14\n    return apples\n", "solution()")
    assert result.ok and result.value == "42" and result.value_type == "int"


def test_sympy_answer_also_as_latex(pool: SandboxPool) -> None:
    result = pool.run("from sympy import symbols, solve, Rational\nx = symbols('x')\n"
                      "answer = solve(2*x - 1, x)[0]\n", "answer")
    assert result.ok and result.value == "1/2" and result.value_latex == "\\frac{1}{2}"


def test_stdout_is_captured(pool: SandboxPool) -> None:
    result = pool.run("print('step 1')\nanswer = 5", "answer")
    assert result.ok and result.stdout == "step 1\n"


def test_infinite_loop_times_out(pool: SandboxPool) -> None:
    result = pool.run("while True:\n    pass\n")
    assert result.status == "timeout"


def test_sleeping_program_times_out(pool: SandboxPool) -> None:
    assert pool.run("import time\ntime.sleep(60)\n").status == "timeout"


def test_fork_bomb_is_stopped(pool: SandboxPool) -> None:
    result = pool.run("import os\nwhile True:\n    os.fork()\n")
    assert result.status == "error" and "os.fork is not allowed" in (result.error or "")
    assert pool.run("def solution():\n    return 1\n", "solution()").ok  # the worker is still healthy


def test_huge_allocation_hits_memory_limit(pool: SandboxPool) -> None:
    assert pool.run("block = bytearray(8 * 2**30)\n").status == "memory"


def test_big_file_write_hits_size_limit(pool: SandboxPool) -> None:
    result = pool.run("with open('big.bin', 'wb') as f:\n    f.write(b'x' * (8 * 2**20))\n")
    assert result.status == "error" and "File too large" in (result.error or "")


def test_output_flood_is_capped(pool: SandboxPool) -> None:
    result = pool.run("for _ in range(10**5):\n    print('spam' * 10)\nanswer = 1", "answer")
    assert len(result.stdout) <= SandboxLimits().max_output_chars


def test_network_connect_to_loopback_listener_fails(pool: SandboxPool) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    try:
        result = pool.run(f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=1)\n")
        assert result.status == "error"
        with pytest.raises(TimeoutError):
            listener.accept()  # nothing ever reached the listener
    finally:
        listener.close()
    assert pool.network_isolated, "unshare --net should be available to root here"


def test_reading_outside_the_temp_dir_is_refused(pool: SandboxPool, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read")
    secret.chmod(0o644)
    for path in (str(secret), "/etc/hostname", "../../etc/passwd"):
        result = pool.run(f"answer = open({path!r}).read()\n", "answer")
        assert result.status == "error" and "not allowed" in (result.error or ""), path


def test_files_inside_the_temp_dir_work_and_do_not_persist(pool: SandboxPool) -> None:
    assert pool.run("open('notes.txt', 'w').write('a')\nanswer = open('notes.txt').read()", "answer").value == "a"
    result = pool.run("import os\nanswer = sorted(os.listdir('.'))", "answer")
    assert result.ok and "notes.txt" not in (result.value or "")


def test_subprocess_is_refused(pool: SandboxPool) -> None:
    result = pool.run("import subprocess\nsubprocess.run(['id'])\n")
    assert result.status == "error" and "not allowed" in (result.error or "")


def test_program_errors_are_reported(pool: SandboxPool) -> None:
    assert pool.run("def f(:\n").error.startswith("SyntaxError")  # type: ignore[union-attr]
    assert pool.run("raise SystemExit(3)").error == "SystemExit: 3"
    assert pool.run("answer = 1 / 0", "answer").error == "ZeroDivisionError: division by zero"


def test_dead_worker_is_replaced(pool: SandboxPool) -> None:
    for worker in list(pool._pool.workers):  # noqa: SLF001 - simulate an external kill of every worker
        worker.process.kill()
    results = [pool.run("answer = 2", "answer") for _ in range(4)]
    assert [r.status for r in results[:2]] == ["killed", "killed"]
    assert all(r.ok for r in results[2:])


def test_map_keeps_input_order(pool: SandboxPool) -> None:
    programs = [(f"def solution():\n    return {i}\n", "solution()") for i in range(20)]
    assert [r.value for r in pool.map(programs)] == [str(i) for i in range(20)]
