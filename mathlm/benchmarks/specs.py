"""The vendored benchmark test sets (``mathlm/assets/benchmarks/``) as typed records: one loader for eval
and decontamination.

Every benchmark file has its own upstream schema (MATH keeps ``level: "Level 3"``, GSM8k hides the answer
after ``####``, MMLU stores the answer as an index, SAT packs the options into one string). This module
turns each into the same :class:`BenchmarkRecord`, so an evaluation task and the decontamination index
read the same fields the same way:

    for record in load_benchmark("math"):
        record.id, record.problem, record.solution, record.answer, record.subject, record.level

Record ids are stable strings, unique within a benchmark: the upstream id where there is one (MATH
``idx``, MATH500 ``unique_id``, SAT ``id``, miniF2F theorem name) and the 0-based line number otherwise
(GSM8k, MMLU-STEM). Multiple-choice answers are letters ``A``-``D`` for both MMLU-STEM and SAT.

A malformed line in a test set raises :class:`~mathlm.errors.MathlmError` naming the file and line:
skipping it would silently change every score computed on the benchmark.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mathlm import assets
from mathlm.errors import MathlmError
from mathlm.io import iter_jsonl_lines
from mathlm.registry import Registry

TextField = Literal["problem", "solution", "both"]
CHOICE_LETTERS = "ABCD"


@dataclass(frozen=True)
class BenchmarkRecord:
    """One test item: ``problem`` is always set, the rest is ``None``/empty where a benchmark lacks it."""

    benchmark: str
    id: str
    problem: str
    solution: str | None = None
    answer: str | None = None
    subject: str | None = None
    level: int | None = None
    choices: tuple[str, ...] = ()
    split: str = "test"
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def texts(self, which: TextField = "both") -> dict[str, str]:
        """The texts a reader could have seen, by field name, for n-gram overlap checks.

        The problem of a multiple-choice item includes its choices, one per line, because pages that copy
        a question copy its options with it. Empty fields are left out.
        """
        problem = "\n".join([self.problem, *self.choices])
        texts = {"problem": problem, "solution": self.solution or ""}
        wanted = ("problem", "solution") if which == "both" else (which,)
        return {name: texts[name] for name in wanted if texts[name].strip()}


@dataclass(frozen=True)
class BenchmarkSpec:
    """Where a benchmark lives, how many records it must have and how a raw row becomes a record."""

    name: str
    relative_path: str
    count: int
    description: str
    parse: Callable[[str, dict[str, Any], int], BenchmarkRecord]
    # Whether data builds check corpora against it by default (a config can still exclude it).
    decontaminate: bool = True

    @property
    def path(self) -> Path:
        return assets.BENCHMARKS_DIR / self.relative_path


def _parse_math(name: str, row: dict[str, Any], line: int) -> BenchmarkRecord:
    level = row["level"]
    if isinstance(level, str):  # MATH writes "Level 3" ("Level ?" upstream for a few train items)
        digits = level.removeprefix("Level").strip()
        level = int(digits) if digits.isdigit() else None
    return BenchmarkRecord(
        benchmark=name,
        id=str(row["unique_id"] if "unique_id" in row else row["idx"]),
        problem=row["problem"],
        solution=row["solution"],
        answer=row["answer"],
        subject=row.get("type") or row.get("subject"),
        level=level,
    )


def _parse_gsm8k(name: str, row: dict[str, Any], line: int) -> BenchmarkRecord:
    rationale, sep, answer = row["answer"].rpartition("####")
    if not sep:
        raise ValueError("answer has no '#### N' final line")
    return BenchmarkRecord(
        benchmark=name,
        id=str(line),
        problem=row["question"],
        solution=rationale.rstrip(),
        answer=answer.strip(),
    )


def _parse_ocw(name: str, row: dict[str, Any], line: int) -> BenchmarkRecord:
    return BenchmarkRecord(
        benchmark=name,
        id=str(row["idx"]),
        problem=row["problem"],
        solution=row["solution"],
        answer=row["answer"],
        subject=row["type"],
    )


def _parse_mmlu(name: str, row: dict[str, Any], line: int) -> BenchmarkRecord:
    choices = tuple(row["choices"])
    if len(choices) != len(CHOICE_LETTERS):
        raise ValueError(f"expected {len(CHOICE_LETTERS)} choices, got {len(choices)}")
    return BenchmarkRecord(
        benchmark=name,
        id=str(line),
        problem=row["question"],
        answer=CHOICE_LETTERS[int(row["answer"])],
        subject=row["type"],
        choices=choices,
    )


_SAT_OPTION = re.compile(r"(?:^|\s)([A-D])[.)]\s")


def split_sat_options(options: str) -> tuple[str, ...]:
    """``"A) $x$ B) 2 C) 3 D) 4"`` (or ``A. ...``) -> ``("$x$", "2", "3", "4")``.

    The first ``A)``, then the first ``B)`` after it, and so on mark the options, so a capital letter
    inside an option's text ("data set A. ...") is not mistaken for a new option.
    """
    marks = []
    for mark in _SAT_OPTION.finditer(options):
        if len(marks) < len(CHOICE_LETTERS) and mark.group(1) == CHOICE_LETTERS[len(marks)]:
            marks.append(mark)
    if len(marks) != len(CHOICE_LETTERS):
        raise ValueError(f"options are not 'A) ... B) ... C) ... D) ...': {options!r}")
    ends = [m.start() for m in marks[1:]] + [len(options)]
    return tuple(options[m.end() : end].strip() for m, end in zip(marks, ends))


def _parse_sat(name: str, row: dict[str, Any], line: int) -> BenchmarkRecord:
    return BenchmarkRecord(
        benchmark=name,
        id=str(row["id"]),
        problem=row["question"],
        answer=row["Answer"].strip(),
        choices=split_sat_options(row["options"]),
        metadata={"options": row["options"]},
    )  # verbatim: the harness appends it as is


def _parse_minif2f(name: str, row: dict[str, Any], line: int) -> BenchmarkRecord:
    return BenchmarkRecord(
        benchmark=name,
        id=row["name"],
        problem=row["formal_statement"],
        split=row["split"],
        metadata={"header": row["header"], "file": row["file"]},
    )


def _parse_minif2f_llemma(name: str, row: dict[str, Any], line: int) -> BenchmarkRecord:
    return BenchmarkRecord(
        benchmark=name,
        id=row["full_name"],
        problem=row["statement"],
        split=row["split"],
        metadata={"url": row["url"], "commit": row["commit"], "file_path": row["file_path"]},
    )


BENCHMARKS: Registry[BenchmarkSpec] = Registry("benchmark")


def register_benchmark(spec: BenchmarkSpec) -> BenchmarkSpec:
    """Add a benchmark: loadable by name, and a decontamination target unless ``spec.decontaminate``
    is off."""
    return BENCHMARKS.register(spec.name, spec)


for _spec in (
    BenchmarkSpec("math", "math/test.jsonl", 5000, "MATH test split (7 subjects, levels 1-5)", _parse_math),
    # A subset of MATH: decontaminating against MATH covers it.
    BenchmarkSpec(
        "math500",
        "math500/test.jsonl",
        500,
        "PRM800K MATH500 subset of the MATH test split",
        _parse_math,
        decontaminate=False,
    ),
    BenchmarkSpec("gsm8k", "gsm8k/test.jsonl", 1319, "GSM8k test split", _parse_gsm8k),
    BenchmarkSpec("ocw", "ocw/test.jsonl", 272, "Minerva OCWCourses", _parse_ocw),
    BenchmarkSpec("mmlu_stem", "mmlu_stem/test.jsonl", 3018, "MMLU, Llemma's 18 STEM subjects", _parse_mmlu),
    BenchmarkSpec("sat", "sat_math/test.jsonl", 32, "SAT math, May 2023", _parse_sat),
    # Both miniF2F versions: statement text differs (Lean/Mathlib syntax changes); a corpus may hold either.
    BenchmarkSpec(
        "minif2f",
        "minif2f_lean4/minif2f.jsonl",
        488,
        "miniF2F Lean 4 test + valid (current Mathlib syntax)",
        _parse_minif2f,
    ),
    BenchmarkSpec(
        "minif2f_llemma",
        "minif2f_lean4/llemma_formal2formal_minif2f.jsonl",
        488,
        "miniF2F Lean 4 test + valid as Llemma's proof search ran it",
        _parse_minif2f_llemma,
    ),
):
    register_benchmark(_spec)


def benchmark_names() -> list[str]:
    """Names accepted by :func:`load_benchmark`, in registration order."""
    return BENCHMARKS.names()


def decontamination_targets() -> list[str]:
    """Every registered benchmark a training corpus is checked against, in registration order."""
    return [name for name, spec in BENCHMARKS.items() if spec.decontaminate]


def get_spec(name: str) -> BenchmarkSpec:
    """The registry entry of ``name``; an unknown name is an error that lists the known ones."""
    return BENCHMARKS.get(name)


def iter_benchmark(name: str, path: str | Path | None = None) -> Iterator[BenchmarkRecord]:
    """Stream the records of benchmark ``name`` from its vendored file, or ``path`` in the same schema."""
    spec = get_spec(name)
    source = Path(path) if path is not None else spec.path
    if not source.is_file():
        raise MathlmError(
            f"benchmark {name!r}: file not found: {source} (set MATHLM_EVAL_DATA to the folder "
            f"holding benchmarks/ if the data lives elsewhere)"
        )
    for line in iter_jsonl_lines(source):
        try:
            if line.record is None:
                raise ValueError(f"{line.reason}: {line.detail}")
            yield spec.parse(name, line.record, line.line - 1)
        except (ValueError, KeyError, TypeError, IndexError) as err:
            raise MathlmError(
                f"{line.where()}: not a valid {name} record "
                f"({type(err).__name__}: {err}); fix or re-vendor the file"
            ) from None


def load_benchmark(name: str, path: str | Path | None = None) -> list[BenchmarkRecord]:
    """All records of benchmark ``name`` (see :func:`iter_benchmark`)."""
    return list(iter_benchmark(name, path))
