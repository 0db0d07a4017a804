"""The named functions a task YAML refers to: prompt builders, answer extractors, program builders and
the Llemma harness's comparators.

A task file says ``extract: minerva`` or ``extract: {name: regex, options: {pattern: '...'}}``; the
name is looked up here and the options are passed as keyword arguments. Built-in and custom tasks use
the same hooks; to add one, decorate a function with the registry of its kind:

    @EXTRACTORS.register("my_format")
    def my_format(generation: str, *, marker: str = "Answer:") -> str | None: ...
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from mathlm.assets import PROMPTS_DIR
from mathlm.benchmarks import BenchmarkRecord
from mathlm.errors import MathlmError
from mathlm.eval import harness
from mathlm.eval.answers import last_boxed
from mathlm.registry import Registry

PromptBuilder = Callable[..., str]  # (record, *, few_shot, template, **options) -> prompt
Extractor = Callable[..., "str | None"]  # (generation, **options) -> answer or None (invalid sample)
ProgramBuilder = Callable[..., str]  # (generation, **options) -> the program to run
Comparator = Callable[..., bool]  # (answer, reference, same, **options) -> harness verdict

PROMPTS: Registry[PromptBuilder] = Registry("prompt hook")
EXTRACTORS: Registry[Extractor] = Registry("extract hook")
PROGRAMS: Registry[ProgramBuilder] = Registry("program hook")
COMPARATORS: Registry[Comparator] = Registry("compare hook")


@cache
def load_prompt(name: str) -> dict[str, Any]:
    """A few-shot prompt file from ``mathlm/assets/prompts/`` (exemplars, templates, stop sequences)."""
    path = PROMPTS_DIR / f"{name}.json"
    if not path.is_file():
        raise MathlmError(f"prompt file not found: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def record_fields(record: BenchmarkRecord) -> dict[str, str]:
    """What a prompt template may use: ``{problem}``/``{question}``, choices ``{c0}``..``{c3}`` and
    ``{options}`` (SAT: the test file's option string, verbatim, as the harness appended it)."""
    fields = {"problem": record.problem, "question": record.problem}
    if record.choices:
        fields.update({f"c{i}": choice for i, choice in enumerate(record.choices)})
        fields["options"] = record.metadata.get("options") or " ".join(
            f"{letter}) {choice}" for letter, choice in zip("ABCD", record.choices)
        )
    return fields


# --------------------------------------------------------------------------------------------------
# Prompts
# --------------------------------------------------------------------------------------------------


@PROMPTS.register("template")
def template_prompt(
    record: BenchmarkRecord, *, few_shot: str | None, template: str | None, query_format: str = "query"
) -> str:
    """The few-shot file's text, a blank line, then the query template filled from the record."""
    spec = load_prompt(few_shot) if few_shot else None
    query = template if template is not None else spec["format"][query_format]  # type: ignore[index]
    filled = query.format(**record_fields(record))
    return spec["prompt_text"] + "\n\n" + filled if spec else filled


@PROMPTS.register("pal")
def pal_prompt(
    record: BenchmarkRecord, *, few_shot: str | None, template: str | None, query_format: str = "query"
) -> str:
    """PAL's prompt text already ends with the query; the question goes in its ``{question}`` slot."""
    return load_prompt(few_shot or "gsm8k_pal_8shot")["prompt_text"].replace("{question}", record.problem)


# --------------------------------------------------------------------------------------------------
# Answer extraction: None means the sample is invalid (no answer to score)
# --------------------------------------------------------------------------------------------------


@EXTRACTORS.register("minerva")
def minerva_answer(generation: str, *, boxed_fallback: bool = False) -> str | None:
    """MATH/OCW: the text between 'The final answer is' and '. I hope it is correct.'. Without that
    line the sample is invalid, as in the harness; ``boxed_fallback`` reads the last ``\\boxed{}``."""
    answer = harness.minerva_final_answer(generation)
    if answer is None and boxed_fallback:
        return last_boxed(generation)
    return answer


_GSM8K_FINAL = re.compile(r"The answer is \$?(-?[\d,]*\.?\d+)")


@EXTRACTORS.register("gsm8k")
def gsm8k_answer(generation: str) -> str | None:
    """GSM8k chain of thought: the number after the first 'The answer is' (negatives, decimals and
    thousands separators included, unlike the harness's ``(\\d+)``)."""
    match = _GSM8K_FINAL.search(generation)
    return match.group(1).replace(",", "") if match else None


_CHOICE_FINAL = re.compile(r"Final Answer: The final answer is \(?([ABCD])\)?")


@EXTRACTORS.register("choice")
def choice_answer(generation: str) -> str | None:
    """MMLU-STEM / SAT: the letter in 'Final Answer: The final answer is (B)'."""
    match = _CHOICE_FINAL.search(generation)
    return match.group(1) if match else None


@EXTRACTORS.register("regex")
def regex_answer(generation: str, *, pattern: str) -> str | None:
    """Custom tasks: the first group of ``pattern`` (searched with DOTALL)."""
    match = _compiled(pattern).search(generation)
    return match.group(1).strip() if match else None


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.DOTALL)
    except re.error as err:
        raise MathlmError(f"extract regex {pattern!r}: {err}") from None


@EXTRACTORS.register("last_boxed")
def boxed_answer(generation: str) -> str | None:
    return last_boxed(generation)


@EXTRACTORS.register("harness_gsm8k")
def harness_gsm8k_answer(generation: str) -> str | None:
    """The harness's GSM8k reading: ``The answer is (\\d+)``."""
    return harness.gsm8k_answer(generation)


@EXTRACTORS.register("program")
def program_answer(generation: str) -> str | None:
    """Program tasks: the generation is the program (its value is computed in the sandbox)."""
    return generation if generation.strip() else None


# --------------------------------------------------------------------------------------------------
# Programs
# --------------------------------------------------------------------------------------------------


@PROGRAMS.register("as_is")
def program_as_is(generation: str) -> str:
    return generation


@PROGRAMS.register("sympy_with_imports")
def sympy_program(generation: str) -> str:
    """MATH+Python: the model writes the program, then its imports in a second code block."""
    body, _, rest = generation.partition("```")
    imports = re.search(r"are\s*\n```\n?(.*?)(?:```|$)", "```" + rest, re.DOTALL)
    header = imports.group(1) if imports else "import math\nimport sympy\nfrom sympy import *"
    return header.strip() + "\n\n" + body.strip()


# --------------------------------------------------------------------------------------------------
# The Llemma harness's comparisons (``llemma`` scoring mode; ``same`` is the task's own equivalence)
# --------------------------------------------------------------------------------------------------


@COMPARATORS.register("minerva_string_match")
def minerva_string_match(answer: str, reference: str, same: Callable[[str, str], bool]) -> bool:
    return harness.minerva_string_match(answer, reference)


@COMPARATORS.register("gsm8k_match")
def gsm8k_match(answer: str, reference: str, same: Callable[[str, str], bool]) -> bool:
    return harness.gsm8k_match(answer, reference)


@COMPARATORS.register("int_cast_match")
def int_cast_match(answer: str, reference: str, same: Callable[[str, str], bool]) -> bool:
    return harness.int_cast_match(answer, reference)


@COMPARATORS.register("same_as_correct")
def same_as_correct(answer: str, reference: str, same: Callable[[str, str], bool]) -> bool:
    """Where the facts list no scorer defect: the task's own comparison."""
    return same(answer, reference)
