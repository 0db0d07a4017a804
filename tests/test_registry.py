"""mathlm.registry: names to objects, with an error that lists the known names."""

from __future__ import annotations

import pytest

from mathlm.errors import MathlmError
from mathlm.registry import Registry


def test_register_get_and_order() -> None:
    engines: Registry[type] = Registry("engine")

    @engines.register("fsdp2")
    class Fsdp2:
        pass

    engines.register("deepspeed", dict)
    assert engines.get("fsdp2") is Fsdp2 and engines.get("deepspeed") is dict
    assert engines.names() == ["fsdp2", "deepspeed"] and "fsdp2" in engines and len(engines) == 2


def test_unknown_name_lists_the_known_ones() -> None:
    provers: Registry[str] = Registry("prover")
    provers.register("lean-server", "a")
    provers.register("lean-interact", "b")
    with pytest.raises(
        MathlmError, match=r"unknown prover 'lean'; known provers: lean-server, lean-interact$"
    ):
        provers.get("lean")


def test_a_name_is_registered_once() -> None:
    tasks: Registry[int] = Registry("task")
    tasks.register("gsm8k", 1)
    with pytest.raises(MathlmError, match="task 'gsm8k' is already registered"):
        tasks.register("gsm8k", 2)
    assert tasks.get("gsm8k") == 1
