"""The ``llemma`` scoring mode: answers read and compared the way the harness behind the Llemma paper's
table did, defects included, so that a model scored by mathlm can be set next to that table honestly.

The ``correct`` mode (:mod:`mathlm.eval.answers`) is what a careful grader accepts; this module is
deliberately not. What it reproduces (see ``/work/shared/reference/llemma-facts.md``):

- MATH and OCW: the text between "The final answer is" and ". I hope it is correct." (no line, no
  answer), compared by **string match after Minerva's normalization** (the pinned scorer returned
  right after its exact-match test; its SymPy step never ran). The normalization below follows the
  Minerva paper's published listing: keep what follows the last ``=``, apply its substitutions and
  removals, unwrap ``$``/``\\text``/``\\boxed``, repair ``\\fracab``/``\\sqrta``, drop commas of a
  plain integer.
- GSM8k: the first match of ``The answer is (\\d+)`` (so ``3.5`` reads as 3, ``3,000`` as 3, and a
  negative never matches), compared with the reference with its commas removed.
- MATH+Python: both the program's value and the reference cast with ``int()`` before comparing (any
  value with the right integer part counts).
- OCW numbers, GSM8k+Python values: compared as numbers (OCW with the task's relative tolerance);
  the facts list no defect there, so this mode and ``correct`` differ only in extraction.
- MMLU-STEM and SAT: the letter, as in ``correct``.
"""

from __future__ import annotations

import re

from mathlm.eval.answers import Unsupported, evaluate, normalize_final_answer, parse_expression

# The Minerva paper's normalization lists (Lewkowycz et al., 2022, appendix), as published.
SUBSTITUTIONS = [
    ("an ", ""),
    ("a ", ""),
    (".$", "$"),
    ("\\$", ""),
    ("\\ ", ""),
    (" ", ""),
    ("mbox", "text"),
    (",\\text{and}", ","),
    ("\\text{and}", ","),
    ("\\text{m}", "\\text{}"),
]
REMOVED_EXPRESSIONS = [
    "square",
    "ways",
    "integers",
    "dollars",
    "mph",
    "inches",
    "ft",
    "hours",
    "km",
    "units",
    "\\ldots",
    "sue",
    "points",
    "feet",
    "minutes",
    "digits",
    "cents",
    "degrees",
    "cm",
    "gm",
    "pounds",
    "meters",
    "meals",
    "edges",
    "students",
    "childrentickets",
    "multiples",
    "\\text{s}",
    "\\text{.}",
    "\\text{\ns}",
    "\\text{}^2",
    "\\text{}^3",
    "\\text{\n}",
    "\\text{}",
    "\\mathrm{th}",
    "^\\circ",
    "^{\\circ}",
    "\\;",
    ",\\!",
    "{,}",
    '"',
    "\\dots",
]

_MINERVA_FINAL = re.compile(r"The final answer is(.*?)\. ?I hope it is correct\.", re.DOTALL)
_GSM8K_HARNESS = re.compile(r"The answer is (\d+)")


def minerva_normalize(answer: str) -> str:
    """Minerva's final-answer normalization, step for step."""
    answer = answer.split("=")[-1]
    for before, after in SUBSTITUTIONS:
        answer = answer.replace(before, after)
    for expression in REMOVED_EXPRESSIONS:
        answer = answer.replace(expression, "")
    answer = re.sub(r"(.*?)(\$)(.*?)(\$)(.*)", "$\\3$", answer)
    answer = re.sub(r"(\\text\{)(.*?)(\})", "\\2", answer)
    answer = re.sub(r"(\\textbf\{)(.*?)(\})", "\\2", answer)
    answer = re.sub(r"(\\overline\{)(.*?)(\})", "\\2", answer)
    answer = re.sub(r"(\\boxed\{)(.*)(\})", "\\2", answer)
    answer = re.sub(r"(frac)([^{])(.)", "frac{\\2}{\\3}", answer)
    answer = re.sub(r"(sqrt)([^{])", "sqrt{\\2}", answer)
    answer = answer.replace("$", "")
    if answer.replace(",", "").isdigit():
        answer = answer.replace(",", "")
    return answer


def minerva_final_answer(generation: str) -> str | None:
    """The harness's MATH/OCW answer: between 'The final answer is' and '. I hope it is correct.'."""
    text = generation if "I hope it is correct." in generation else generation + "I hope it is correct."
    match = _MINERVA_FINAL.search(text)
    return match.group(1).strip() if match else None


def gsm8k_answer(generation: str) -> str | None:
    """The harness's GSM8k answer: the digits of the first 'The answer is N'."""
    match = _GSM8K_HARNESS.search(generation)
    return match.group(1) if match else None


def minerva_string_match(answer: str, reference: str) -> bool:
    return minerva_normalize(answer) == minerva_normalize(reference)


def gsm8k_match(answer: str, reference: str) -> bool:
    return answer == reference.replace(",", "").strip()


def int_cast_match(answer: str, reference: str) -> bool:
    """MATH+Python: ``int()`` of both values (so 2/3, 0.1 and 1/7 all match a reference of 2/3)."""
    left, right = _as_float(answer), _as_float(reference)
    return left is not None and right is not None and int(left) == int(right)


def _as_float(text: str) -> float | None:
    try:
        value = complex(evaluate(parse_expression(normalize_final_answer(text)), {}))
    except (Unsupported, KeyError, ValueError, OverflowError, ZeroDivisionError, TypeError, RecursionError):
        return None
    return value.real if abs(value.imag) < 1e-12 and abs(value.real) != float("inf") else None
