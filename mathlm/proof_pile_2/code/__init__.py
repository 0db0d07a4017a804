"""AlgebraicStack subset: math code in 17 languages, filtered per language, notebooks as Markdown,
exact dedup of 2,048-character chunks.

The steps are importable from here; each is loaded (with datatrove) on first use, so that the data-build
schema can read :mod:`.languages` without importing any step.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AlgebraicStackFilter": "steps",
    "ChunkDedupFilter": "dedup",
    "ChunkDedupFinder": "dedup",
    "ChunkDedupSignature": "dedup",
    "JupyterToMarkdown": "steps",
    "SourceTreeReader": "readers",
    "StackJsonlReader": "readers",
    "StackParquetReader": "readers",
    "TexEnglishFilter": "steps",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
