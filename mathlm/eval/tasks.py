"""Evaluation tasks: data plus a few small functions, registered by name.

A task says where its problems come from (a benchmark of :mod:`mathlm.benchmarks`, or a JSONL file for
custom tasks), how a prompt is built (a few-shot prompt file from ``mathlm/assets/prompts/`` and a query
template), where generation stops, how the answer is pulled out of a generation and how it is
scored. Chain-of-thought tasks score the extracted answer with :mod:`mathlm.eval.answers`; program
tasks (``gsm8k_python``, ``math_python``) run the generated program in :mod:`mathlm.eval.sandbox`
and score its value the same way.

    task = get_task("math")
    prompt = task.prompt(record); answer = task.extract(generation); task.reference(record)
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from mathlm.assets import PROMPTS_DIR
from mathlm.benchmarks import BenchmarkRecord, iter_benchmark
from mathlm.config import ConfigModel, load_config
from mathlm.errors import MathlmError
from mathlm.eval.answers import last_boxed

Scorer = Literal["equivalence", "choice", "exact"]


@cache
def load_prompt(name: str) -> dict[str, Any]:
    """A few-shot prompt file from ``mathlm/assets/prompts/`` (exemplars, templates, stop sequences)."""
    path = PROMPTS_DIR / f"{name}.json"
    if not path.is_file():
        raise MathlmError(f"prompt file not found: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Task:
    """One evaluation task. ``kind`` says how a generation becomes an answer: read it, or run it."""

    name: str
    description: str
    benchmark: str
    build_prompt: Callable[[BenchmarkRecord], str]
    stop: tuple[str, ...]
    extract: Callable[[str], str | None]
    kind: Literal["cot", "program"] = "cot"
    scorer: Scorer = "equivalence"
    max_new_tokens: int = 512
    published: dict[str, float] = field(default_factory=dict)  # model name -> Llemma paper's score (%)
    result_expr: str | None = None  # program tasks: the expression whose value is the answer
    program_prefix: Callable[[str], str] | None = None  # program tasks: turn a generation into a program
    loader: Callable[[], Iterator[BenchmarkRecord]] | None = None  # custom tasks: their own records

    def records(self, limit: int | None = None) -> list[BenchmarkRecord]:
        """The task's problems, in file order (the first ``limit`` of them)."""
        iterator = self.loader() if self.loader else iter_benchmark(self.benchmark)
        return list(itertools.islice(iterator, limit))

    def prompt(self, record: BenchmarkRecord) -> str:
        return self.build_prompt(record)

    def reference(self, record: BenchmarkRecord) -> str:
        if record.answer is None:
            raise MathlmError(f"{self.name}: record {record.id} has no reference answer")
        return record.answer

    def program(self, generation: str) -> str:
        """The Python program a program task runs for ``generation``."""
        return self.program_prefix(generation) if self.program_prefix else generation


# --------------------------------------------------------------------------------------------------
# Answer extraction
# --------------------------------------------------------------------------------------------------

_MINERVA_FINAL = re.compile(r"Final Answer: The final answer is(.*?)\.\s*I hope it is correct\.", re.S)
_OCW_FINAL = re.compile(r"Final answer: The final answer is(.*?)\.\s*I hope it is correct\.", re.S)
_GSM8K_FINAL = re.compile(r"The answer is (-?[\d,]*\.?\d+)")
_CHOICE_FINAL = re.compile(r"Final Answer: The final answer is \(?([ABCD])\)?")


def _with_stop(text: str, stop: str) -> str:
    """Generations end before the stop sequence; put it back so the published regexes match."""
    return text if stop in text else text + stop


def extract_minerva(generation: str) -> str | None:
    """MATH: the text between 'The final answer is' and '. I hope it is correct.', else the last box."""
    match = _MINERVA_FINAL.search(_with_stop(generation, "I hope it is correct."))
    if match:
        return match.group(1).strip()
    return last_boxed(generation)


def extract_ocw(generation: str) -> str | None:
    match = _OCW_FINAL.search(_with_stop(generation, "I hope it is correct."))
    return match.group(1).strip() if match else last_boxed(generation)


def extract_gsm8k(generation: str) -> str | None:
    """GSM8k chain of thought: the number after the first 'The answer is'."""
    match = _GSM8K_FINAL.search(generation)
    return match.group(1).replace(",", "") if match else None


