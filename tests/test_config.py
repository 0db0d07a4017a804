"""Config validation: the messages a user sees for a typo, a wrong type, a missing file or a bad override."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest

from mathlm.config import ConfigError, ConfigModel, load_config


class Optim(ConfigModel):
    lr: float = 1e-4
    betas: tuple[float, float] = (0.9, 0.95)


class Demo(ConfigModel):
    name: str
    executor: Literal["local", "slurm"] = "local"
    steps: int = 10
    optim: Optim = Optim()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(text)
    return path


def test_valid_file_and_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, "name: run\noptim:\n  lr: 3.0e-4\n")
    cfg = load_config(path, Demo, overrides=["steps=25", "optim.betas=[0.8, 0.99]", "executor=slurm"])
    assert cfg.name == "run" and cfg.steps == 25 and cfg.executor == "slurm"
    assert cfg.optim.lr == pytest.approx(3e-4) and cfg.optim.betas == (0.8, 0.99)


def test_unknown_key_names_file_line_key_and_choices(tmp_path: Path) -> None:
    path = write(tmp_path, "name: run\noptim:\n  lrr: 0.1\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, Demo)
    assert str(err.value) == f"{path}:3: unknown key 'optim.lrr'; expected one of: betas, lr"


def test_wrong_type_names_key_and_expected_type(tmp_path: Path) -> None:
    path = write(tmp_path, "name: run\nsteps: many\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, Demo)
    assert str(err.value).startswith(f"{path}:2: key 'steps': expected an integer, got 'many'")


def test_wrong_literal_lists_choices(tmp_path: Path) -> None:
    path = write(tmp_path, "name: run\nexecutor: ray\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, Demo)
    assert str(err.value).startswith(f"{path}:2: key 'executor': expected one of 'local', 'slurm', got 'ray'")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "nope.yaml", Demo)
    assert str(err.value) == f"config file not found: {tmp_path / 'nope.yaml'}"


def test_missing_required_key(tmp_path: Path) -> None:
    path = write(tmp_path, "steps: 3\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, Demo)
    assert str(err.value) == f"{path}: missing required key 'name'"


def test_bad_override_is_reported_as_such(tmp_path: Path) -> None:
    path = write(tmp_path, "name: run\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, Demo, overrides=["optim.momentum=0.9"])
    assert "unknown key 'optim.momentum' (from --set)" in str(err.value)
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        load_config(path, Demo, overrides=["steps"])


def test_top_level_must_be_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "- a\n- b\n")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_config(path, Demo)


def test_model_level_validator_message(tmp_path: Path) -> None:
    """A check across several keys has no single key to name: the message names the file and says why."""
    from pydantic import model_validator

    class Window(ConfigModel):
        start: int = 0
        end: int = 1

        @model_validator(mode="after")
        def _ordered(self) -> Window:
            if self.end <= self.start:
                raise ValueError("end must be after start")
            return self

    path = write(tmp_path, "start: 5\nend: 2\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, Window)
    assert str(err.value) == f"{path}: Value error, end must be after start"


def test_configs_path_falls_back_to_the_shipped_configs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`configs/...` names a config shipped in the package when no such file is where the user stands."""
    from mathlm.assets import CONFIGS_DIR
    from mathlm.config import resolve_config_path

    monkeypatch.chdir(tmp_path)
    assert resolve_config_path("configs/train/tiny.yaml") == CONFIGS_DIR / "train" / "tiny.yaml"
    local = tmp_path / "configs" / "train" / "tiny.yaml"
    local.parent.mkdir(parents=True)
    local.write_text("name: mine\n")
    assert resolve_config_path("configs/train/tiny.yaml") == Path(
        "configs/train/tiny.yaml"
    )  # a real file wins
    with pytest.raises(
        ConfigError, match=r"config file not found: configs/train/nope.yaml \(neither here nor among"
    ):
        resolve_config_path("configs/train/nope.yaml")
