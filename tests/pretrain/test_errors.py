"""Bad input stops the trainer with a message that says what is wrong and what to do."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mathlm.config import ConfigError
from mathlm.errors import MathlmError
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.trainer import NonFiniteLossError, train
from tests.support.pretrain import TINY_CONFIG, set_options, tiny_overrides, write_shard


def test_a_diverged_run_stops_after_max_skipped_steps(
    tiny_config: Callable[..., TrainConfig], single_process: None, tmp_path: Path
) -> None:
    # An absurd learning rate blows the weights up after the first update; every later loss is NaN.
    cfg = tiny_config(
        "optim.lr=1e30", "schedule.warmup_steps=0", "checkpoint.every=1", "optim.max_skipped_steps=3"
    )
    with pytest.raises(NonFiniteLossError) as error:
        train(cfg)
    found = re.search(
        r"loss is nan at step (\d+), the 3th skipped step in a row; .*Last good checkpoint: (\S+)\. ",
        str(error.value),
    )
    assert found, str(error.value)
    stopped_at, named = int(found[1]), Path(found[2])
    first_skipped = stopped_at - 2
    assert named == tmp_path / "run" / "checkpoints" / f"step_{first_skipped - 1:08d}" and named.is_dir()
    # no checkpoint was written after a skipped update
    saved = sorted(int(p.name.removeprefix("step_")) for p in (tmp_path / "run" / "checkpoints").iterdir())
    assert saved[-1] == first_skipped - 1


def test_resume_into_a_model_of_another_shape_is_refused(
    tiny_config: Callable[..., TrainConfig], single_process: None
) -> None:
    train(tiny_config("schedule.total_steps=1"))
    with pytest.raises(
        MathlmError, match=r"does not match the model \(vocab_size: checkpoint 512 vs model 1024"
    ):
        train(tiny_config("model.shape.vocab_size=1024"))


def test_resume_with_the_other_engine_is_refused(
    tiny_config: Callable[..., TrainConfig], single_process: None
) -> None:
    train(tiny_config("schedule.total_steps=1"))
    with pytest.raises(MathlmError, match="written by the fsdp2 engine but this run uses deepspeed"):
        train(tiny_config("engine.kind=deepspeed"))


def test_data_with_token_ids_beyond_the_vocabulary_is_refused(
    tiny_config: Callable[..., TrainConfig], single_process: None
) -> None:
    with pytest.raises(MathlmError, match=r"token id \d+ but the model's vocabulary has 256"):
        train(tiny_config("model.shape.vocab_size=256"))


def test_shards_smaller_than_one_sample_are_refused(
    tiny_config: Callable[..., TrainConfig], single_process: None, tmp_path: Path
) -> None:
    write_shard(tmp_path / "small" / "train", num_docs=1, seed=0)  # < 80 tokens, a sample needs 129
    with pytest.raises(MathlmError, match="fewer than one sample"):
        train(
            tiny_config(
                f"data.mixture.root={tmp_path / 'small'}", "data.seq_len=128", "data.global_batch_tokens=1024"
            )
        )


def test_batch_not_divisible_by_world_and_micro_batch_is_refused(
    tiny_config: Callable[..., TrainConfig], single_process: None
) -> None:
    with pytest.raises(
        MathlmError,
        match=r"global batch of 3 sequences .* not divisible by world size 1 x "
        r"micro_batch_size 2",
    ):
        train(tiny_config("data.global_batch_tokens=96"))
    with pytest.raises(ConfigError, match="not a multiple of seq_len"):
        tiny_config("data.global_batch_tokens=100")


def test_missing_model_checkpoint_is_a_cli_error(tiny_data: Path, tmp_path: Path) -> None:
    sets = [
        *tiny_overrides(tmp_path, tiny_data),
        "model.shape=null",
        f"model.checkpoint={tmp_path / 'absent'}",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "mathlm.cli", "train", str(TINY_CONFIG), *set_options(sets)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    message = " ".join(result.stderr.split())  # rich wraps long lines
    assert "model checkpoint" in message and "absent does not exist" in message
    assert "Traceback" not in result.stderr
