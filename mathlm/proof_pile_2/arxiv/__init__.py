"""arXiv subset: LaTeX source submissions (or RedPajama JSONL) -> cleaned paper bodies (RedPajama rules).

The steps are importable from here; each is loaded (with datatrove) on first use, so that the data-build
schema can read :mod:`.latex`'s constants without importing any step.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ArxivSourceReader": "readers",
    "RedPajamaArxivReader": "readers",
    "RedPajamaLatexCleaner": "steps",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
