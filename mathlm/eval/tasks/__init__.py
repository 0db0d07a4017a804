"""Evaluation tasks: data (a YAML file each) plus the named hook functions it refers to.

A task says where its problems come from (a benchmark of :mod:`mathlm.benchmarks`, or a JSONL file),
how a prompt is built (a few-shot prompt file and a query template), where generation stops, how the
answer is pulled out of a generation and how it is scored, in our ``correct`` mode and in the
``llemma`` mode that reproduces the paper's harness. The built-in tasks are the YAML files next to
this module (``math.yaml``, ``gsm8k.yaml``, ...); a custom task is any YAML file of the same schema
(:class:`~mathlm.eval.config.TaskConfig`), passed where a task name goes. Chain-of-thought tasks
score the extracted answer with :mod:`mathlm.eval.answers`; program tasks (``gsm8k_python``,
``math_python``) run the generated program in :mod:`mathlm.eval.sandbox` and score its value.

    task = get_task("math")
    prompt = task.prompt(record); answer = task.extract(generation); task.reference(record)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mathlm.benchmarks import BenchmarkRecord, iter_benchmark
from mathlm.config import load_config
from mathlm.errors import MathlmError
from mathlm.eval.answers import Tolerance
from mathlm.eval.config import TaskConfig
from mathlm.eval.tasks.hooks import COMPARATORS, EXTRACTORS, PROGRAMS, PROMPTS, load_prompt
from mathlm.io import iter_jsonl_lines
from mathlm.registry import Registry

__all__ = [
    "TASKS",
    "Task",
    "get_task",
    "load_prompt",
    "load_task",
    "published_score",
    "register_task",
    "stratified",
]

BUILTIN_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Task:
    """One evaluation task: its config and the hook functions the config names, looked up at load time
    (an unknown hook name is an error when the task is loaded, not in the middle of a run)."""

    config: TaskConfig
    source: Path | None = None
    _prompt: Callable[..., str] = field(init=False, repr=False, compare=False)
    _extract: Callable[..., str | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cfg = self.config
        object.__setattr__(self, "_prompt", PROMPTS.get(cfg.prompt_hook.name))
        object.__setattr__(self, "_extract", EXTRACTORS.get(cfg.extract.name))
        if cfg.program is not None:
            PROGRAMS.get(cfg.program.name)
        if cfg.llemma is not None:
            EXTRACTORS.get(cfg.llemma.extract.name)
            COMPARATORS.get(cfg.llemma.compare.name)
        if cfg.few_shot:
            load_prompt(cfg.few_shot)

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def description(self) -> str:
        return self.config.description

    @property
    def benchmark(self) -> str:
        return self.config.benchmark or self.config.name

    @property
    def stop(self) -> tuple[str, ...]:
        return tuple(self.config.stop)

    @property
    def kind(self) -> str:
        return self.config.kind

    @property
    def scorer(self) -> str:
        return self.config.scorer

    @property
    def max_new_tokens(self) -> int:
        return self.config.max_new_tokens

    @property
    def published(self) -> dict[str, float]:
        return self.config.published

    @property
    def result_expr(self) -> str | None:
        return self.config.result_expr

    @property
    def tolerance(self) -> Tolerance:
        return Tolerance(self.config.tolerance.relative, self.config.tolerance.approximation_digits)

    def records(self, limit: int | None = None) -> list[BenchmarkRecord]:
        """The task's problems in file order; with ``limit``, spread over the subjects (see :func:`stratified`)."""
        records = list(self._all_records())
        return records if limit is None else stratified(records, limit)

    def prompt(self, record: BenchmarkRecord) -> str:
        cfg = self.config
        return self._prompt(
            record,
            few_shot=cfg.few_shot,
            template=cfg.prompt,
            query_format=cfg.query_format,
            **cfg.prompt_hook.options,
        )

    def extract(self, generation: str) -> str | None:
        """The answer in ``generation`` (our reading), or None: an invalid sample."""
        return self._extract(generation, **self.config.extract.options)

    def harness_extract(self, generation: str) -> str | None:
        """The answer as the Llemma harness read it (``llemma`` mode); our reading where it has none."""
        hook = self.config.llemma.extract if self.config.llemma else self.config.extract
        return EXTRACTORS.get(hook.name)(generation, **hook.options)

    def harness_same(self, answer: str, reference: str, same: Callable[[str, str], bool]) -> bool:
        """The Llemma harness's verdict (``same`` is this task's own comparison, for tasks it kept)."""
        if self.config.llemma is None:
            return same(answer, reference)
        hook = self.config.llemma.compare
        return COMPARATORS.get(hook.name)(answer, reference, same, **hook.options)

    def reference(self, record: BenchmarkRecord) -> str:
        if record.answer is None:
            raise MathlmError(f"{self.name}: record {record.id} has no reference answer")
        return record.answer

    def program(self, generation: str) -> str:
        """The Python program a program task runs for ``generation``."""
        hook = self.config.program
        return PROGRAMS.get(hook.name)(generation, **hook.options) if hook else generation

    def _all_records(self) -> Iterator[BenchmarkRecord]:
        cfg = self.config
        if cfg.data is None:
            return iter_benchmark(self.benchmark)
        data = cfg.data if cfg.data.is_absolute() or self.source is None else self.source.parent / cfg.data
        return _jsonl_records(data, cfg)


