"""Jupyter notebooks as Markdown: prose cells as they are, code in fenced blocks, text outputs kept.

As in AlgebraicStack, a code cell that produced an image or an error loses all its outputs (a base64
PNG or a traceback is noise to a language model); other outputs are kept as text, LaTeX and Markdown
outputs verbatim. Handles nbformat 4 and the older nbformat 3 (``worksheets``, ``input``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any


class UnreadableNotebook(ValueError):
    """Not a notebook: invalid JSON or no cells."""


def _text(value: Any) -> str:
    """nbformat stores multi-line strings as lists of lines."""
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    return value if isinstance(value, str) else ""


def _cells(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(notebook.get("cells"), list):
        return notebook["cells"]
    worksheets = notebook.get("worksheets")
    if isinstance(worksheets, list):
        return [cell for sheet in worksheets if isinstance(sheet, dict) for cell in sheet.get("cells", [])]
    raise UnreadableNotebook("no cells")


def _language(notebook: dict[str, Any]) -> str:
    metadata = notebook.get("metadata") or {}
    info = metadata.get("language_info") or metadata.get("kernelspec") or {}
    return str(info.get("name") or info.get("language") or "python") if isinstance(info, dict) else "python"


def _drops_outputs(output: dict[str, Any]) -> bool:
    """Images and errors (tracebacks) make the whole cell's output go."""
    data = output.get("data") or {}
    has_image = isinstance(data, dict) and any(key.startswith("image/") for key in data)
    has_image = has_image or "png" in output or "jpeg" in output  # nbformat 3 keeps images at the top level
    return has_image or output.get("output_type") in ("error", "pyerr") or "traceback" in output


def _render_output(output: dict[str, Any]) -> str:
    if output.get("output_type") == "stream":
        text = _text(output.get("text"))
        return f"```\n{text.rstrip()}\n```" if text.strip() else ""
    data = output.get("data") if isinstance(output.get("data"), dict) else output
    for key in ("text/latex", "latex", "text/markdown"):
        if _text(data.get(key)).strip():
            return _text(data[key]).strip()
    plain = _text(data.get("text/plain") or data.get("text"))
    return f"```\n{plain.rstrip()}\n```" if plain.strip() else ""


def _render_cell(cell: dict[str, Any], language: str) -> Iterator[str]:
    kind = cell.get("cell_type")
    source = _text(cell.get("source", cell.get("input"))).strip()
    if kind != "code":
        if source:
            yield source
        return
    if source:
        yield f"```{language}\n{source}\n```"
    outputs = [output for output in cell.get("outputs") or [] if isinstance(output, dict)]
    if any(_drops_outputs(output) for output in outputs):
        return
    for output in outputs:
        rendered = _render_output(output)
        if rendered:
            yield rendered


def notebook_to_markdown(raw: str) -> str:
    """The Markdown of a notebook given as its JSON text; raises :class:`UnreadableNotebook`."""
    try:
        notebook = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as err:
        raise UnreadableNotebook(f"invalid JSON: {err}") from None
    if not isinstance(notebook, dict):
        raise UnreadableNotebook("not a JSON object")
    language = _language(notebook)
    blocks = [
        block for cell in _cells(notebook) if isinstance(cell, dict) for block in _render_cell(cell, language)
    ]
    return "\n\n".join(blocks)
