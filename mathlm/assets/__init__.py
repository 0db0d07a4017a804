"""Where mathlm finds the files it ships, all inside the installed package (this folder):

* ``configs/``   the run configs (data builds, mixtures, training recipes, eval and prove runs);
* ``slurm/``     sbatch templates (``mathlm/assets/slurm/templates/``) and the local one-node cluster script;
* ``prompts/``   few-shot prompts; ``benchmarks/`` the vendored test sets (evaluation and
  decontamination data, never training data; provenance and licenses in ``README.md``);
* ``sample/``    the embedded sample corpus (written by ``tools/sample_data``, read via
  :mod:`mathlm.sample_data`).

A wheel carries them as package data, so an installed ``mathlm`` renders an sbatch script, loads a
prompt or runs the quickstart without the source checkout. Each location can be overridden with an
environment variable for installs that keep them elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent
PACKAGE_DIR = ASSETS_DIR.parent
# The source checkout, when running from one (scripts/ lives there; an installed wheel has no checkout).
PROJECT_ROOT = PACKAGE_DIR.parent


def _dir(env_var: str, default: Path) -> Path:
    value = os.environ.get(env_var)
    return Path(value).expanduser().resolve() if value else default


CONFIGS_DIR = _dir("MATHLM_CONFIGS", ASSETS_DIR / "configs")
SLURM_DIR = _dir("MATHLM_SLURM_DIR", ASSETS_DIR / "slurm")
SAMPLE_DATA_DIR = _dir("MATHLM_SAMPLE_DATA", ASSETS_DIR / "sample")
# Benchmark test sets and few-shot prompts: evaluation and decontamination data, never training data.
EVAL_DATA_DIR = _dir("MATHLM_EVAL_DATA", ASSETS_DIR)
BENCHMARKS_DIR = EVAL_DATA_DIR / "benchmarks"
PROMPTS_DIR = EVAL_DATA_DIR / "prompts"
