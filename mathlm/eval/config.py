"""The config schemas of the evaluation stage: runs, per-task settings, tasks, Slurm resources.

They live apart from the code that uses them so that reading a config never imports a backend, the
sandbox or a plotting library, and so that the runner, the Slurm submitter and the plot share them
without importing each other.

- :class:`EvalConfig`: one ``mathlm eval run`` (``configs/eval/*.yaml``).
- :class:`TaskConfig`: one task, built-in (``mathlm/eval/tasks/*.yaml``) or custom (any YAML file):
  where problems come from, the prompt, where generation stops, and the named hooks
  (:mod:`mathlm.eval.tasks.hooks`) that extract an answer and score it, ours and the Llemma harness's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from mathlm.config import ConfigModel
from mathlm.slurm.jobs import SlurmResources, TimeLimit


class EvalSlurmSettings(SlurmResources):
    """What each array task of ``mathlm slurm eval`` asks Slurm for: the shared Slurm resources (sbatch
    options of the same names) with an evaluation's defaults, plus GPUs per task."""

    gpus_per_task: int | None = Field(None, ge=0, description="default: vLLM's tensor_parallel_size, else 0")
    cpus_per_task: int = Field(4, ge=1)
    time: TimeLimit = "04:00:00"


class TaskSettings(ConfigModel):
    """Settings of one task that differ from the run's (Llemma: MATH maj@256 at T=0.6, MMLU-STEM maj@16
    at T=0.3); a key left out keeps the run-wide value."""

    limit: int | None = Field(None, ge=1)
    n: int | None = Field(None, ge=1)
    temperature: float | None = Field(None, ge=0.0)
    top_p: float | None = Field(None, gt=0.0, le=1.0)
    max_new_tokens: int | None = Field(None, ge=1)


class EvalConfig(ConfigModel):
    """One evaluation run: which model, which backend, which tasks, how to sample."""

    model: str = Field(description="checkpoint directory (hf, vllm) or served model name (openai)")
    model_name: str | None = Field(None, description="name in the Llemma tables, e.g. 'Llemma 7B'")
    backend: Literal["hf", "vllm", "openai"] = "hf"
    backend_options: dict[str, Any] = Field(default_factory=dict)
    tasks: list[str] = Field(min_length=1)
    limit: int | None = Field(
        None, ge=1, description="N problems of each task (MATH: spread over its subjects)"
    )
    n: int = Field(1, ge=1, description="samples per problem (maj@n, pass@k)")
    temperature: float = Field(0.0, ge=0.0)
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    max_new_tokens: int | None = Field(
        None, ge=1, description="default: the task's own (1024, as the harness)"
    )
    truncate_prompt: bool = Field(
        True, description="left-truncate prompts to context - max_new_tokens (harness)"
    )
    seed: int = 0
    sandbox_workers: int = Field(2, ge=1)
    answer_timeout_s: float = Field(5.0, gt=0)
    cache_chunk: int = Field(32, ge=1, description="prompts generated between cache writes")
    output: Path = Path("runs/eval")
    task_settings: dict[str, TaskSettings] = Field(
        default_factory=dict, description="per-task limit / n / temperature / ..."
    )
    slurm: EvalSlurmSettings = EvalSlurmSettings()

    @field_validator("model")
    @classmethod
    def _expand_home(cls, value: str) -> str:
        return str(Path(value).expanduser()) if value.startswith("~") else value

    @model_validator(mode="after")
    def _check_task_settings(self) -> EvalConfig:
        unknown = sorted(set(self.task_settings) - set(self.tasks))
        if unknown:
            raise ValueError(
                f"task_settings names {', '.join(unknown)}, which is not in tasks ({', '.join(self.tasks)})"
            )
        greedy_n = [
            task
            for task in self.tasks
            if self.task_value(task, "temperature") == 0 and self.task_value(task, "n") > 1
        ]
        if greedy_n:
            raise ValueError(
                f"tasks {', '.join(greedy_n)} sample n > 1 answers at temperature 0 (greedy gives one "
                "answer): set a temperature > 0 for majority voting, or n: 1"
            )
        return self

    def task_value(self, task: str, key: str) -> Any:
        """``key`` for ``task``: its ``task_settings`` entry where set, else the run-wide value."""
        override = self.task_settings.get(task)
        value = getattr(override, key) if override is not None else None
        return getattr(self, key) if value is None else value


class Hook(ConfigModel):
    """A named function from :mod:`mathlm.eval.tasks.hooks` and the keyword options it is called with."""

    name: str
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, data: Any) -> Any:
        """``extract: minerva`` is short for ``extract: {name: minerva}``."""
        return {"name": data} if isinstance(data, str) else data


class ToleranceConfig(ConfigModel):
    """How close numeric answers must be: ``relative`` 0 is exact (MATH); OCW uses a relative tolerance."""

    relative: float = Field(0.0, ge=0.0, lt=1.0)
    approximation_digits: int | None = Field(
        6, ge=1, description="a decimal this long may stand for an exact value"
    )


class HarnessScoring(ConfigModel):
    """The ``llemma`` scoring mode: how the harness that produced the paper's numbers read and compared
    answers, defects included, so that a score can be set next to the paper's table honestly."""

    extract: Hook
    compare: Hook


class TaskConfig(ConfigModel):
    """One task as data. Built-in tasks are YAML files in ``mathlm/eval/tasks/``; a custom task is any
    YAML file of the same schema, passed as the task name.

    Problems come from a registered ``benchmark`` or a JSONL ``data`` file (``problem_field``,
    ``answer_field``, ``id_field``). The prompt is the ``few_shot`` prompt file's text, a blank line and
    the query: ``prompt`` (a ``str.format`` template over ``{problem}``, ``{question}``, ``{c0}``...,
    ``{options}``) or the prompt file's ``format[query_format]``; ``prompt_hook`` replaces the whole
    builder (``pal``). ``extract`` reads the answer out of a generation; program tasks run the program
    that ``program`` builds and score ``result_expr``'s value instead.
    """

    name: str
    description: str = ""
    benchmark: str | None = None
    data: Path | None = None
    problem_field: str = "problem"
    answer_field: str = "answer"
    id_field: str | None = None
    few_shot: str | None = Field(
        None, description="a prompt file (mathlm/assets/prompts/NAME.json) put before the query"
    )
    prompt: str | None = Field(
        None, description="query template; default: the few-shot file's format[query_format]"
    )
    query_format: str = "query"
    prompt_hook: Hook = Hook(name="template")
    stop: list[str] = Field(default_factory=lambda: ["\n\n"])
    kind: Literal["cot", "program"] = "cot"
    extract: Hook = Hook(name="last_boxed")
    program: Hook | None = None
    result_expr: str | None = None
    scorer: Literal["equivalence", "choice", "exact"] = "equivalence"
    tolerance: ToleranceConfig = ToleranceConfig()
    max_new_tokens: int = Field(1024, ge=1, description="the harness's 1024 for every task")
    llemma: HarnessScoring | None = None
    published: dict[str, float] = Field(
        default_factory=dict, description="model name -> Llemma paper score (%)"
    )

    @model_validator(mode="after")
    def _check(self) -> TaskConfig:
        if (self.benchmark is None) == (self.data is None):
            raise ValueError("give exactly one of 'benchmark' or 'data'")
        if self.kind == "program" and (self.program is None or self.result_expr is None):
            raise ValueError("a program task needs 'program' (a hook) and 'result_expr'")
        if self.prompt_hook.name == "template" and self.prompt is None and self.few_shot is None:
            raise ValueError(
                "give a 'prompt' template or a 'few_shot' prompt file whose format has the query"
            )
        return self
