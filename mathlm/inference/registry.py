"""Backends by name: ``BACKENDS.get("hf")`` is the factory of :class:`~mathlm.inference.hf.HFBackend`.

A new engine registers a factory ``(model, **options) -> Backend`` with ``@BACKENDS.register(name)``
in its module and is imported in ``mathlm/inference/__init__.py``; configs then name it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from mathlm.errors import MathlmError
from mathlm.inference.base import Backend

T = TypeVar("T")


class Registry(Generic[T]):
    """Named objects of one kind; asking for an unknown name is an error that lists the known ones."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    def register(self, name: str) -> Callable[[T], T]:
        def add(entry: T) -> T:
            if name in self._entries:
                raise MathlmError(f"{self.kind} {name!r} is registered twice")
            self._entries[name] = entry
            return entry

        return add

    def get(self, name: str) -> T:
        try:
            return self._entries[name]
        except KeyError:
            raise MathlmError(
                f"unknown {self.kind} {name!r}: choose one of {', '.join(self.names())}"
            ) from None

    def names(self) -> list[str]:
        return sorted(self._entries)


BackendFactory = Callable[..., Backend]
BACKENDS: Registry[BackendFactory] = Registry("backend")


def make_backend(name: str, model: str, **options: Any) -> Backend:
    """Build the backend registered as ``name``; ``options`` are its constructor arguments."""
    return BACKENDS.get(name)(model, **options)
