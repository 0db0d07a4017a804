"""One failing or stuck rank ends the whole job quickly, with the failure's traceback in the output.

Without this a rank's exception left its peers blocked in a collective (and the failed rank itself in a
barrier), so the job held its GPUs until the 30-minute default timeout and the traceback never showed.
The bounds below are generous (a hang lasts until the subprocess timeout kills the test).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from mathlm.pretrain.distributed import free_port
from tests.support.pretrain import TINY_CONFIG, set_options, tiny_overrides

PROGRAM = Path(__file__).parent / "programs" / "faulty_rank.py"


def launch_faulty(
    mode: str, tmp_path: Path, data: Path, *sets: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    """Two ranks under torchrun, rank 1 faulty at step 3; returns the result and the wall time."""
    overrides = [*tiny_overrides(tmp_path, data), *sets]
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc-per-node",
        "2",
        "--master-addr",
        "127.0.0.1",
        "--master-port",
        str(free_port()),
        str(PROGRAM),
        mode,
        "1",
        "3",
        "--",
        "train",
        str(TINY_CONFIG),
        *set_options(overrides),
    ]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    return result, time.monotonic() - started


def test_an_exception_on_one_rank_ends_every_rank_with_its_traceback(
    tiny_data: Path, tmp_path: Path, no_launch_env: None
) -> None:
    result, seconds = launch_faulty("raise", tmp_path, tiny_data)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "[rank 1] training failed" in output
    assert "Traceback" in output and "RuntimeError: injected failure on rank 1 at step 3" in output
    assert seconds < 180, f"took {seconds:.0f} s"  # it used to hang until the collective timeout (30 min)


def test_a_stuck_collective_is_ended_by_the_watchdog(
    tiny_data: Path, tmp_path: Path, no_launch_env: None
) -> None:
    result, seconds = launch_faulty("hang", tmp_path, tiny_data, "engine.collective_timeout_s=5")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "training failed" in output and "Timed out" in output, output[-4000:]
    assert seconds < 180, f"took {seconds:.0f} s"


@pytest.fixture(autouse=True)
def _pythonpath(monkeypatch: pytest.MonkeyPatch) -> None:
    """torchrun runs the program as a script: make this checkout's mathlm the one it imports."""
    root = str(Path(__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", root)
