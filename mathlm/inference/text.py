"""Text hygiene shared by every backend: cutting completions at stop strings, and turning whatever a
server or program hands back into a clean ``str``.

A completion never contains its stop sequence: every backend cuts at the first one, so answer
extraction sees the same text whichever backend made it. Values from outside (JSON from a server,
a program's output) may hold lone UTF-16 surrogates (``"\\ud800"`` is valid JSON), ``None``, numbers or
bytes; such a string cannot be written as UTF-8, so one bad completion would crash every later write
of a results file. :func:`safe_text` makes them printable text once, where they enter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def cut_at_stop(text: str, stop: Sequence[str]) -> str:
    """``text`` up to (not including) the earliest stop sequence."""
    cut = len(text)
    for sequence in stop:
        if not sequence:
            continue
        index = text.find(sequence)
        if 0 <= index < cut:
            cut = index
    return text[:cut]


def safe_text(value: object) -> str:
    """``value`` as a str that encodes to UTF-8: ``None`` is ``""``, bytes are decoded leniently, other
    non-strings are written as JSON (or ``str`` when JSON cannot), and lone surrogates become U+FFFD.

    Valid surrogate pairs never reach here as two code points: ``json.loads`` joins them.
    """
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        text = bytes(value).decode("utf-8", errors="replace")
    elif isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = str(value)
    return _LONE_SURROGATE.sub(REPLACEMENT, text)
