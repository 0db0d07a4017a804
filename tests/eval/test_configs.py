"""The shipped eval configs (configs/eval/) load, and per-task settings reach the sampler."""

from __future__ import annotations

from pathlib import Path

import pytest

from mathlm.assets import CONFIGS_DIR
from mathlm.config import ConfigError, load_config, validate_config
from mathlm.eval.config import EvalConfig
from mathlm.eval.runner import settings_for
from mathlm.eval.slurm import eval_jobs, gpus_per_task
from mathlm.eval.tasks import get_task

EVAL_CONFIGS = sorted((CONFIGS_DIR / "eval").glob("*.yaml"))


def test_the_shipped_configs_are_there() -> None:
    assert {p.name for p in EVAL_CONFIGS} >= {"llemma_7b.yaml", "llemma_7b_majority.yaml", "smollm2_cpu.yaml"}


@pytest.mark.parametrize("path", EVAL_CONFIGS, ids=lambda p: p.name)
def test_config_loads_and_names_real_tasks(path: Path) -> None:
    cfg = load_config(path, EvalConfig)
    for name in cfg.tasks:
        settings_for(get_task(name), cfg)  # the sampler accepts every task's settings


def test_majority_config_is_the_published_protocol() -> None:
    cfg = load_config(CONFIGS_DIR / "eval" / "llemma_7b_majority.yaml", EvalConfig)
    sampling = {name: settings_for(get_task(name), cfg) for name in cfg.tasks}
    assert (sampling["math"].n, sampling["math"].temperature, sampling["math"].top_p) == (256, 0.6, 0.95)
    assert sampling["gsm8k"].n == 100
    assert {(sampling[t].n, sampling[t].temperature, sampling[t].top_p) for t in ("mmlu_stem", "sat")} == {
        (16, 0.3, 0.95)
    }
    assert {(s.max_new_tokens, s.truncate_prompt) for s in sampling.values()} == {(1024, True)}
    assert gpus_per_task(cfg) == 1  # vLLM, one GPU per array task


def test_greedy_config_is_maj1_everywhere() -> None:
    cfg = load_config(CONFIGS_DIR / "eval" / "llemma_7b.yaml", EvalConfig)
    assert all(
        settings_for(get_task(t), cfg).temperature == 0 and settings_for(get_task(t), cfg).n == 1
        for t in cfg.tasks
    )


def test_task_settings_errors_name_the_problem() -> None:
    with pytest.raises(ConfigError, match="task_settings names sat, which is not in tasks"):
        validate_config({"model": "m", "tasks": ["math"], "task_settings": {"sat": {"n": 2}}}, EvalConfig)
    with pytest.raises(ConfigError, match="tasks math sample n > 1 answers at temperature 0"):
        validate_config({"model": "m", "tasks": ["math"], "task_settings": {"math": {"n": 4}}}, EvalConfig)


def test_slurm_jobs_shard_the_config_and_merge_after_it(tmp_path: Path) -> None:
    config = CONFIGS_DIR / "eval" / "llemma_7b.yaml"
    array, merge, _ = eval_jobs(config, 4, [f"output={tmp_path / 'run'}", "slurm.partition=gpu"])
    assert array.array == "0-3" and array.gpus_per_node == 1 and array.partition == "gpu"
    assert '--shard "$SLURM_ARRAY_TASK_ID/4"' in array.commands[0]
    assert f"--set output={tmp_path / 'run'}" in array.commands[0]
    assert merge.commands == [f"python -m mathlm.cli eval merge {tmp_path / 'run'} --model-name 'Llemma 7B'"]
    assert merge.gpus_per_node == 0