def stratified(records: list[BenchmarkRecord], limit: int) -> list[BenchmarkRecord]:
    """``limit`` records taken in turn from each subject (file order within a subject), kept in file
    order: the first N of the subject-sorted MATH file would be Algebra only."""
    groups: dict[str | None, list[BenchmarkRecord]] = {}
    for record in records:
        groups.setdefault(record.subject, []).append(record)
    if len(groups) < 2 or limit >= len(records):
        return records[:limit]
    chosen: set[int] = set()
    queues = [iter(group) for group in groups.values()]
    while len(chosen) < limit:
        for queue in queues:
            record = next(queue, None)
            if record is not None and len(chosen) < limit:
                chosen.add(id(record))
    return [record for record in records if id(record) in chosen]


def load_task(path: Path) -> Task:
    """A task from a YAML file (built-in or custom: the same schema)."""
    return Task(load_config(path, TaskConfig), source=path.resolve())


TASKS: Registry[Task] = Registry("task")


def register_task(task: Task) -> Task:
    """Add a task (loaded from YAML, usually) to the registry of names ``mathlm eval`` accepts."""
    return TASKS.register(task.name, task)


for _path in sorted(BUILTIN_DIR.glob("*.yaml")):
    register_task(load_task(_path))


def get_task(name: str) -> Task:
    """A registered task, or a custom task from a YAML file path."""
    if name in TASKS:
        return TASKS.get(name)
    if name.endswith((".yaml", ".yml")):
        return load_task(Path(name))
    raise MathlmError(
        f"unknown task {name!r}; known tasks: {', '.join(sorted(TASKS))} (or pass a custom task YAML file)"
    )


def published_score(task_name: str, model_name: str | None) -> float | None:
    """The Llemma paper's score (%) of ``model_name`` on ``task_name``, where it reports one."""
    if model_name is None:
        return None
    try:
        return get_task(task_name).published.get(model_name)
    except MathlmError:
        return None


def _jsonl_records(path: Path, cfg: TaskConfig) -> Iterator[BenchmarkRecord]:
    """Each line of a custom task's JSONL file as a record; a bad line is an error naming the line."""
    if not path.is_file():
        raise MathlmError(f"custom task {cfg.name!r}: data file not found: {path}")
    for line in iter_jsonl_lines(path):
        row = line.record
        if row is None or cfg.problem_field not in row or cfg.answer_field not in row:
            why = f"{line.reason} ({line.detail})" if row is None else "missing field"
            raise MathlmError(
                f"{line.where()}: {why}; each line needs the fields {cfg.problem_field!r} and "
                f"{cfg.answer_field!r}"
            )
        index = str(line.line - 1)
        record_id = str(row.get(cfg.id_field, index)) if cfg.id_field else index
        problem, answer = str(row[cfg.problem_field]), str(row[cfg.answer_field])
        yield BenchmarkRecord(benchmark=cfg.name, id=record_id, problem=problem, answer=answer)
