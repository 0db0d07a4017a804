"""Backends by name: ``BACKENDS.get("hf")`` is the factory of :class:`~mathlm.inference.hf.HFBackend`.

A new engine registers a factory ``(model, **options) -> Backend`` with ``@BACKENDS.register(name)``
in its module and is imported in ``mathlm/inference/__init__.py``; configs then name it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mathlm.inference.base import Backend
from mathlm.registry import Registry

BackendFactory = Callable[..., Backend]
BACKENDS: Registry[BackendFactory] = Registry("backend")


def make_backend(name: str, model: str, **options: Any) -> Backend:
    """Build the backend registered as ``name``; ``options`` are its constructor arguments."""
    return BACKENDS.get(name)(model, **options)
