"""Tasks: prompts are the published few-shot prompts followed by the problem; extraction reads what
the published answer formats say; custom tasks come from YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mathlm.errors import MathlmError
from mathlm.eval.tasks import TASKS, get_task, load_prompt, stratified
from mathlm.eval.tasks.hooks import EXTRACTORS, choice_answer, gsm8k_answer, minerva_answer

PROMPT_FILES = {
    "math": "minerva_math_4shot",
    "gsm8k": "gsm8k_cot_8shot",
    "ocw": "minerva_ocw_4shot",
    "mmlu_stem": "minerva_mmlu_stem_sat_4shot",
    "sat": "minerva_mmlu_stem_sat_4shot",
    "math_python": "math_sympy_5shot",
}


@pytest.mark.parametrize("name", sorted(PROMPT_FILES))
def test_prompt_is_published_prompt_then_query(name: str) -> None:
    task = get_task(name)
    record = task.records(1)[0]
    prompt = task.prompt(record)
    assert prompt.startswith(load_prompt(PROMPT_FILES[name])["prompt_text"] + "\n\n")
    assert record.problem in prompt
    assert prompt.endswith(("Solution:", "A:", "```"))


def test_pal_prompt_fills_the_query_in_place() -> None:
    task = get_task("gsm8k_python")
    record = task.records(1)[0]
    prompt = task.prompt(record)
    assert prompt.endswith(f"Q: {record.problem}\n\n# solution in Python:")
    assert "{question}" not in prompt


def test_multiple_choice_query_lists_the_choices() -> None:
    record = get_task("mmlu_stem").records(1)[0]
    prompt = get_task("mmlu_stem").prompt(record)
    assert f"(A) {record.choices[0]}, (B) {record.choices[1]}" in prompt


def test_every_task_has_records_and_references() -> None:
    for name, task in TASKS.items():
        record = task.records(1)[0]
        assert task.reference(record), name


def test_extractors_read_the_published_formats() -> None:
    assert (
        minerva_answer("so $x=2$.\nFinal Answer: The final answer is $\\frac{1}{2}$. I hope it is correct.")
        == "$\\frac{1}{2}$"
    )
    assert minerva_answer("Final Answer: The final answer is $5$.") == "$5$"  # cut at the stop sequence
    assert gsm8k_answer("5 + 3 = 8. The answer is 1,208.") == "1208"
    assert gsm8k_answer("So she lost money. The answer is -3.5.") == "-3.5"
    assert gsm8k_answer("no answer here") is None
    assert choice_answer("...\nFinal Answer: The final answer is (C). I hope it is correct.") == "C"


def test_missing_final_answer_line_is_invalid_unless_the_boxed_fallback_is_on() -> None:
    """The harness scored a MATH sample without the 'Final Answer' line as invalid; so do we by default."""
    generation = "so the answer is \\boxed{7}."
    assert get_task("math").extract(generation) is None
    assert minerva_answer(generation, boxed_fallback=True) == "7"


def test_harness_reading_differs_where_the_harness_had_defects() -> None:
    gsm8k = get_task("gsm8k")
    assert gsm8k.extract("The answer is 3,000.") == "3000"
    assert gsm8k.harness_extract("The answer is 3,000.") == "3"  # `The answer is (\\d+)`
    assert gsm8k.harness_extract("The answer is -5.") is None
    math_python = get_task("math_python")
    assert math_python.harness_same("0.1", "\\frac{2}{3}", lambda a, b: False)  # int() casts: 0 == 0
    assert get_task("math").harness_same("0.5", "\\frac{1}{2}", lambda a, b: True) is False  # string match


def test_limit_spreads_over_the_subjects() -> None:
    records = get_task("math").records(14)
    subjects = [record.subject for record in records]
    assert len(set(subjects)) == 7 and all(subjects.count(s) == 2 for s in set(subjects))
    assert [int(r.id) for r in records] == sorted(int(r.id) for r in records)  # still in file order
    assert stratified(get_task("gsm8k").records(), 3) == get_task("gsm8k").records()[:3]


def test_sat_options_are_appended_verbatim() -> None:
    import json

    from mathlm.assets import BENCHMARKS_DIR

    raw = json.loads((BENCHMARKS_DIR / "sat_math" / "test.jsonl").open().readline())
    task = get_task("sat")
    assert task.prompt(task.records(1)[0]).endswith(raw["options"] + "\nSolution:")


def test_hooks_are_named_in_a_registry() -> None:
    assert {"minerva", "gsm8k", "choice", "regex", "last_boxed", "program"} <= set(EXTRACTORS.names())
    with pytest.raises(MathlmError, match="unknown extract hook 'nope'"):
        EXTRACTORS.get("nope")


def test_math_python_program_gets_its_imports() -> None:
    task = get_task("math_python")
    generation = (
        "\nfrom_value = 3\nanswer = Rational(1, 2) * from_value\n```\nThe imports required for this "
        "program are\n```\nfrom sympy import Rational\n```\n"
    )
    program = task.program(generation)
    assert program.startswith("from sympy import Rational\n\n")
    assert "answer = Rational(1, 2) * from_value" in program


def test_custom_task_from_yaml(tmp_path: Path) -> None:
    (tmp_path / "data.jsonl").write_text(
        json.dumps({"q": "What is 2+2?", "a": "4", "uid": "x1"})
        + "\n"
        + json.dumps({"q": "1+1?", "a": "2"})
        + "\n"
    )
    (tmp_path / "task.yaml").write_text(
        "name: toy\ndata: data.jsonl\nproblem_field: q\nanswer_field: a\nid_field: uid\n"
        "prompt: \"Question: {problem}\\nAnswer:\"\nextract: {name: regex, options: {pattern: 'Answer: (\\S+)'}}\n"
        'stop: ["\\n"]\n'
    )
    task = get_task(str(tmp_path / "task.yaml"))
    records = task.records()
    assert [r.id for r in records] == ["x1", "1"]
    assert task.prompt(records[0]) == "Question: What is 2+2?\nAnswer:"
    assert task.extract("Answer: 4") == "4"
    assert task.stop == ("\n",)


def test_custom_task_errors_name_the_problem(tmp_path: Path) -> None:
    (tmp_path / "task.yaml").write_text("name: toy\nprompt: '{problem}'\n")
    with pytest.raises(MathlmError, match="exactly one of 'benchmark' or 'data'"):
        get_task(str(tmp_path / "task.yaml"))
    (tmp_path / "bad.jsonl").write_text('{"problem": "x"}\n')
    (tmp_path / "task2.yaml").write_text("name: toy\ndata: bad.jsonl\nprompt: '{problem}'\n")
    with pytest.raises(MathlmError, match="bad.jsonl:1"):
        get_task(str(tmp_path / "task2.yaml")).records()
    with pytest.raises(MathlmError, match="unknown task 'nope'"):
        get_task("nope")


@pytest.mark.parametrize(
    ("task_name", "prompt_file"),
    [
        ("math", "minerva_math_4shot"),
        ("ocw", "minerva_ocw_4shot"),
        ("gsm8k", "gsm8k_cot_8shot"),
        ("mmlu_stem", "minerva_mmlu_stem_sat_4shot"),
    ],
)
def test_published_exemplar_solutions_score_as_right(task_name: str, prompt_file: str) -> None:
    """The few-shot targets are solutions in exactly the format the model imitates: each one, cut at the
    task's stop string as a generation would be, must give its own answer in both scoring modes."""
    from mathlm.eval.answers import AnswerChecker

    task = get_task(task_name)
    with AnswerChecker(use_sympy=False) as checker:
        same = checker.with_tolerance(task.tolerance).equivalent
        for exemplar in load_prompt(prompt_file)["exemplars"]:
            generation = (
                exemplar["target"].split(task.stop[0])[0] if task.stop[0] != "\n\n" else exemplar["target"]
            )
            answer = task.extract(generation)
            reference = exemplar["answer"]
            if task.scorer == "choice":
                assert answer == reference
                continue
            assert answer is not None and same(answer, reference), (answer, reference)
            harness_answer = task.harness_extract(generation)
            assert harness_answer is not None and task.harness_same(harness_answer, reference, same)