def extract_choice(generation: str) -> str | None:
    match = _CHOICE_FINAL.search(generation)
    return match.group(1) if match else None


def extract_program(generation: str) -> str | None:
    """Program tasks: the generation itself is the program (its value is computed in the sandbox)."""
    return generation if generation.strip() else None


# --------------------------------------------------------------------------------------------------
# Prompts
# --------------------------------------------------------------------------------------------------


def _few_shot(prompt_name: str, query_key: str = "query") -> Callable[[BenchmarkRecord], str]:
    """``prompt_text`` + blank line + the prompt file's query template filled from the record."""
    def build(record: BenchmarkRecord) -> str:
        spec = load_prompt(prompt_name)
        return spec["prompt_text"] + "\n\n" + spec["format"][query_key].format(**_fields(record))
    return build


def _fields(record: BenchmarkRecord) -> dict[str, str]:
    fields = {"problem": record.problem, "question": record.problem}
    if record.choices:
        fields.update({f"c{i}": choice for i, choice in enumerate(record.choices)})
        fields["options"] = " ".join(f"{letter}) {choice}" for letter, choice in zip("ABCD", record.choices))
    return fields


def _pal_prompt(record: BenchmarkRecord) -> str:
    """PAL's prompt text already ends with the query template."""
    return load_prompt("gsm8k_pal_8shot")["prompt_text"].replace("{question}", record.problem)


def _sympy_program(generation: str) -> str:
    """MATH+Python: the model writes the program, then its imports in a second code block."""
    body, _, rest = generation.partition("```")
    imports = re.search(r"are\s*\n```\n?(.*?)(?:```|$)", "```" + rest, re.S)
    header = imports.group(1) if imports else "import math\nimport sympy\nfrom sympy import *"
    return header.strip() + "\n\n" + body.strip()


# --------------------------------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------------------------------

TASKS: dict[str, Task] = {}


def register_task(task: Task) -> Task:
    if task.name in TASKS:
        raise MathlmError(f"task {task.name!r} is already registered")
    TASKS[task.name] = task
    return task


for _task in (
    Task("math", "MATH test, Minerva 4-shot prompt, all 7 subjects and 5 levels", "math",
         _few_shot("minerva_math_4shot"), ("I hope it is correct.",),
         extract_minerva, published={"Code Llama 7B": 4.5, "Llemma 7B": 18.0, "Code Llama 34B": 12.2,
                                     "Llemma 34B": 25.0}),
    Task("math500", "MATH500 subset, Minerva 4-shot prompt", "math500",
         _few_shot("minerva_math_4shot"), ("I hope it is correct.",),
         extract_minerva),
    Task("gsm8k", "GSM8k test, 8-shot chain of thought", "gsm8k",
         _few_shot("gsm8k_cot_8shot"), ("\n\n",), extract_gsm8k, max_new_tokens=256,
         published={"Code Llama 7B": 10.5, "Llemma 7B": 36.4, "Code Llama 34B": 29.6, "Llemma 34B": 51.5}),
    Task("ocw", "OCW courses, 4-shot", "ocw", _few_shot("minerva_ocw_4shot"),
         ("I hope it is correct.",), extract_ocw,
         published={"Code Llama 7B": 4.4, "Llemma 7B": 7.7, "Code Llama 34B": 7.0, "Llemma 34B": 11.8}),
    Task("mmlu_stem", "MMLU-STEM, Minerva multiple-choice prompt", "mmlu_stem",
         _few_shot("minerva_mmlu_stem_sat_4shot", "query_mmlu"), ("I hope it is correct.",), extract_choice,
         scorer="choice",
         published={"Code Llama 7B": 25.1, "Llemma 7B": 37.7, "Code Llama 34B": 40.5, "Llemma 34B": 49.0}),
    Task("sat", "SAT math (May 2023), Minerva multiple-choice prompt", "sat",
         _few_shot("minerva_mmlu_stem_sat_4shot", "query_sat"), ("I hope it is correct.",), extract_choice,
         scorer="choice",
         published={"Code Llama 7B": 9.4, "Llemma 7B": 53.1, "Code Llama 34B": 40.6, "Llemma 34B": 71.9}),
    Task("gsm8k_python", "GSM8k + Python (PAL, 8-shot): the model writes solution(), the sandbox runs it",
         "gsm8k", _pal_prompt, ("Q:",), extract_program, kind="program", result_expr="solution()",
         max_new_tokens=384,
         published={"Code Llama 7B": 27.1, "Llemma 7B": 40.1, "Code Llama 34B": 52.7, "Llemma 34B": 62.6}),
    Task("math_python", "MATH + Python (5-shot): the program sets `answer`, SymPy allowed", "math",
         _few_shot("math_sympy_5shot"), ("I hope my solution is correct.",), extract_program, kind="program",
         result_expr="answer", program_prefix=_sympy_program,
         published={"Code Llama 7B": 17.2, "Llemma 7B": 21.5, "Code Llama 34B": 23.5, "Llemma 34B": 27.1}),
):
    register_task(_task)


