"""Where mathlm finds the files it ships: configs, Slurm templates, sample data and evaluation data.

The project is installed editable from its checkout (``make quickstart`` / ``make test`` do this), so
the top-level folders ``configs/``, ``slurm/`` and ``data/`` sit next to the package. Each location can
be overridden with an environment variable for installs that keep them elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent


def _dir(env_var: str, default: Path) -> Path:
    value = os.environ.get(env_var)
    return Path(value).expanduser().resolve() if value else default


CONFIGS_DIR = _dir("MATHLM_CONFIGS", PROJECT_ROOT / "configs")
SLURM_DIR = _dir("MATHLM_SLURM_DIR", PROJECT_ROOT / "slurm")
# Embedded sample corpus (written by mathlm/sample_data/generate.py, checked in).
SAMPLE_DATA_DIR = _dir("MATHLM_SAMPLE_DATA", PACKAGE_DIR / "sample_data" / "files")
# Benchmark test sets and few-shot prompts: evaluation and decontamination data, never training data.
EVAL_DATA_DIR = _dir("MATHLM_EVAL_DATA", PROJECT_ROOT / "data")
BENCHMARKS_DIR = EVAL_DATA_DIR / "benchmarks"
PROMPTS_DIR = EVAL_DATA_DIR / "prompts"
