"""A registry of named objects of one kind: benchmarks, backends, engines, provers, task hooks.

An extension point registers its implementations by name instead of growing an if-chain, and an unknown
name is one error that lists every known name::

    PROVERS: Registry[type[ProverBackend]] = Registry("prover")

    @PROVERS.register("lean-server")
    class LeanServerBackend: ...

    PROVERS.get("lean-server")   # the class; PROVERS.get("lean") -> MathlmError listing "lean-server"
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar, overload

from mathlm.errors import MathlmError

T = TypeVar("T")


class Registry(Generic[T]):
    """Name -> object of one ``kind`` (the word used in errors), in registration order."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    @overload
    def register(self, name: str) -> Callable[[T], T]: ...

    @overload
    def register(self, name: str, obj: T) -> T: ...

    def register(self, name: str, obj: T | None = None) -> T | Callable[[T], T]:
        """Register ``obj`` under ``name``; without ``obj``, a decorator that registers what it decorates.

        A name can be registered once: a second registration is a mistake (two modules claiming one name)
        that would otherwise silently shadow the first.
        """
        if obj is None:
            return lambda decorated: self.register(name, decorated)
        if name in self._entries:
            raise MathlmError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = obj
        return obj

    def get(self, name: str) -> T:
        """The object registered as ``name``; an unknown name is an error listing the known ones."""
        try:
            return self._entries[name]
        except KeyError:
            known = ", ".join(self._entries) or "none"
            raise MathlmError(f"unknown {self.kind} {name!r}; known {self.kind}s: {known}") from None

    def names(self) -> list[str]:
        """Registered names, in registration order."""
        return list(self._entries)

    def items(self) -> list[tuple[str, T]]:
        return list(self._entries.items())

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
