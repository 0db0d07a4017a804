"""The vendored test sets load into typed records with the counts mathlm/assets/README.md documents."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from mathlm.benchmarks import BENCHMARKS, benchmark_names, load_benchmark
from mathlm.benchmarks.specs import split_sat_options
from mathlm.errors import MathlmError

# mathlm/assets/README.md: rows per file.
DOCUMENTED_COUNTS = {
    "math": 5000,
    "math500": 500,
    "gsm8k": 1319,
    "ocw": 272,
    "mmlu_stem": 3018,
    "sat": 32,
    "minif2f": 488,
    "minif2f_llemma": 488,
}


@pytest.mark.parametrize("name", sorted(DOCUMENTED_COUNTS))
def test_every_benchmark_yields_its_documented_count_with_unique_ids(name: str) -> None:
    records = load_benchmark(name)
    assert len(records) == DOCUMENTED_COUNTS[name] == BENCHMARKS.get(name).count
    assert len({r.id for r in records}) == len(records)
    assert all(r.benchmark == name and r.problem.strip() for r in records)


def test_registry_lists_every_vendored_benchmark() -> None:
    assert benchmark_names() == list(DOCUMENTED_COUNTS)


def test_math_subjects_levels_and_answers_match_the_readme() -> None:
    records = load_benchmark("math")
    assert Counter(r.subject for r in records) == {
        "Algebra": 1187,
        "Intermediate Algebra": 903,
        "Prealgebra": 871,
        "Precalculus": 546,
        "Number Theory": 540,
        "Geometry": 479,
        "Counting & Probability": 474,
    }
    assert Counter(r.level for r in records) == {1: 437, 2: 894, 3: 1131, 4: 1214, 5: 1324}
    first = records[0]
    assert (first.id, first.answer, first.level) == ("0", "2", 3)
    assert first.problem.startswith("How many vertical asymptotes")
    assert all(r.answer and r.solution for r in records)


def test_math500_records_are_math_problems_with_prm800k_ids() -> None:
    math_problems = {r.problem: r for r in load_benchmark("math")}
    subset = load_benchmark("math500")
    assert subset[0].id == "test/precalculus/807.json"
    assert all(r.problem in math_problems and math_problems[r.problem].solution == r.solution for r in subset)
    assert all(isinstance(r.level, int) and 1 <= r.level <= 5 for r in subset)


def test_gsm8k_separates_rationale_and_final_answer() -> None:
    records = load_benchmark("gsm8k")
    first = records[0]
    assert first.id == "0" and first.answer == "18"
    assert first.problem.startswith("Janet’s ducks lay 16 eggs")
    assert "####" not in first.solution and first.solution.endswith("every day at the farmer’s market.")
    assert all(
        "####" not in r.solution and r.answer.replace(",", "").lstrip("-").replace(".", "").isdigit()
        for r in records
    )


def test_multiple_choice_answers_are_letters_with_four_choices() -> None:
    mmlu = load_benchmark("mmlu_stem")
    sat = load_benchmark("sat")
    assert {r.answer for r in mmlu} == set("ABCD") and {r.answer for r in sat} <= set("ABCD")
    assert all(len(r.choices) == 4 and all(c.strip() for c in r.choices) for r in mmlu + sat)
    assert mmlu[0].answer == "C" and mmlu[0].subject == "college_biology"
    assert len({r.subject for r in mmlu}) == 18
    assert Counter(r.subject for r in mmlu)["elementary_mathematics"] == 378
    assert sat[0].choices == ("$f(-6)=0$", "$f(6)=-6$", "$f(-6)=6$", "$f(0)=-6$")


def test_sat_options_with_periods_and_capital_letters_inside_options() -> None:
    assert split_sat_options("A. 1,190 B. 1,900 C. 2,900 D. 19,000") == ("1,190", "1,900", "2,900", "19,000")
    options = (
        "A) The median of data set A is greater B) The median of data set A is less "
        "C) The medians of data sets A and B are equal D) Not enough information"
    )
    assert split_sat_options(options)[2] == "The medians of data sets A and B are equal"
    with pytest.raises(ValueError, match="A\\) ... B\\)"):
        split_sat_options("A) 1 B) 2 C) 3")


def test_ocw_and_minif2f_fields() -> None:
    ocw = load_benchmark("ocw")
    assert ocw[0].answer == "1.6" and ocw[0].subject == "Introduction to Astronomy (8.282J Spring 2006)"
    minif2f = load_benchmark("minif2f")
    assert Counter(r.split for r in minif2f) == {"test": 244, "valid": 244}
    assert minif2f[0].id == "aime_1983_p1" and minif2f[0].problem.startswith("theorem aime_1983_p1")
    assert minif2f[0].metadata["header"].startswith("import Mathlib")
    llemma = load_benchmark("minif2f_llemma")
    assert Counter(r.split for r in llemma) == {"test": 244, "valid": 244}


def test_texts_for_overlap_include_choices_and_skip_missing_fields() -> None:
    mmlu = load_benchmark("mmlu_stem")[0]
    texts = mmlu.texts("both")
    assert list(texts) == ["problem"]
    assert mmlu.choices[3] in texts["problem"] and texts["problem"].startswith(mmlu.problem)
    math = load_benchmark("math")[0]
    assert math.texts("solution") == {"solution": math.solution}
    assert set(math.texts("both")) == {"problem", "solution"}


def test_unknown_benchmark_names_the_known_ones() -> None:
    with pytest.raises(MathlmError, match="unknown benchmark 'math5'.*gsm8k"):
        load_benchmark("math5")


def test_malformed_line_is_an_error_naming_file_and_line(tmp_path) -> None:
    path = tmp_path / "gsm8k.jsonl"
    rows = [
        {"question": "What is 1 + 1?", "answer": "1 + 1 = 2\n#### 2"},
        {"question": "No answer line", "answer": "2"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(MathlmError, match=f"{path}:2: not a valid gsm8k record.*####"):
        load_benchmark("gsm8k", path)
    path.write_text(json.dumps(rows[0]) + "\n{truncated\n", encoding="utf-8")
    with pytest.raises(MathlmError, match=f"{path}:2"):
        load_benchmark("gsm8k", path)


def test_missing_file_says_how_to_point_at_the_data(tmp_path) -> None:
    with pytest.raises(MathlmError, match="file not found.*MATHLM_EVAL_DATA"):
        load_benchmark("math", tmp_path / "absent.jsonl")


def test_a_newly_registered_benchmark_is_a_decontamination_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registering a benchmark is all it takes: no second list to edit for decontamination to check it."""
    from datatrove.data import Document

    from mathlm.benchmarks import BenchmarkRecord, BenchmarkSpec, register_benchmark
    from mathlm.proof_pile_2.decontamination import BenchmarkDecontaminationFilter, DecontaminationConfig

    monkeypatch.setattr(
        BENCHMARKS, "_entries", dict(BENCHMARKS._entries)
    )  # the registration ends with the test
    problem = (
        "A lighthouse keeper counts seventeen ships before noon and twice as many after noon; how many ships?"
    )
    path = tmp_path / "harbour.jsonl"
    path.write_text(json.dumps({"q": problem}) + "\n", encoding="utf-8")
    register_benchmark(
        BenchmarkSpec(
            "harbour",
            str(path),
            1,
            "a test set registered by a test",
            lambda name, row, line: BenchmarkRecord(name, str(line), row["q"]),
        )
    )

    config = DecontaminationConfig()
    assert "harbour" in config.targets() and "math500" not in config.targets()  # math500 opts out (in MATH)
    step = BenchmarkDecontaminationFilter(config)
    page = Document(text=f"Puzzle of the day. {problem} Answer: fifty-one.", id="page")
    clean = Document(
        text="Nothing from any test set is quoted on this page about lighthouses at all.", id="clean"
    )
    assert step.filter_batch([page, clean]) == [(False, "contaminated:harbour"), True]
    assert (
        "harbour" not in DecontaminationConfig(exclude=["harbour"]).targets()
    )  # a config may still exclude it
