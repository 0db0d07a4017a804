"""SlurmJob settings are checked before anything reaches sbatch, and templates can be the user's own."""

from __future__ import annotations

from pathlib import Path

import pytest

from mathlm.config import ConfigError, validate_config
from mathlm.errors import MathlmError
from mathlm.slurm.jobs import SlurmJob, job_state, render


def test_users_template_extends_the_shipped_one(tmp_path: Path) -> None:
    template = tmp_path / "with_modules.sbatch"
    template.write_text(
        '{% extends "job.sbatch" %}\n{% block main %}\n  module load cuda/12.4\n{{ super() }}{% endblock %}\n'
    )
    script = render(SlurmJob(name="custom", commands=["nvidia-smi"], template=str(template)))

    assert script.startswith("#!/bin/bash\n#SBATCH --job-name=custom\n")
    assert "  module load cuda/12.4\n  nvidia-smi\n" in script


def test_unknown_template_lists_the_available_ones() -> None:
    with pytest.raises(MathlmError, match="'nope.sbatch' not found.*available: job.sbatch, torchrun.sbatch"):
        render(SlurmJob(name="x", commands=["true"], template="nope.sbatch"))


def test_missing_slurm_conf_fails_at_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SLURM_CONF", str(tmp_path / "absent.conf"))
    with pytest.raises(MathlmError, match="absent.conf does not exist"):
        job_state("1")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time", "1 hour", "Slurm time limit"),
        ("array", "0..3", "array spec"),
        ("mem", "16GB", "memory per node"),
        ("extra_sbatch", ["exclusive"], "sbatch options"),
    ],
)
def test_bad_job_settings_are_named(field: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=f"key '{field}'.*{message}"):
        validate_config({"name": "x", "commands": ["true"], field: value}, SlurmJob, source="job.yaml")


def test_signal_without_requeue_is_rejected() -> None:
    with pytest.raises(ConfigError, match="key .signal.*set requeue: true"):
        validate_config({"name": "x", "commands": ["true"], "signal": "B:USR1@120"}, SlurmJob)