def get_task(name: str) -> Task:
    """A registered task, or a custom task from a YAML file path."""
    if name in TASKS:
        return TASKS[name]
    if name.endswith((".yaml", ".yml")):
        return load_custom_task(Path(name))
    raise MathlmError(f"unknown task {name!r}; known tasks: {', '.join(sorted(TASKS))} "
                      "(or pass a custom task YAML file)")


# --------------------------------------------------------------------------------------------------
# Custom tasks from YAML
# --------------------------------------------------------------------------------------------------


class CustomTaskConfig(ConfigModel):
    """A task defined in YAML: a JSONL data file (or a benchmark), a prompt template and an answer regex.

    ``prompt`` is a ``str.format`` template over the record's fields (``{problem}``, ``{question}``,
    ``{c0}``...); ``answer_regex``'s first group is the answer (else the last ``\\boxed{}``).
    """

    name: str
    description: str = ""
    benchmark: str | None = None
    data: Path | None = None
    problem_field: str = "problem"
    answer_field: str = "answer"
    id_field: str | None = None
    prompt: str
    few_shot: str | None = None  # a prompt file name in mathlm/assets/prompts/ to put before the query
    stop: list[str] = ["\n\n"]
    answer_regex: str | None = None
    scorer: Scorer = "equivalence"
    max_new_tokens: int = 512


def load_custom_task(path: Path) -> Task:
    cfg = load_config(path, CustomTaskConfig)
    if (cfg.benchmark is None) == (cfg.data is None):
        raise MathlmError(f"{path}: give exactly one of 'benchmark' or 'data'")
    pattern = re.compile(cfg.answer_regex, re.S) if cfg.answer_regex else None

    def build(record: BenchmarkRecord) -> str:
        query = cfg.prompt.format(**_fields(record))
        return (load_prompt(cfg.few_shot)["prompt_text"] + "\n\n" + query) if cfg.few_shot else query

    def extract(generation: str) -> str | None:
        if pattern:
            match = pattern.search(generation)
            return match.group(1).strip() if match else None
        return last_boxed(generation)

    loader = None
    if cfg.data is not None:
        data = cfg.data if cfg.data.is_absolute() else path.parent / cfg.data
        loader = lambda: _jsonl_records(data, cfg)  # noqa: E731
    return Task(cfg.name, cfg.description or f"custom task from {path}", cfg.benchmark or cfg.name, build,
                tuple(cfg.stop), extract, scorer=cfg.scorer, max_new_tokens=cfg.max_new_tokens, loader=loader)


def _jsonl_records(path: Path, cfg: CustomTaskConfig) -> Iterator[BenchmarkRecord]:
    """Each line of a custom task's JSONL file as a record; a bad line is an error naming the line."""
    if not path.is_file():
        raise MathlmError(f"custom task {cfg.name!r}: data file not found: {path}")
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                problem, answer = str(row[cfg.problem_field]), str(row[cfg.answer_field])
            except (ValueError, KeyError, TypeError) as err:
                raise MathlmError(f"{path}:{number}: {err!r} (each line needs the fields "
                                  f"{cfg.problem_field!r} and {cfg.answer_field!r})") from None
            record_id = str(row.get(cfg.id_field, number - 1)) if cfg.id_field else str(number - 1)
            yield BenchmarkRecord(benchmark=cfg.name, id=record_id, problem=problem, answer=answer)
