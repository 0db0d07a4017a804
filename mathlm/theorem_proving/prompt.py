"""The published few-shot next-tactic prompt (Llemma's Lean 4 proof search), built from its data file.

``mathlm/assets/prompts/lean4_tactic_fewshot.json`` holds the instruction, three exemplars (Mathlib tactic
states and the tactic that was applied) and the templates; :func:`load_tactic_prompt` assembles them
and checks the result against the upstream prompt text stored next to them, so an edit to either
cannot drift silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from mathlm import assets
from mathlm.errors import MathlmError

PROMPT_FILE = "lean4_tactic_fewshot.json"


@dataclass(frozen=True)
class TacticPrompt:
    """``render(state)`` is the text the model continues; it stops at the first of ``stop``."""

    prefix: str  # instruction + exemplars, identical for every state
    query: str  # "Tactic state:\n---\n{state}\n---\nNext tactic:\n---"
    stop: tuple[str, ...]

    def render(self, state: str) -> str:
        return self.prefix + self.query.replace("{state}", state)


def load_tactic_prompt(path: str | Path | None = None) -> TacticPrompt:
    """The few-shot prompt from ``path`` (default: the vendored Llemma prompt)."""
    source = Path(path) if path is not None else assets.PROMPTS_DIR / PROMPT_FILE
    try:
        spec = json.loads(source.read_text(encoding="utf-8"))
        fmt = spec["format"]
        exemplars = [
            fmt["exemplar"].replace("{state}", e["state"]).replace("{tactic}", e["tactic"])
            for e in spec["exemplars"]
        ]
        prefix = fmt["instruction"] + fmt["exemplar_separator"].join(exemplars) + "\n\n"
        prompt = TacticPrompt(prefix=prefix, query=fmt["query"], stop=tuple(fmt["stop"]))
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise MathlmError(
            f"{source}: not a readable tactic prompt file ({type(err).__name__}: {err}); "
            f"it needs format.instruction/exemplar/exemplar_separator/query/stop and exemplars"
        ) from None
    if "prompt_text" in spec and prompt.render("{state}") != spec["prompt_text"]:
        raise MathlmError(
            f"{source}: the exemplars and templates do not reproduce its prompt_text; "
            "fix the file so both agree"
        )
    return prompt
