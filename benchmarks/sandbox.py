"""Tool-use sandbox throughput: warm workers against a fresh isolated process per program.

Both sides run every program behind the same wall (bubblewrap namespaces, read-only libraries, tmpfs,
seccomp, limits), two at a time:

* **ours**: :class:`SandboxPool` with two warm workers; each program is a fork of a worker that has
  already imported the libraries;
* **fresh**: a new sandbox per program (bubblewrap + interpreter start + the imports the program
  needs, then exit), the simple way to isolate each program.

Wall-clock programs/s depends on what else runs on the cores; CPU milliseconds per program (this
process and every sandbox process, pool start-up excluded) does not, so both are printed, with the
programs/s the CPU figure allows on two otherwise idle cores.

Programs are benign PAL programs of the two tool-use tasks: GSM8k+Python style (a ``solution()`` doing
arithmetic, no imports) and MATH+Python style (SymPy). Every result is checked, so both sides compute
the same answers. The machine's load is printed with the figures: other work on the cores slows both.

    python -m benchmarks.sandbox                 # 400 + 100 programs ours, 40 + 10 fresh
    python -m benchmarks.sandbox --programs 1000
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from mathlm.eval.sandbox import DEFAULT_PRELOAD, SandboxPool

WORKERS = 2


def gsm8k_programs(count: int) -> list[tuple[str, str, str]]:
    """(program, call, expected value) in the shape the GSM8k+Python prompt asks for."""
    programs = []
    for i in range(count):
        eggs, eaten, baked, price = 16 + i % 7, 3, 4 + i % 3, 2 + i % 5
        program = (
            f"def solution():\n    eggs_per_day = {eggs}\n    eaten = {eaten}\n    baked = {baked}\n"
            f"    price = {price}\n    remaining = eggs_per_day - eaten - baked\n"
            "    total = 0\n    for _ in range(7):\n        total += remaining * price\n"
            "    result = total / 7\n    return result\n"
        )
        programs.append((program, "solution()", str((eggs - eaten - baked) * price * 7 / 7)))
    return programs


def math_programs(count: int) -> list[tuple[str, str, str]]:
    """(program, call, expected value) in the shape the MATH+Python (SymPy) prompt asks for."""
    programs = []
    for i in range(count):
        a = 2 + i % 9
        program = (
            "from sympy import symbols, solve, Rational\n\ndef solution():\n    x = symbols('x')\n"
            f"    roots = solve(x**2 - {a * a}, x)\n    return sum(r**2 for r in roots) / Rational(2)\n"
        )
        programs.append((program, "solution()", str(a * a)))
    return programs


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def _sandbox_cpu(pool: SandboxPool) -> float:
    """CPU seconds used so far by the pool's sandboxes: every process under each worker's bubblewrap,
    with the programs a worker already reaped (a process's cutime/cstime), read from /proc."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # gone meanwhile
                continue
            parents[int(entry)] = int(fields[1])
            ticks[int(entry)] = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    tree = {worker.process.pid for worker in pool._pool.workers}
    while True:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        if not more:
            break
        tree |= more
    return sum(ticks.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


def measure_ours(
    programs: list[tuple[str, str, str]], preload: tuple[str, ...]
) -> tuple[float, float, float]:
    """(programs/s once warm, CPU ms per program, seconds to start the pool)."""
    start = time.perf_counter()
    with SandboxPool(workers=WORKERS, preload=preload) as pool:
        started = time.perf_counter() - start
        pool.run(*programs[0][:2])  # first fork after start
        cpu = _own_cpu() + _sandbox_cpu(pool)
        begin = time.perf_counter()
        results = list(pool.map([(p, c) for p, c, _ in programs]))
        elapsed = time.perf_counter() - begin
        cpu = _own_cpu() + _sandbox_cpu(pool) - cpu
    _check(programs, [r.value for r in results])
    return len(programs) / elapsed, 1000 * cpu / len(programs), started


def measure_fresh(programs: list[tuple[str, str, str]], preload: tuple[str, ...]) -> tuple[float, float]:
    """(programs/s, CPU ms per program) when every program gets a new sandbox of its own."""
    SandboxPool(workers=1, preload=preload).close()  # the one-off interpreter probe is not counted
    sandbox_cpu: list[float] = []

    def one(item: tuple[str, str, str]) -> str | None:
        with SandboxPool(workers=1, preload=preload) as pool:
            value = pool.run(item[0], item[1]).value
            sandbox_cpu.append(_sandbox_cpu(pool))  # start-up included: it is this way's cost
            return value

    cpu = _own_cpu()
    begin = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as executor:
        values = list(executor.map(one, programs))
    elapsed = time.perf_counter() - begin
    cpu = _own_cpu() - cpu + sum(sandbox_cpu)
    _check(programs, values)
    return len(programs) / elapsed, 1000 * cpu / len(programs)


def _check(programs: list[tuple[str, str, str]], values: list[str | None]) -> None:
    wrong = [(expected, got) for (_, _, expected), got in zip(programs, values) if expected != got]
    if wrong:
        raise SystemExit(f"{len(wrong)} programs gave wrong values, e.g. {wrong[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--programs", type=int, default=400, help="GSM8k-style programs for ours (MATH: a quarter)"
    )
    parser.add_argument(
        "--fresh", type=int, default=40, help="GSM8k-style programs for fresh (MATH: a quarter)"
    )
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}, workers: {WORKERS}")
    rows = []
    sets = (
        ("GSM8k+Python", gsm8k_programs, args.programs, args.fresh),
        ("MATH+Python (SymPy)", math_programs, max(1, args.programs // 4), max(1, args.fresh // 4)),
    )
    for name, make, count, fresh_count in sets:
        needs = ("sympy",) if make is math_programs else ()
        ours, ours_cpu, started = measure_ours(make(count), DEFAULT_PRELOAD)
        fresh, fresh_cpu = measure_fresh(make(fresh_count), needs)
        rows.append((name, count, ours, ours_cpu, fresh_count, fresh, fresh_cpu, started))
    print(f"{'':<21}{'ours':>26} |{'fresh sandbox per program':>27} |{'ratio':>13} |")
    print(
        f"{'programs':<21}{'n':>6}{'prog/s':>9}{'CPU ms':>9}  |{'n':>6}{'prog/s':>9}{'CPU ms':>10}  |"
        f"{'prog/s':>7}{'CPU':>6} |{'pool start s':>13}"
    )
    for name, count, ours, ours_cpu, fresh_count, fresh, fresh_cpu, started in rows:
        print(
            f"{name:<21}{count:>6}{ours:>9.1f}{ours_cpu:>9.1f}  |"
            f"{fresh_count:>6}{fresh:>9.1f}{fresh_cpu:>10.1f}  |"
            f"{ours / fresh:>6.1f}x{fresh_cpu / ours_cpu:>5.1f}x |{started:>13.2f}"
        )
    print(
        f"ours on {WORKERS} idle cores, from CPU per program: "
        + ", ".join(f"{name} ~{1000 * WORKERS / cpu:.0f}/s" for name, _, _, cpu, *_ in rows)
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
