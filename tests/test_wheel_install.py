"""The built wheel, installed in a fresh venv and run outside the checkout, finds every runtime asset.

The wheel is built from a copy of the tracked files (so the checkout gets no build/ folder) with this
venv's setuptools, offline. The fresh venv gets only mathlm from the wheel (``--no-deps --no-index``);
its dependencies (torch, datatrove, ... several GB) come from this venv's site-packages through a
``.pth`` line instead of a second download. That line is appended after the fresh venv's own
site-packages, so the wheel's mathlm is the one imported, and ``.pth`` files inside the added folder
are not processed, so this venv's editable-install hook (which points at the checkout) stays inactive;
the test asserts both. No PYTHONPATH is passed on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["HF_HUB_OFFLINE"] = "1"
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git checkout to know which files are tracked")
    src, dist = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("dist")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(src),
        ],
        cwd=dist,
    )
    return next(dist.glob("mathlm-*.whl"))


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("venv")
    base_python = Path(sys.base_prefix) / "bin" / "python3"
    run([str(base_python), "-m", "venv", str(root)], cwd=root)
    run([str(root / "bin" / "pip"), "install", "-q", "--no-deps", "--no-index", str(wheel)], cwd=root)
    site = next((root / "lib").glob("python3*/site-packages"))
    (site / "zz_dev_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return root


def test_wheel_ships_assets_not_the_generator(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for asset in (
        "configs/data/sample.yaml",
        "configs/train/tiny.yaml",
        "slurm/templates/torchrun.sbatch",
        "slurm/local_cluster.sh",
        "prompts/minerva_math_4shot.json",
        "benchmarks/math/test.jsonl",
        "sample/manifest.json",
        "sample/web/CC-SAMPLE-00000.warc.gz",
    ):
        assert f"mathlm/assets/{asset}" in names, asset
    assert not any(name.startswith(("tools/", "tests/")) for name in names)
    assert not any("sample_data/" in name for name in names)  # the generator stays in tools/


@pytest.mark.slow
def test_installed_mathlm_runs_outside_the_checkout(venv: Path, tmp_path: Path) -> None:
    python, mathlm = str(venv / "bin" / "python"), str(venv / "bin" / "mathlm")
    probe = (
        "import mathlm, mathlm.assets as a\n"
        "from mathlm.benchmarks import load_benchmark\n"
        "from mathlm.theorem_proving.prompt import load_tactic_prompt\n"
        "print(mathlm.__file__)\n"
        "print(len(load_benchmark('gsm8k')), len(load_tactic_prompt().render('STATE')))\n"
    )
    lines = run([python, "-c", probe], cwd=tmp_path).stdout.splitlines()
    assert lines[0].startswith(str(venv)), f"imported {lines[0]}, not the installed wheel"
    count, prompt_chars = map(int, lines[1].split())
    assert count == 1319 and prompt_chars > 200

    assert "quickstart" in run([mathlm, "--help"], cwd=tmp_path).stdout
    # an sbatch script from the shipped template and a shipped config named as in the README
    run(
        [
            mathlm,
            "slurm",
            "train",
            "configs/train/tiny.yaml",
            "--dry-run",
            "--gpus-per-node",
            "0",
            "--set",
            f"run_dir={tmp_path / 'run'}",
        ],
        cwd=tmp_path,
    )
    script = (tmp_path / "run" / "train.sbatch").read_text(encoding="utf-8")
    # the job trains from the validated snapshot of the shipped config, written into the run directory
    snapshot = tmp_path / "run" / "config.yaml"
    assert "#SBATCH" in script and "torchrun" in script and str(snapshot) in script
    assert "tiny-heldout" in snapshot.read_text(encoding="utf-8")

    # the quickstart's first stage reads the shipped sample; the data build runs on it end to end
    run([mathlm, "quickstart", "--workdir", str(tmp_path / "qs"), "--stages", "sample"], cwd=tmp_path)
    run(
        [mathlm, "data", "build", "configs/data/sample.yaml", "--workdir", str(tmp_path / "data")],
        cwd=tmp_path,
    )
    for subset in ("arxiv", "open-web-math", "algebraic-stack"):
        assert any((tmp_path / "data" / subset / "train").glob("*.jsonl.gz")), subset
    assert (tmp_path / "data" / "decontamination" / "contamination_report.json").is_file()
