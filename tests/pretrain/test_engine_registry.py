"""Engines are chosen by name from a registry; the config accepts exactly the registered names."""

from typing import get_args

import pytest

from mathlm.errors import MathlmError
from mathlm.pretrain.config import EngineConfig
from mathlm.pretrain.engine import ENGINES


def test_config_kinds_are_the_registered_engines() -> None:
    kinds = get_args(EngineConfig.model_fields["kind"].annotation)
    assert sorted(kinds) == sorted(ENGINES.names())


def test_unknown_engine_names_the_known_ones() -> None:
    with pytest.raises(MathlmError, match="unknown engine 'megatron'; known engines: "):
        ENGINES.get("megatron")
