"""The attack suite (tests/eval/sandbox_attacks.py) contained as root and as an ordinary user.

Each run is the driver script in its own process: it starts its own listeners, secrets and host
files, runs every attack through a two-worker pool with the default wall, and reports failures.
The ordinary-user run needs root to create the user (``useradd``) and runs Debian's ``python3``,
because the project's interpreter may live where that user cannot execute it (pyenv under /root).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("sandbox_attacks.py")
TEST_USER = "mathlm-sandbox-test"
SYSTEM_PYTHON = "/usr/bin/python3"

pytestmark = pytest.mark.skipif(
    shutil.which("bwrap") is None,
    reason="bubblewrap is not installed (scripts/install_system_deps.sh installs it)",
)


def _run_driver(command: list[str], cwd: Path) -> dict:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["attacks"] >= 80
    return report


def test_attack_suite_as_the_current_user() -> None:
    report = _run_driver([sys.executable, str(DRIVER)], REPO)
    assert report["failures"] == []
    assert report["sandbox_uid"] == 65534  # the program is nobody inside its user namespace


@pytest.fixture(scope="module")
def ordinary_user() -> str:
    if os.geteuid() != 0:
        pytest.skip("creating the test user needs root; the other test already ran as this ordinary user")
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        pytest.skip(f"{SYSTEM_PYTHON} is missing: no interpreter an ordinary user can run")
    try:
        pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                TEST_USER,
            ],
            check=True,
        )
    return TEST_USER


@pytest.fixture()
def readable_checkout() -> Iterator[Path]:
    """The package and the driver copied where any user can read them (a checkout under /root is not)."""
    folder = Path(tempfile.mkdtemp(prefix="mathlm-attack-checkout-"))
    try:
        shutil.copytree(
            REPO / "mathlm", folder / "mathlm", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
        (folder / "tests" / "eval").mkdir(parents=True)
        shutil.copy(DRIVER, folder / "tests" / "eval" / DRIVER.name)
        shutil.copy(REPO / "pyproject.toml", folder / "pyproject.toml")
        for path in (folder, *folder.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_attack_suite_as_an_ordinary_user(ordinary_user: str, readable_checkout: Path) -> None:
    command = [
        "runuser",
        "-u",
        ordinary_user,
        "--",
        "env",
        f"PYTHONPATH={readable_checkout}",
        SYSTEM_PYTHON,
        str(readable_checkout / "tests" / "eval" / DRIVER.name),
        "--python",
        SYSTEM_PYTHON,
    ]
    site = sysconfig.get_paths()["purelib"]  # sympy and numpy, when that user may read them
    check = subprocess.run(
        ["runuser", "-u", ordinary_user, "--", "test", "-r", f"{site}/sympy/__init__.py"], check=False
    )
    if check.returncode == 0:
        command += ["--library-path", site]
    report = _run_driver(command, readable_checkout)
    assert report["failures"] == []
    assert report["euid"] == pwd.getpwnam(ordinary_user).pw_uid
