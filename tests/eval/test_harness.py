"""The ``llemma`` scoring mode reproduces the harness behind the paper's table, defects included."""

from __future__ import annotations

from mathlm.eval.harness import (
    gsm8k_answer,
    gsm8k_match,
    int_cast_match,
    minerva_final_answer,
    minerva_normalize,
    minerva_string_match,
)


def test_minerva_normalization_follows_the_published_steps() -> None:
    assert minerva_normalize("x = \\boxed{5}") == "5"
    assert minerva_normalize("\\$1,000") == "1000"
    assert minerva_normalize("\\frac12") == "\\frac{1}{2}"
    assert minerva_normalize("\\sqrt2") == "\\sqrt{2}"
    assert minerva_normalize("10 \\text{ inches}") == "10"
    assert minerva_normalize("90^\\circ") == "90"


def test_string_match_misses_what_only_equivalence_sees() -> None:
    assert minerva_string_match("\\frac{1}{2}", "\\frac12")
    assert not minerva_string_match("0.5", "\\frac{1}{2}")  # the SymPy step never ran
    assert not minerva_string_match("2, 1", "1, 2")


def test_final_answer_line_or_nothing() -> None:
    assert minerva_final_answer("...\nFinal Answer: The final answer is $7$. I hope it is correct.") == "$7$"
    assert minerva_final_answer("the answer is \\boxed{7}") is None


def test_gsm8k_regex_defects() -> None:
    assert gsm8k_answer("The answer is 3,000.") == "3"
    assert gsm8k_answer("The answer is 2.5.") == "2"
    assert gsm8k_answer("The answer is -4.") is None
    assert gsm8k_match("3000", "3,000") and not gsm8k_match("3", "3,000")


def test_int_casts_count_the_integer_part_only() -> None:
    assert int_cast_match("0.1", "\\frac{2}{3}") and int_cast_match("\\frac{1}{7}", "\\frac{2}{3}")
    assert int_cast_match("7.9", "7") and not int_cast_match("8", "7")
    assert not int_cast_match("x + 1", "7")  # not a number: the cast fails
