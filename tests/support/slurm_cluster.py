"""The ``slurm_cluster`` fixture: a real one-node Slurm cluster (assets/slurm/local_cluster.sh) for the session.

Loaded from tests/conftest.py through ``pytest_plugins``, so any test can ask for it:

    @pytest.mark.slurm
    def test_something(slurm_cluster):
        job = SlurmJob(name="x", commands=["echo hi"], partition=slurm_cluster.partition)

The cluster is started once per session (an already running one is reused) and ``SLURM_CONF`` is set
in ``os.environ`` so that sbatch, datatrove and mathlm find it. If Slurm cannot be installed or started
the fixture fails with the script's output: tests that need Slurm never skip silently.

Several pytest sessions may share the machine's cluster. Each holds a lease (a file named after its pid)
while it runs; the last session to leave stops the cluster, but only if a test session started it (a
cluster a person started by hand is left running).
"""

from __future__ import annotations

import fcntl
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from mathlm.slurm.jobs import LOCAL_CLUSTER_SCRIPT

START_TIMEOUT_S = 600  # the first start may install slurm-wlm and munge with apt-get


@dataclass(frozen=True)
class LocalSlurmCluster:
    """What tests need to know about the running cluster."""

    conf: Path
    partition: str
    cpus: int
    state_dir: Path


def _state_dir() -> Path:
    return Path(os.environ.get("MATHLM_SLURM_STATE", "/tmp/mathlm-slurm"))


def _run_script(action: str, timeout: float = START_TIMEOUT_S) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(LOCAL_CLUSTER_SCRIPT), action],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextmanager
def _leases_locked(state_dir: Path) -> Iterator[Path]:
    """The lease folder, held under an exclusive lock so that start/stop decisions do not race."""
    leases = state_dir / "test-leases"
    leases.mkdir(parents=True, exist_ok=True)
    with open(state_dir / "test-leases.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield leases
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _live_leases(leases: Path) -> list[Path]:
    """Lease files of sessions still running; the leases of crashed sessions are removed."""
    alive = []
    for lease in leases.glob("pid-*"):
        if _pid_alive(int(lease.name.removeprefix("pid-"))):
            alive.append(lease)
        else:
            lease.unlink(missing_ok=True)
    return alive


def _start(leases: Path) -> None:
    was_running = _run_script("status", timeout=60).returncode == 0
    result = _run_script("start")
    if result.returncode != 0:
        pytest.fail(
            f"could not start the local Slurm cluster ({LOCAL_CLUSTER_SCRIPT} start, "
            f"exit {result.returncode}):\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    if not was_running:
        (leases / "started-by-tests").touch()
    (leases / f"pid-{os.getpid()}").touch()


def _release(leases: Path) -> None:
    (leases / f"pid-{os.getpid()}").unlink(missing_ok=True)
    marker = leases / "started-by-tests"
    if marker.exists() and not _live_leases(leases):
        _run_script("stop", timeout=120)
        marker.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def slurm_cluster() -> Iterator[LocalSlurmCluster]:
    """A running local Slurm cluster with ``SLURM_CONF`` exported for the whole session."""
    state_dir = _state_dir()
    with _leases_locked(state_dir) as leases:
        _start(leases)
    conf = state_dir / "slurm.conf"
    previous = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = str(conf)
    try:
        yield LocalSlurmCluster(
            conf=conf,
            partition=os.environ.get("MATHLM_SLURM_PARTITION", "local"),
            cpus=len(os.sched_getaffinity(0)),
            state_dir=state_dir,
        )
    finally:
        if previous is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = previous
        with _leases_locked(state_dir) as leases:
            _release(leases)
