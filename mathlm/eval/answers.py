"""Answer extraction and equivalence for math benchmarks.

Deciding whether a model's final answer equals the reference is the part of math evaluation that
is easiest to get silently wrong (the scorer pinned by the Llemma harness returned ``False`` right
after its exact-match test and never reached its SymPy check). The checker here works in layers,
cheapest first, and every layer is bounded in time:

1. **Normalization** in the spirit of Minerva: ``\\boxed``/``$``/``\\text`` unwrapped (several boxes
   in one answer are read as a list), units, degrees, percent signs and trailing words dropped, digit
   grouping (``3,\\!250``, ``8{,}880``, ``1\\,000``, ``1 000``) joined into one number,
   ``\\frac12``/``\\sqrt2`` repaired, a name on the left (``x =``, ``(p,q) =``, ``|AB| =``,
   ``V_1:V_2 =``, ``x \\approx``, ``x \\in``) dropped; equal strings are equal answers.
2. **Structure**: multiple-choice letters (strict: ``A, C`` or ``2B`` is not ``C``/``B``), unordered
   solution lists and sets (``\\pm``, ``or``, ``;``, duplicates), ordered tuples, ratios, intervals
   (and unions), inequalities either way round and inequality chains (as intervals), matrices;
   compared item by item.
3. **Exact and numeric evaluation** by our own LaTeX expression parser: rationals stay exact
   (``0.5 == \\frac{1}{2}``, repeating decimals, mixed numbers, ``4.5e33``), radicals, ``\\pi``,
   ``e``, ``i``, trig and logs are evaluated numerically; expressions with variables are compared at
   several random rational points (exact for polynomials and rational functions). How close numbers
   must be is a :class:`Tolerance`, set per task: exact for MATH (a decimal written to 6+ significant
   digits still matches the exact value it rounds from), relative for OCW as in the Minerva protocol.
4. **SymPy**, for what the parser cannot evaluate (integrals, huge powers, unusual notation):
   ``simplify(a - b) == 0`` in pre-started worker processes with a hard per-call deadline: a call
   returns within its timeout (the worker is killed and replaced in the background, never inside
   the call) with the verdict ``unknown``, which scores as not equal.

Use :func:`is_equivalent` for one-off checks, or an :class:`AnswerChecker` (which keeps SymPy
worker processes warm) for many.
"""

from __future__ import annotations

import cmath
import copy
import math
import queue
import re
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any, Literal, Self

from mathlm.eval.workers import JsonLineWorker, WorkerStartError

# --------------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------------


def last_boxed(text: str) -> str | None:
    """Content of the last ``\\boxed{...}`` (or ``\\fbox{...}``, ``\\boxed 5``) in ``text``, else None."""
    start = max(text.rfind("\\boxed"), text.rfind("\\fbox"))
    if start < 0:
        return None
    rest = text[start:]
    brace = rest.find("{")
    command_end = 6 if rest.startswith("\\boxed") else 5
    if brace < 0 or rest[command_end:brace].strip():
        match = re.match(r"\\(?:boxed|fbox)\s+([^\s$]+)", rest)
        return match.group(1) if match else None
    content = _braced(rest, brace)
    return None if content is None else content[0]


def all_boxed(text: str) -> list[tuple[int, int, str]]:
    """Every outermost ``\\boxed{...}`` / ``\\fbox{...}`` in ``text`` as (start, end, content), in order."""
    found: list[tuple[int, int, str]] = []
    for match in re.finditer(r"\\(?:boxed|fbox)\s*\{", text):
        if found and match.start() < found[-1][1]:
            continue  # a box inside the previous box
        inner = _braced(text, match.end() - 1)
        if inner is not None:
            found.append((match.start(), inner[1], inner[0]))
    return found


def _braced(text: str, open_index: int) -> tuple[str, int] | None:
    """The text inside the brace group opening at ``open_index`` and the index after its close."""
    depth = 0
    for index in range(open_index, len(text)):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in "{}":
            continue
        if char == "{" and (index == 0 or text[index - 1] != "\\"):
            depth += 1
        elif char == "}" and (index == 0 or text[index - 1] != "\\"):
            depth -= 1
            if depth == 0:
                return text[open_index + 1 : index], index + 1
    return None


# --------------------------------------------------------------------------------------------------
# Normalization
# --------------------------------------------------------------------------------------------------

# Words that name a unit or the kind of thing counted; dropped after a number ("5 cm", "12 ways").
UNIT_WORDS = frozenset(
    [
        "unit",
        "units",
        "sq",
        "square",
        "squared",
        "cubic",
        "cube",
        "degree",
        "degrees",
        "deg",
        "radian",
        "radians",
        "rad",
        "percent",
        "mm",
        "cm",
        "m",
        "km",
        "in",
        "inch",
        "inches",
        "ft",
        "foot",
        "feet",
        "yd",
        "yard",
        "yards",
        "mi",
        "mile",
        "miles",
        "meter",
        "meters",
        "metre",
        "metres",
        "centimeter",
        "centimeters",
        "kilometer",
        "kilometers",
        "millimeter",
        "millimeters",
        "g",
        "gm",
        "gram",
        "grams",
        "kg",
        "kilogram",
        "kilograms",
        "lb",
        "lbs",
        "pound",
        "pounds",
        "oz",
        "ounce",
        "ounces",
        "ton",
        "tons",
        "ml",
        "l",
        "liter",
        "liters",
        "litre",
        "litres",
        "gallon",
        "gallons",
        "quart",
        "quarts",
        "cup",
        "cups",
        "s",
        "sec",
        "second",
        "seconds",
        "min",
        "minute",
        "minutes",
        "h",
        "hr",
        "hrs",
        "hour",
        "hours",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "mph",
        "kmh",
        "dollar",
        "dollars",
        "cent",
        "cents",
        "euro",
        "euros",
        "way",
        "ways",
        "integer",
        "integers",
        "number",
        "numbers",
        "digit",
        "digits",
        "point",
        "points",
        "people",
        "person",
        "student",
        "students",
        "child",
        "children",
        "term",
        "terms",
        "time",
        "times",
        "item",
        "items",
        "piece",
        "pieces",
    ]
)

# Digit grouping inside one number, joined before spacing commands become spaces (`3,\!250` must
# not turn into the list `3, 250`): `,\!` between digits (any group size: `56,\!01,\!78`), `{,}`
# and thin spaces before a group of exactly three digits.
_DIGIT_GROUPING = (
    re.compile(r"(?<=\d),\\!\s*(?=\d)"),
    re.compile(r"(?<=\d)\{,\}(?=\d{3}(?!\d))"),
    re.compile(r"(?<=\d)(?:\\[,:;! ]|~|\\thinspace\s*)(?=\d{3}(?!\d))"),
)
_SPACE_GROUPED = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d.]|\s*/)")
_SPACING = re.compile(r"(?<!\\)\\[,;:! ]|\\q?quad|~|\\displaystyle|\\textstyle|\\scriptstyle|\\thinspace")
_SIZING = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)[lr]?(?![a-zA-Z])\s*")
_DEGREES = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|°|\\degree")
_TEXT_COMMANDS = (
    "\\text",
    "\\textbf",
    "\\textit",
    "\\textrm",
    "\\mathrm",
    "\\mathbf",
    "\\mbox",
    "\\mathit",
    "\\operatorname",
    "\\textnormal",
)
# Words in a text command at the very end of a quantity: "162\text{ minutes}", "9\text{ a.m.}".
_TRAILING_TEXT = re.compile(
    r"\\(?:text|textrm|textit|textbf|mbox|mathrm|textnormal)\s*\{\s*([A-Za-z][A-Za-z.\s'-]*)\}"
    r"(?:\s*\^\s*\{?[23]\}?)?\s*\.?\s*$"
)
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+)(?![\d,])")
_CHOICE = re.compile(r"^\(?([A-E])\)?[.:]?$")
_PERCENT = re.compile(r"\\?%|\bpercent\b")
_BOX_GLUE = re.compile(
    r"(?:\s|,|;|\$|\\quad|\\qquad|\\[,;:! ]|\\text\s*\{\s*(?:and|or|,)?\s*\}|\band\b|\bor\b)*"
)
_RELATION_WORDS = (("\\approx", "="), ("\\simeq", "="), ("≈", "="), ("\\doteq", "="))
# Symbols models write in Unicode, as the LaTeX the rest of the checker reads.
_UNICODE = (
    ("π", "\\pi "),
    ("∞", "\\infty "),
    ("√", "\\sqrt"),
    ("×", "\\times "),
    ("·", "\\cdot "),
    ("−", "-"),
    ("–", "-"),
    ("÷", "\\div "),
    ("∪", "\\cup "),
    ("∅", "\\emptyset "),
    ("≤", "\\le "),
    ("≥", "\\ge "),
)
# Whole answers that name a set: all reals as an interval, the empty set in one spelling.
_NAMED_SETS = (
    (
        re.compile(
            r"^(?:\\mathbb\s*\{?R\}?|\\R|all real numbers|all reals|\(-\\infty,\s*\\infty\))$", re.IGNORECASE
        ),
        "(-\\infty, \\infty)",
    ),
    (re.compile(r"^(?:\\emptyset|\\varnothing|\\\{\s*\\\}|\{\s*\})$"), "\\emptyset"),
)
_CODE_FUNCTIONS = re.compile(
    r"(?<![\\A-Za-z])(?:np\.|math\.)?(arcsin|arccos|arctan|sin|cos|tan|exp|ln|log|sqrt)(?=\s*[({])"
)


def normalize_final_answer(answer: str) -> str:
    """Canonical string form of a final answer (a stricter cousin of Minerva's normalization)."""
    text = answer.strip().replace("\\$", "").replace("$", "")
    for before, after in _UNICODE:
        text = text.replace(before, after)
    text = re.sub(r"^\\\(|\\\)$|^\\\[|\\\]$", "", text.strip()).strip()
    text = _unbox(text)
    for grouping in _DIGIT_GROUPING:
        text = grouping.sub("", text)
    text = _SPACING.sub(" ", text)
    text = _SIZING.sub("", text)
    text = text.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\cfrac", "\\frac")
    text = _DEGREES.sub("", text)
    # "0.333..." is a decimal cut short: keep that as a trailing "…" (compared by Tolerance.approximates)
    text = re.sub(r"(\d*\.\d+)\s*(?:\.\.\.+|\\ldots|\\dots|\\cdots|…)", "\\1…", text)
    text = text.replace("\\%", "").replace("%", "").replace("\\dots", "").replace("\\ldots", "")
    text = _keep_exact_side(text)
    for before, after in _RELATION_WORDS:
        text = text.replace(before, after)
    text = re.sub(r"\*\*\s*(-?\d+(?:\.\d+)?)", r"^{\1}", text).replace("**", "^")  # Python's power
    text = re.sub(r"(?<![\\A-Za-z])pi(?![A-Za-z])", r"\\pi ", text)
    text = _drop_trailing_text(text.strip())
    text = _unwrap_text_commands(text)
    text = _CODE_FUNCTIONS.sub(r"\\\1", text)
    text = _fix_shorthand(text)
    text = _THOUSANDS.sub(lambda m: m.group(1).replace(",", ""), text)
    text = text.replace("{,}", ",")
    text = re.sub(r"\s+", " ", text).strip().rstrip(".").strip()
    text = _SPACE_GROUPED.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = re.sub(r"^(?:=\s*)+", "", text)  # "\approx 11" left "= 11"
    text = _drop_units(text)
    text = re.sub(r"\\mathbb\s*\{?R\}?(?![A-Za-z])", lambda m: "(-\\infty, \\infty)", text)
    for pattern, name in _NAMED_SETS:
        if pattern.match(text):
            return name
    return text


def _keep_exact_side(text: str) -> str:
    """``5\\sqrt{2} \\approx 7.07`` states the exact value and a rounding of it: keep the exact side
    (``x \\approx 11`` keeps 11: a name on the left is no value)."""
    sides = re.split(r"\\approx|≈", text)
    if (
        len(sides) == 2
        and sides[0].strip()
        and not _is_label(sides[0].strip())
        and re.fullmatch(r"\s*-?\d*\.?\d+\s*", sides[1])
    ):
        return sides[0].strip()
    return text


def has_percent(answer: str) -> bool:
    """Whether an answer is stated in percent (``20\\%``, ``20 percent``)."""
    return bool(_PERCENT.search(answer))


def _unbox(text: str) -> str:
    """The boxed part of an answer; several boxes separated only by commas/'and' form a list."""
    boxes = all_boxed(text)
    if not boxes:
        boxed = last_boxed(text)  # "\boxed 5"
        return text if boxed is None else boxed
    if len(boxes) > 1:
        gaps = [text[boxes[i][1] : boxes[i + 1][0]] for i in range(len(boxes) - 1)]
        if all(_BOX_GLUE.fullmatch(gap) for gap in gaps):
            return ", ".join(content for _, _, content in boxes)
    return boxes[-1][2]


def _drop_trailing_text(text: str) -> str:
    """Words in a text command after a quantity are units or nouns: '162\\text{ minutes}' -> '162'."""
    while (match := _TRAILING_TEXT.search(text)) and re.search(r"[\d}]", text[: match.start()]):
        text = text[: match.start()].rstrip()
    return text


def _unwrap_text_commands(text: str) -> str:
    """``\\text{cm}`` -> `` cm``: keep the words (units are dropped later), lose the command."""
    for command in _TEXT_COMMANDS:
        pattern = re.compile(re.escape(command) + r"\s*\{")
        while True:
            match = pattern.search(text)
            if not match:
                break
            start = match.start()
            inner = _braced(text, match.end() - 1)
            if inner is None:
                break
            text = f"{text[:start]} {inner[0]} {text[inner[1] :]}"
    return text


def _fix_shorthand(text: str) -> str:
    """``\\frac12`` -> ``\\frac{1}{2}``, ``\\frac1b``, ``\\sqrt2`` -> ``\\sqrt{2}`` (as Minerva does)."""
    text = re.sub(r"\\frac\s*(\w)\s*(\w)", r"\\frac{\1}{\2}", text)
    text = re.sub(r"\\frac\s*(\w)\s*\{", r"\\frac{\1}{", text)
    text = re.sub(r"\\frac\s*(\{[^{}]*\})\s*(\w)", r"\\frac\1{\2}", text)
    text = re.sub(r"\\sqrt\s*(\d+)", r"\\sqrt{\1}", text)  # \sqrt10 is meant as the root of 10
    return re.sub(r"\\sqrt\s*([A-Za-z])", r"\\sqrt{\1}", text)


def _drop_units(text: str) -> str:
    """Remove trailing unit words after a quantity: '5 cm^2' -> '5', '12 ways' -> '12', '3 m/s' -> '3'."""
    words = re.compile(r"\s+([A-Za-z]+)(?:\s*/\s*([A-Za-z]+))?(?:\s*\^\s*\{?-?[123]\}?)?\s*$")
    while True:
        match = words.search(text)
        if not match or not all(word.lower() in UNIT_WORDS for word in match.groups() if word):
            return text
        before = text[: match.start()]
        # after a quantity ('5', '3\pi', '\frac{1}{2}'), not after an operator ('1 + bs + s^2')
        if not re.search(r"\d", before) or not re.search(r"[\w})]$", before):
            return text
        text = text[: match.start()]


# --------------------------------------------------------------------------------------------------
# Structure: lists, sets, tuples, ratios, intervals, inequalities, matrices
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    """Several values: ``ordered`` for tuples, ratios and intervals, with the brackets that matter."""

    kind: Literal["list", "set", "tuple", "interval", "union", "ratio"]
    items: tuple[object, ...]
    brackets: str = ""


@dataclass(frozen=True)
class Matrix:
    rows: tuple[tuple[str, ...], ...]


def _split_top_level(text: str, separators: Iterable[str]) -> list[str]:
    """Split on separators that are not inside any brackets."""
    parts, depth, start, index = [], 0, 0, 0
    separators = sorted(separators, key=len, reverse=True)
    while index < len(text):
        char = text[index]
        if text.startswith(("\\{", "\\}"), index):
            depth += 1 if text[index + 1] == "{" else -1
            index += 2
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0:
            for sep in separators:
                if text.startswith(sep, index):
                    parts.append(text[start:index])
                    index += len(sep)
                    start = index
                    break
            else:
                index += 1
                continue
            continue
        index += 1
    parts.append(text[start:])
    return [part.strip() for part in parts]


def _outer_brackets(text: str) -> tuple[str, str, str] | None:
    """``(a, b]`` -> ('(', 'a, b', ']') when one bracket pair encloses the whole text."""
    pairs = {"(": ")]", "[": ")]", "\\{": "\\}", "\\langle": "\\rangle", "{": "}"}
    for opener, closers in pairs.items():
        if not text.startswith(opener):
            continue
        for closer in [closers] if opener in ("\\{", "\\langle", "{") else list(closers):
            if text.endswith(closer) and _balanced_inside(text[len(opener) : len(text) - len(closer)]):
                return opener, text[len(opener) : len(text) - len(closer)], closer
    return None


def _balanced_inside(text: str) -> bool:
    depth = 0
    for char in text:
        depth += 1 if char in "([{" else -1 if char in ")]}" else 0
        if depth < 0:
            return False
    return depth == 0


_RELATION = re.compile(
    r"\\leqslant|\\geqslant|\\leq|\\geq|\\le(?![a-z])|\\ge(?![a-z])|\\lt|\\gt|<=|>=|=<|≤|≥|<|>"
)
_RELATION_KIND = {
    "\\leqslant": "<=",
    "\\leq": "<=",
    "\\le": "<=",
    "<=": "<=",
    "=<": "<=",
    "≤": "<=",
    "\\geqslant": ">=",
    "\\geq": ">=",
    "\\ge": ">=",
    ">=": ">=",
    "≥": ">=",
    "\\lt": "<",
    "<": "<",
    "\\gt": ">",
    ">": ">",
}
_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}
_VARIABLE = re.compile(r"[a-zA-Z](?:_\{?\w+\}?)?")


def _inequality_as_interval(text: str) -> Collection | None:
    """``x > 3``, ``3 < x``, ``-x > -1``, ``2x + 1 \\le 7`` and chains ``2 \\le x < 5`` as intervals."""
    parts = _RELATION.split(text)
    if len(parts) not in (2, 3):
        return None
    operators = [_RELATION_KIND[op] for op in _RELATION.findall(text)]
    exprs = [part.strip() for part in parts]
    if not all(exprs):
        return None
    if len(exprs) == 2:
        return _one_sided(exprs[0], operators[0], exprs[1])
    low, middle, high = exprs
    if not _VARIABLE.fullmatch(middle) or _has_variables(low) or _has_variables(high):
        return None
    if all(op in ("<", "<=") for op in operators):
        brackets = ("[" if operators[0] == "<=" else "(") + ("]" if operators[1] == "<=" else ")")
        return Collection("interval", (low, high), brackets)
    if all(op in (">", ">=") for op in operators):
        brackets = ("[" if operators[1] == ">=" else "(") + ("]" if operators[0] == ">=" else ")")
        return Collection("interval", (high, low), brackets)
    return None


def _both_bounds(text: str) -> Collection | None:
    """``x > 1 and x \\le 2``: a lower and an upper bound together are one interval (1, 2]."""
    parts = _split_top_level(text, [" and ", "\\land", "\\wedge"])
    if len(parts) != 2 or len({frozenset(re.findall(r"(?<!\\)\b[a-zA-Z]\b", part)) for part in parts}) != 1:
        return None  # two bounds on one variable
    intervals = [_inequality_as_interval(part) for part in parts]
    if not all(intervals):
        return None
    lower = next((i for i in intervals if i and i.items[1] == "\\infty"), None)
    upper = next((i for i in intervals if i and i.items[0] == "-\\infty"), None)
    if lower is None or upper is None or lower is upper:
        return None
    return Collection("interval", (lower.items[0], upper.items[1]), lower.brackets[0] + upper.brackets[1])


def _excluded_point(text: str) -> Collection | None:
    """``x \\neq 2`` (and ``\\mathbb{R} \\setminus \\{2\\}``): every real but one, as two open intervals."""
    match = re.fullmatch(r"([a-zA-Z])\s*(?:\\neq|\\ne|!=|≠)\s*(.+)", text) or re.fullmatch(
        r"\(-\\infty,\s*\\infty\)\s*\\setminus\s*\\\{(.+)\\\}", text
    )
    if match is None:
        return None
    point = match.group(match.lastindex or 1).strip()
    if _has_variables(point):
        return None
    return Collection(
        "union",
        (Collection("interval", ("-\\infty", point), "()"), Collection("interval", (point, "\\infty"), "()")),
    )


def _one_sided(left: str, op: str, right: str) -> Collection | None:
    """``left op right`` with one variable, linear in it, solved for the variable."""
    if _VARIABLE.fullmatch(left) and not _has_variables(right):
        bound = right
    elif _VARIABLE.fullmatch(right) and not _has_variables(left):
        bound, op = left, _FLIPPED[op]
    else:
        solved = _solve_linear(left, right)
        if solved is None:
            return None
        bound, slope_negative = solved
        op = _FLIPPED[op] if slope_negative else op
    if op in ("<", "<="):
        return Collection("interval", ("-\\infty", bound), "(" + ("]" if op == "<=" else ")"))
    return Collection("interval", (bound, "\\infty"), ("[" if op == ">=" else "(") + ")")


def _solve_linear(left: str, right: str) -> tuple[str, bool] | None:
    """Root of ``left - right`` when it is linear in its one variable with rational coefficients."""
    try:
        tree = parse_expression(f"{left}-({right})")
    except Unsupported:
        return None
    names = variables(tree)
    if len(names) != 1:
        return None
    name = next(iter(names))
    try:
        values = [evaluate(tree, {name: Fraction(x)}) for x in (0, 1, 2)]
    except (Unsupported, ZeroDivisionError, KeyError, ValueError, OverflowError, TypeError):
        return None
    if not all(isinstance(v, Fraction) for v in values):
        return None
    slope = values[1] - values[0]
    if slope == 0 or values[2] - values[1] != slope:
        return None
    root = -values[0] / slope
    return (
        f"\\frac{{{root.numerator}}}{{{root.denominator}}}" if root.denominator != 1 else str(root.numerator),
        slope < 0,
    )


def parse_structure(text: str) -> object:
    """Turn a normalized answer into a str (one value), a Collection or a Matrix."""
    matrix = re.match(r"^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^}]*\})?(.*)\\end\{\1\}$", text, re.DOTALL)
    if matrix:
        rows = [row for row in re.split(r"\\\\", matrix.group(2)) if row.strip()]
        return Matrix(tuple(tuple(cell.strip() for cell in row.split("&")) for row in rows))
    stripped = _strip_label(text)
    if stripped != text:
        return parse_structure(stripped)
    builder = re.fullmatch(r"\\\{\s*([a-zA-Z])\s*(?:\||\\mid|:)\s*(.+?)\s*\\\}", text)  # {x | x > 3}
    if builder:
        return parse_structure(
            re.sub(rf"^{builder.group(1)}\s*\\in\s*\\mathbb\s*\{{?R\}}?\s*,?\s*", "", builder.group(2))
        )
    union = _split_top_level(text, ["\\cup"])
    if len(union) > 1:
        return Collection("union", tuple(parse_structure(part) for part in union))
    both = _both_bounds(text)
    if both:
        return both
    items = _split_top_level(text, [",", ";", " or ", " and "])
    if len(items) > 1 and all(items):
        return Collection("list", tuple(_expand_items(_by_name(items))))
    outer = _outer_brackets(text)
    if outer:
        opener, inner, closer = outer
        inner_items = _split_top_level(inner, [",", ";"])
        if opener == "\\{" or (opener == "{" and len(inner_items) > 1):  # {1, 2}: braces left unescaped
            return Collection("set", tuple(_expand_items(inner_items)))
        if len(inner_items) == 2 and (opener + closer in ("[)", "(]", "[]") or "\\infty" in inner):
            return Collection("interval", tuple(inner_items), opener + closer)
        if len(inner_items) > 1:
            return Collection("tuple", tuple(inner_items), opener + closer)
    ratio = _split_top_level(text, [":", "\\colon"])
    if len(ratio) > 1 and all(ratio) and not any(_has_variables(part) for part in ratio):
        return Collection("ratio", tuple(ratio))
    interval = _inequality_as_interval(text) or _excluded_point(text)
    if interval:
        return interval
    if "\\pm" in text or "\\mp" in text:
        return Collection("list", tuple(_expand_items([text])))
    return text


def _by_name(items: list[str]) -> list[str]:
    """``y = 3, x = 2`` in the order of the names (x, y), as a tuple ``(x, y)`` lists them."""
    names = [re.match(r"^([a-zA-Z])\s*=(?!=)", item) for item in items]
    if all(names) and len({name.group(1) for name in names if name}) == len(items):
        return [item for _, item in sorted(zip([name.group(1) for name in names if name], items))]
    return items


def _expand_items(items: list[str]) -> Iterator[object]:
    """Each list item without its ``x =``; ``a \\pm b`` becomes two items; inequalities become intervals."""
    for item in items:
        item = _strip_label(item)
        if "\\pm" in item or "\\mp" in item:
            yield item.replace("\\pm", "+", 1).replace("\\mp", "-", 1)
            yield item.replace("\\pm", "-", 1).replace("\\mp", "+", 1)
        elif item:
            yield _inequality_as_interval(item) or item


_NAMED_VALUE = re.compile(r"[a-zA-Z](?:_\{?\w+\}?)?(?:\([^()=]*\))?|\\[a-z]+")
_LABEL_DECORATION = re.compile(
    r"_\{[^{}]*\}|_\w|\^\s*\{?\\prime\}?|'|\\(?:angle|measuredangle|overline|"
    r"overrightarrow|vec|triangle|widehat|hat|text|mathrm|operatorname|alpha|beta|"
    r"gamma|delta|theta|phi|varphi|rho|omega|lambda|mu|sigma|tau)(?![a-zA-Z])"
)


def _is_label(text: str) -> bool:
    """A name for the answer, not a value: ``x``, ``(p,q)``, ``|AB|``, ``V_1:V_2``, ``\\angle ABC``."""
    if _NAMED_VALUE.fullmatch(text):
        return True
    bare = _LABEL_DECORATION.sub("", text).replace("{", "").replace("}", "")
    return bool(bare.strip()) and re.fullmatch(r"[A-Za-z\s(),|:\[\]]+", bare) is not None


def _strip_label(text: str) -> str:
    """``x = 3`` -> ``3``; ``(p,q)=(3,2)`` -> ``(3,2)``; ``x \\in [1, 2]`` -> ``[1, 2]``. An equation
    between variables (``y = 2x + 3``) is kept whole, so that it can be compared with an equivalent
    equation (``2x - y + 3 = 0``)."""
    member = re.match(r"^[a-zA-Z](?:_\{?\w+\}?)?\s*\\in\s*(.+)$", text)
    if member:
        return member.group(1).strip()
    sides = _split_top_level(text, ["="])
    if (
        len(sides) >= 2
        and all(sides)
        and all(_is_label(side) for side in sides[:-1])
        and not _has_variables(sides[-1])
    ):
        return sides[-1]
    return text


def _has_variables(text: str) -> bool:
    try:
        return bool(variables(parse_expression(text)))
    except Unsupported:
        return False


# --------------------------------------------------------------------------------------------------
# Expression parsing and evaluation
# --------------------------------------------------------------------------------------------------

Value = Fraction | complex


class Unsupported(Exception):
    """The parser or evaluator cannot handle this expression; SymPy may."""


_FUNCTIONS = {
    "sin": cmath.sin,
    "cos": cmath.cos,
    "tan": cmath.tan,
    "sec": lambda z: 1 / cmath.cos(z),
    "csc": lambda z: 1 / cmath.sin(z),
    "cot": lambda z: 1 / cmath.tan(z),
    "arcsin": cmath.asin,
    "arccos": cmath.acos,
    "arctan": cmath.atan,
    "sinh": cmath.sinh,
    "cosh": cmath.cosh,
    "tanh": cmath.tanh,
    "ln": cmath.log,
    "log": cmath.log,
    "exp": cmath.exp,
}
_CONSTANTS = {"pi": complex(math.pi), "infty": complex(math.inf), "e": complex(math.e), "i": 1j}
_GREEK = frozenset(
    [
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "theta",
        "lambda",
        "mu",
        "nu",
        "rho",
        "sigma",
        "tau",
        "phi",
        "omega",
    ]
)
_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?|\.\d+)|\\(?P<cmd>[a-zA-Z]+)|(?P<var>[a-zA-Z])|(?P<op>[-+*/^_!|(){}\[\]]))"
)
_MAX_EXPONENT_BITS = 4096


@lru_cache(maxsize=65536)
def _tokens(text: str) -> tuple[tuple[str, str], ...]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise Unsupported(f"unexpected character {text[position]!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))  # type: ignore[arg-type]
        position = match.end()
    return tuple(tokens)


class _Parser:
    """Recursive descent over LaTeX math: + - * / ^, implicit products, \\frac, \\sqrt, functions, |x|, n!."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0

    def parse(self) -> tuple:
        if not self.tokens:
            raise Unsupported("empty expression")
        node = self.expression()
        if self.index != len(self.tokens):
            raise Unsupported(f"unparsed input at token {self.tokens[self.index][1]!r}")
        return node

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise Unsupported(f"expected {value!r}")
        self.index += 1
        return token

    def expression(self) -> tuple:
        node = self.term()
        while (token := self.peek()) and token[1] in ("+", "-"):
            self.index += 1
            node = ("add" if token[1] == "+" else "sub", node, self.term())
        return node

    def term(self) -> tuple:
        node = self.unary()
        while token := self.peek():
            if token[1] in ("*", "/") or (token[0] == "cmd" and token[1] in ("cdot", "times", "div")):
                self.index += 1
                operator = "div" if token[1] in ("/", "div") else "mul"
                node = (operator, node, self.unary())
            elif self.starts_operand(token):
                node = ("mul", node, self.power())
            else:
                break
        return node

    def starts_operand(self, token: tuple[str, str]) -> bool:
        kind, value = token
        if kind in ("num", "var"):
            return True
        if kind == "cmd":
            return value not in ("cdot", "times", "div", "pm", "mp")
        return value in ("(", "{", "[")

    def unary(self) -> tuple:
        token = self.peek()
        if token and token[1] in ("-", "+"):
            self.index += 1
            operand = self.unary()
            return ("neg", operand) if token[1] == "-" else operand
        return self.power()

    def power(self) -> tuple:
        base = self.postfix()
        if (token := self.peek()) and token[1] == "^":
            self.index += 1
            return ("pow", base, self.exponent())
        return base

    def exponent(self) -> tuple:
        token = self.peek()
        if token and token[1] in ("-", "+"):
            self.index += 1
            operand = self.exponent()
            return ("neg", operand) if token[1] == "-" else operand
        if token and token[0] == "num" and "." not in token[1] and len(token[1]) > 1:
            self.index += 1  # x^23 in LaTeX means x^2 followed by 3
            self.tokens = (*self.tokens[: self.index], ("num", token[1][1:]), *self.tokens[self.index :])
            return ("num", Fraction(token[1][0]))
        return self.postfix()

    def postfix(self) -> tuple:
        node = self.primary()
        while (token := self.peek()) and token[1] == "!":
            self.index += 1
            node = ("fact", node)
        return node

    def group(self) -> tuple:
        opener = self.take()[1]
        closer = {"(": ")", "{": "}", "[": "]"}[opener]
        node = self.expression()
        self.take(closer)
        return node

    def primary(self) -> tuple:
        token = self.peek()
        if token is None:
            raise Unsupported("unexpected end")
        kind, value = token
        if kind == "num":
            self.index += 1
            if (token := self.peek()) and token[1] == "_" and "." not in value:
                return self.based_number(value)
            return self.number(value)
        if kind == "var":
            self.index += 1
            if value in ("e", "i"):  # Euler's number and the imaginary unit, as in MATH answers
                return ("const", value)
            return self.subscripted(("var", value))
        if value in ("(", "{", "["):
            return self.group()
        if value == "|":
            self.index += 1
            node = self.expression()
            self.take("|")
            return ("abs", node)
        if kind == "cmd":
            self.index += 1
            return self.command(value)
        raise Unsupported(f"unexpected {value!r}")

    def number(self, text: str) -> tuple:
        """A decimal, with an optional ``\\overline{digits}`` repeating part (0.1\\overline{6} = 1/6)."""
        value = Fraction(text)
        token = self.peek()
        if token == ("cmd", "overline") and "." in text:
            self.index += 1
            self.take("{")
            digits = self.take()[1]
            self.take("}")
            if not digits.isdigit():
                raise Unsupported("repeating part must be digits")
            shift = len(text.split(".")[1])
            value += Fraction(int(digits), (10 ** len(digits) - 1) * 10**shift)
        return ("num", value)

    def based_number(self, digits: str) -> tuple:
        """``2112_6`` and ``2112_{6}``: a numeral in base 6 (number theory answers)."""
        self.take("_")
        token = self.take()
        base = self.take()[1] if token[1] == "{" else token[1]
        if token[1] == "{":
            self.take("}")
        try:
            return ("num", Fraction(int(digits, int(base))))
        except ValueError:
            raise Unsupported(f"{digits} is not a numeral in base {base}") from None

    def subscripted(self, node: tuple) -> tuple:
        """``x_1`` and ``a_{n}`` are variable names."""
        if (token := self.peek()) and token[1] == "_":
            self.index += 1
            sub = self.take()
            if sub[1] == "{":
                parts = []
                while (inner := self.take())[1] != "}":
                    parts.append(inner[1])
                return ("var", f"{node[1]}_{''.join(parts)}")
            return ("var", f"{node[1]}_{sub[1]}")
        return node

    def argument(self) -> tuple:
        token = self.peek()
        if token and token[1] in ("{", "("):
            return self.group()
        return self.power()

    def command(self, name: str) -> tuple:
        if name in ("binom", "dbinom", "tbinom"):
            return ("binom", self.braced_or_token(), self.braced_or_token())
        if name == "frac":
            return ("div", self.braced_or_token(), self.braced_or_token())
        if name == "sqrt":
            if (token := self.peek()) and token[1] == "[":
                self.index += 1
                degree = self.expression()
                self.take("]")
                return ("pow", self.braced_or_token(), ("div", ("num", Fraction(1)), degree))
            return ("pow", self.braced_or_token(), ("num", Fraction(1, 2)))
        if name in _CONSTANTS:
            return ("const", name)
        if name in _GREEK:
            return ("var", name)
        if name in ("log", "ln", "exp") or name in _FUNCTIONS:
            base = None
            if name == "log" and (token := self.peek()) and token[1] == "_":
                self.index += 1
                base = self.braced_or_token()
            power = None
            if (token := self.peek()) and token[1] == "^":  # \sin^2 x
                self.index += 1
                power = self.exponent()
                if power == ("neg", ("num", Fraction(1))) and f"arc{name}" in _FUNCTIONS:
                    name, power = f"arc{name}", None  # \sin^{-1} x is arcsin x
            node = ("call", name, self.argument())
            if base is not None:
                node = ("div", node, ("call", "ln", base))
            return ("pow", node, power) if power is not None else node
        raise Unsupported(f"unknown command \\{name}")

    def braced_or_token(self) -> tuple:
        token = self.peek()
        if token and token[1] == "{":
            return self.group()
        if token and token[0] == "num" and len(token[1]) > 1 and "." not in token[1]:
            self.index += 1  # \frac12: a single digit is one argument
            self.tokens = (*self.tokens[: self.index], ("num", token[1][1:]), *self.tokens[self.index :])
            return ("num", Fraction(token[1][0]))
        return self.primary()


@lru_cache(maxsize=65536)
def parse_expression(text: str) -> tuple:
    """Parse a LaTeX math expression into a small tuple tree (raises Unsupported)."""
    text = _SCIENTIFIC.sub(r"(\1\\cdot 10^{\2})", text)
    text = re.sub(r"(?<![\d.])(\d+)\s*\\frac\{(\d+)\}\{(\d+)\}", _mixed_number, text)
    text = re.sub(r"(?<![\d.])(\d+)\s+(\d+)\s*/\s*(\d+)(?![\d.])", _mixed_number, text)  # 3128 1/2
    return _Parser(text).parse()


# 4.5e33, 1e-5, 2.7778E-6 (OCW writes numbers the way programs print them); not 2e^{x} or 3e
_SCIENTIFIC = re.compile(r"(?<![\w.])(\d+(?:\.\d*)?|\.\d+)[eE]([-+]?\d+)(?![\w.])")


def _mixed_number(match: re.Match[str]) -> str:
    """``2\\frac{1}{2}`` is the mixed number 2 1/2 (only a proper fraction of integers qualifies)."""
    whole, numerator, denominator = (int(g) for g in match.groups())
    if 0 < numerator < denominator:
        return f"({whole}+\\frac{{{numerator}}}{{{denominator}}})"
    return match.group(0)


def variables(node: tuple) -> set[str]:
    if node[0] == "var":
        return {node[1]}
    return set().union(*(variables(child) for child in node[1:] if isinstance(child, tuple)))


def evaluate(node: tuple, env: dict[str, Fraction]) -> Value:
    """Exact rational arithmetic where possible, complex floats otherwise."""
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "var":
        return env[node[1]]
    if kind == "const":
        return _CONSTANTS[node[1]]
    if kind == "neg":
        return -evaluate(node[1], env)
    if kind == "abs":
        value = evaluate(node[1], env)
        return abs(value) if isinstance(value, Fraction) else complex(abs(value))
    if kind == "fact":
        value = evaluate(node[1], env)
        if not isinstance(value, Fraction) or value.denominator != 1 or not 0 <= value <= 1000:
            raise Unsupported("factorial of a non-integer or a large number")
        return Fraction(math.factorial(int(value)))
    if kind == "binom":
        n, k = evaluate(node[1], env), evaluate(node[2], env)
        if not all(isinstance(v, Fraction) and v.denominator == 1 and 0 <= v <= 10_000 for v in (n, k)):
            raise Unsupported("binomial of non-integers or large numbers")
        return Fraction(math.comb(int(n), int(k)))
    if kind == "call":
        return _FUNCTIONS[node[1]](complex(evaluate(node[2], env)))
    left, right = evaluate(node[1], env), evaluate(node[2], env)
    if kind == "add":
        return left + right
    if kind == "sub":
        return left - right
    if kind == "mul":
        return left * right
    if kind == "div":
        if right == 0:
            raise ZeroDivisionError
        return left / right
    if kind == "pow":
        return _power(left, right)
    raise Unsupported(kind)


def _power(base: Value, exponent: Value) -> Value:
    if isinstance(base, Fraction) and isinstance(exponent, Fraction):
        if exponent.denominator == 1:
            bits = max(base.numerator.bit_length(), base.denominator.bit_length()) * abs(exponent.numerator)
            if bits > _MAX_EXPONENT_BITS:
                raise Unsupported("power too large to evaluate exactly")
            if base == 0 and exponent < 0:
                raise ZeroDivisionError
            return base ** int(exponent)
        root = _exact_root(base, exponent.denominator)
        if root is not None:
            return _power(root, Fraction(exponent.numerator))
    try:
        return complex(base) ** complex(exponent)
    except (OverflowError, ZeroDivisionError) as err:
        raise Unsupported(str(err)) from None


def _exact_root(value: Fraction, degree: int) -> Fraction | None:
    if value < 0 or degree > 64:
        return None
    roots = []
    for part in (value.numerator, value.denominator):
        root = round(part ** (1 / degree)) if part.bit_length() < 1000 else None
        if root is None:
            return None
        root = next((r for r in (root - 1, root, root + 1) if r >= 0 and r**degree == part), None)
        if root is None:
            return None
        roots.append(root)
    return Fraction(roots[0], roots[1])


# Points at which expressions with variables are compared: distinct, non-integer rationals, so that
# two different polynomials or rational functions agree on all of them with negligible chance.
_TRIAL_POINTS = [Fraction(p, q) for p, q in ((7, 3), (-11, 5), (13, 17), (5, 19), (-23, 7))]


def values_equal(left: Value, right: Value, relative: float = 0.0) -> bool:
    """Equal values: exactly for two rationals (``relative`` 0), else within ``relative`` of the larger
    magnitude (at least floating-point noise, 1e-9)."""
    if relative == 0 and isinstance(left, Fraction) and isinstance(right, Fraction):
        return left == right
    left, right = complex(left), complex(right)
    if math.isinf(left.real) or math.isinf(right.real):
        return left.real == right.real and abs(left.imag - right.imag) < 1e-12
    if relative > 0:
        return abs(left - right) <= relative * max(abs(left), abs(right))
    return abs(left - right) <= 1e-9 * max(1.0, abs(left), abs(right))


def _values(tree: tuple, names: list[str]) -> Iterator[Value | None]:
    """``tree`` evaluated at each trial point (once when it has no variables); None where undefined."""
    for trial in range(len(_TRIAL_POINTS) if names else 1):
        env = {
            name: _TRIAL_POINTS[(trial + offset) % len(_TRIAL_POINTS)] + offset
            for offset, name in enumerate(names)
        }
        try:
            yield evaluate(tree, env)
        except ZeroDivisionError:
            yield None


def expressions_equal(left: str, right: str, relative: float = 0.0) -> bool:
    """Compare two expressions by value; with variables, at several points (raises Unsupported).

    ``relative`` is the numeric tolerance (OCW); with variables it applies at every point."""
    left_tree, right_tree = parse_expression(left), parse_expression(right)
    names = sorted(variables(left_tree) | variables(right_tree))
    compared = 0
    for left_value, right_value in zip(_values(left_tree, names), _values(right_tree, names)):
        if (left_value is None) != (right_value is None):
            return False
        if left_value is not None:
            if not values_equal(left_value, right_value, relative):  # type: ignore[arg-type]
                return False
            compared += 1
    if compared == 0:
        raise Unsupported("no point where both sides are defined")
    return True


def equations_equal(left: str, right: str) -> bool:
    """``a = b`` vs ``c = d``: the same equation when (a - b) / (c - d) is a nonzero constant."""
    left_sides, right_sides = _split_top_level(left, ["="]), _split_top_level(right, ["="])
    if len(left_sides) != 2 or len(right_sides) != 2:
        raise Unsupported("not a single equation")
    ratio = parse_expression(
        f"\\frac{{{left_sides[0]}-({left_sides[1]})}}{{{right_sides[0]}-({right_sides[1]})}}"
    )
    values = [value for value in _values(ratio, sorted(variables(ratio))) if value is not None]
    if not values or values[0] == 0:
        raise Unsupported("degenerate equation")
    return all(values_equal(value, values[0]) for value in values)


# --------------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------------

Verdict = Literal["equal", "different", "unknown"]

_DECIMAL = re.compile(r"-?(\d*)\.(\d+)")


@dataclass(frozen=True)
class Tolerance:
    """How close two numbers must be to count as the same answer.

    ``relative`` 0 means exact: rationals compare exactly, irrational values to floating-point noise
    (1e-9 relative). A decimal written with at least ``approximation_digits`` significant digits
    still matches the exact value it was rounded or cut from (``0.0833333`` for ``\\frac{1}{12}``):
    six digits are a computed value, not a guess. OCW numbers use a relative tolerance instead.
    """

    relative: float = 0.0
    approximation_digits: int | None = 6

    def close(self, left: Value, right: Value) -> bool:
        return values_equal(left, right, self.relative)

    def approximates(self, decimal_text: str, value: Value) -> bool:
        """``decimal_text`` is ``value`` rounded or truncated to the decimals it shows (any number of
        them when it ends in an ellipsis, ``0.333…``: the writer says it goes on)."""
        cut_short = decimal_text.strip().endswith("…")
        decimal_text = decimal_text.strip().rstrip("…")
        match = _DECIMAL.fullmatch(decimal_text)
        if match is None or self.approximation_digits is None:
            return False
        digits = (match.group(1) + match.group(2)).lstrip("0")
        if len(digits) < self.approximation_digits and not cut_short:
            return False
        target = complex(value)
        if abs(target.imag) > 1e-12:
            return False
        shown, exact, unit = float(Fraction(decimal_text)), target.real, 10.0 ** -len(match.group(2))
        truncated = shown * exact >= 0 and 0 <= abs(exact) - abs(shown) < unit
        return truncated or abs(exact - shown) <= unit / 2 * (1 + 1e-9)


EXACT = Tolerance()


class AnswerChecker:
    """Checks many pairs, keeping SymPy worker processes warm for the pairs that need them.

    ``timeout_s`` bounds the SymPy step of one pair, from the caller's point of view, whatever the
    load on the machine: the call returns ``unknown`` (not equal) at its deadline. The workers are
    started, and SymPy's LaTeX parser and integrator loaded, by :meth:`warm`: call it before timing
    anything; otherwise the first pair that needs SymPy starts them (once, before its deadline starts).
    The fast layers need no timeout: they are bounded by construction (exponent sizes, factorial
    arguments, evaluation points).
    """

    def __init__(
        self,
        timeout_s: float = 5.0,
        sympy_workers: int = 1,
        use_sympy: bool = True,
        tolerance: Tolerance = EXACT,
    ) -> None:
        self.timeout_s = timeout_s
        self.use_sympy = use_sympy
        self.tolerance = tolerance
        # one spare, so that a worker killed at a deadline is replaced while another serves
        self._pool = SympyPool(sympy_workers + 1)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def warm(self) -> None:
        """Start the SymPy workers now (each loads SymPy and its LaTeX parser before saying ready)."""
        if self.use_sympy:
            self._pool.start()

    def close(self) -> None:
        """Stop the SymPy workers (of every checker made from this one by :meth:`with_tolerance`)."""
        self._pool.close()

    def with_tolerance(self, tolerance: Tolerance) -> AnswerChecker:
        """A checker sharing this one's SymPy workers (started or not), comparing numbers with ``tolerance``."""
        if tolerance == self.tolerance:
            return self
        other = copy.copy(self)
        other.tolerance = tolerance
        return other

    def equivalent(self, prediction: str | None, reference: str | None) -> bool:
        """True when ``prediction`` states the same answer as ``reference``."""
        return self.verdict(prediction, reference) == "equal"

    def verdict(self, prediction: str | None, reference: str | None) -> Verdict:
        """``equal``, ``different``, or ``unknown`` (SymPy ran out of time or could not read a side)."""
        if prediction is None or reference is None:
            return "different"
        prediction, reference = str(prediction), str(reference)
        pred, ref = normalize_final_answer(prediction), normalize_final_answer(reference)
        if not pred or not ref:
            return "different"
        if pred == ref:
            return "equal"
        choice = _CHOICE.match(ref)
        if choice:
            return "equal" if choice_letter(prediction) == choice.group(1) else "different"
        verdict = self._compare(parse_structure(pred), parse_structure(ref))
        if verdict != "equal" and has_percent(prediction) != has_percent(reference):
            # "20\%" and "0.2" state the same share; compare the percent side divided by 100
            if has_percent(prediction):
                pred = f"\\frac{{{pred}}}{{100}}"
            else:
                ref = f"\\frac{{{ref}}}{{100}}"
            if self._compare(parse_structure(pred), parse_structure(ref)) == "equal":
                return "equal"
        return verdict

    def equivalent_many(self, pairs: Iterable[tuple[str | None, str | None]], threads: int = 1) -> list[bool]:
        """Check pairs in order; ``threads`` > 1 overlaps the SymPy steps of different pairs."""
        pairs = list(pairs)
        if threads <= 1:
            return [self.equivalent(p, r) for p, r in pairs]
        with ThreadPoolExecutor(max_workers=threads) as executor:
            return list(executor.map(lambda pair: self.equivalent(*pair), pairs))

    def _compare(self, pred: object, ref: object) -> Verdict:
        pred, ref = _vector_as_tuple(pred, ref), _vector_as_tuple(ref, pred)
        if isinstance(ref, Collection) or isinstance(pred, Collection):
            return self._compare_collections(pred, ref)
        if isinstance(ref, Matrix) or isinstance(pred, Matrix):
            if not (isinstance(ref, Matrix) and isinstance(pred, Matrix)):
                return "different"
            if _is_vector(pred) != _is_vector(ref):
                return "different"  # a column is not a row
            if [len(row) for row in ref.rows] != [len(row) for row in pred.rows]:
                return "different"
            return _all(self._compare(p, r) for pr, rr in zip(pred.rows, ref.rows) for p, r in zip(pr, rr))
        return self._compare_scalars(str(pred), str(ref))

    def _compare_collections(self, pred: object, ref: object) -> Verdict:
        unordered = {"list", "set", "union"}
        if not isinstance(pred, Collection) or not isinstance(ref, Collection):
            single, other = (pred, ref) if isinstance(pred, Collection) else (ref, pred)
            assert isinstance(single, Collection)
            if single.kind in unordered and len(set(single.items)) == 1:  # {3}, "3, 3"
                return (
                    self._compare(single.items[0], other)
                    if single is pred
                    else self._compare(other, single.items[0])
                )
            if single.kind == "ratio" and len(single.items) == 2 and isinstance(other, str):
                as_fraction = f"\\frac{{{single.items[0]}}}{{{single.items[1]}}}"
                return (
                    self._compare(as_fraction, other) if single is pred else self._compare(other, as_fraction)
                )
            return "different"
        if pred.kind == "ratio" or ref.kind == "ratio":
            return self._compare_ratios(pred, ref)
        if pred.kind in unordered and ref.kind in unordered:
            return self._match_unordered(self._distinct(pred.items), self._distinct(ref.items))
        if pred.kind in unordered and len(pred.items) == 1:
            return self._compare(pred.items[0], ref)
        if ref.kind in unordered and len(ref.items) == 1:
            return self._compare(pred, ref.items[0])
        if len(pred.items) != len(ref.items):
            return "different"
        if "interval" in (ref.kind, pred.kind) and ref.brackets != pred.brackets:
            return "different"
        if {pred.kind, ref.kind} == {"list", "tuple"}:  # '2, 3' for the pair (2, 3): written in its order
            return _all(self._compare(p, r) for p, r in zip(pred.items, ref.items))
        if pred.kind in unordered or ref.kind in unordered:
            return self._match_unordered(list(pred.items), list(ref.items))
        return _all(self._compare(p, r) for p, r in zip(pred.items, ref.items))

    def _compare_ratios(self, pred: Collection, ref: Collection) -> Verdict:
        """``a:b`` and ``c:d`` are the same ratio when a*d = b*c (every term against the first)."""
        if pred.kind != ref.kind or len(pred.items) != len(ref.items):
            return "different"
        first_pred, first_ref = pred.items[0], ref.items[0]
        return _all(
            self._compare_scalars(f"({p})({first_ref})", f"({r})({first_pred})")
            for p, r in zip(pred.items[1:], ref.items[1:])
        )

    def _distinct(self, items: Iterable[object]) -> list[object]:
        """Items with repeats removed: a solution set lists each value once however often it was written."""
        kept: list[object] = []
        for item in items:
            if not any(item == other or self._compare(item, other) == "equal" for other in kept):
                kept.append(item)
        return kept

    def _match_unordered(self, preds: list[object], refs: list[object]) -> Verdict:
        """Every reference item matched by a distinct predicted item (greedy is exact for equality)."""
        if len(preds) != len(refs):
            return "different"
        remaining = list(preds)
        for ref in refs:
            for index, pred in enumerate(remaining):
                if self._compare(pred, ref) == "equal":
                    del remaining[index]
                    break
            else:
                return "different"
        return "equal"

    def _compare_scalars(self, pred: str, ref: str) -> Verdict:
        if pred == ref:
            return "equal"
        for decimal, other in ((pred, ref), (ref, pred)):
            if decimal.endswith("…") and not other.endswith("…"):
                try:
                    tree = parse_expression(other)
                    value = evaluate(tree, {}) if not variables(tree) else None
                except (Unsupported, KeyError, ValueError, OverflowError, ZeroDivisionError, TypeError):
                    value = None
                return (
                    "equal"
                    if value is not None and self.tolerance.approximates(decimal, value)
                    else "different"
                )
        if _is_text(pred) or _is_text(ref):
            return "equal" if _text_key(pred) == _text_key(ref) else "different"
        try:
            if "=" in pred and "=" in ref:
                return "equal" if equations_equal(pred, ref) else "different"
            if "=" in pred or "=" in ref:  # 'y = 2x + 3' against '2x + 3': compare the defining sides
                pred, ref = _defining_side(pred), _defining_side(ref)
            if expressions_equal(pred, ref, self.tolerance.relative):
                return "equal"
            return "equal" if self._approximately(pred, ref) else "different"
        except (
            Unsupported,
            KeyError,
            ValueError,
            OverflowError,
            RecursionError,
            TypeError,
            ZeroDivisionError,
        ):
            return self._sympy_verdict(pred, ref)

    def _approximately(self, pred: str, ref: str) -> bool:
        """A long decimal on one side that the other side's exact value rounds (or cuts) to."""
        for decimal, other in ((pred, ref), (ref, pred)):
            if _DECIMAL.fullmatch(decimal.strip()) and not _DECIMAL.fullmatch(other.strip()):
                tree = parse_expression(other)
                if not variables(tree):
                    return self.tolerance.approximates(decimal, evaluate(tree, {}))
        return False

    def _sympy_verdict(self, pred: str, ref: str) -> Verdict:
        if not self.use_sympy:
            return "unknown"
        self.warm()  # once, before this pair's deadline starts
        reply = self._pool.request({"prediction": pred, "reference": ref}, timeout_s=self.timeout_s)
        if reply is None:
            return "unknown"  # out of time: the worker was killed and is replaced in the background
        return reply["verdict"]


def _is_vector(value: object) -> bool:
    return isinstance(value, Matrix) and all(len(row) == 1 for row in value.rows)


def _vector_as_tuple(value: object, other: object) -> object:
    """A column vector compared with a tuple is that tuple: ``(1, 2, 3)`` is the vector (1, 2, 3)."""
    if _is_vector(value) and isinstance(other, Collection) and other.kind == "tuple":
        assert isinstance(value, Matrix)
        return Collection("tuple", tuple(row[0] for row in value.rows), "()")
    return value


def _defining_side(text: str) -> str:
    sides = _split_top_level(text, ["="])
    return sides[1] if len(sides) == 2 and _NAMED_VALUE.fullmatch(sides[0]) else text


def _all(verdicts: Iterable[Verdict]) -> Verdict:
    return "equal" if all(verdict == "equal" for verdict in verdicts) else "different"


def _is_text(text: str) -> bool:
    """Answers made of words ('Monday', 'even') are compared as words, not as products of variables."""
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z\s'-]*[A-Za-z]", text)) and len(re.sub(r"\s", "", text)) > 2


def _text_key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


_CHOICE_PREFIX = re.compile(
    r"^(?:the\s+)?(?:correct\s+|final\s+)?(?:answer|option|choice)\s*(?:is|:)?\s*", re.IGNORECASE
)


def choice_letter(prediction: str) -> str | None:
    """The chosen letter in 'B', '(B)', 'B)', '\\text{(B)}', 'The answer is (B)', '(B) 12'; else None.

    Strict on purpose: 'A, C', '2B' and "E'" name no single choice, so they match no letter.
    """
    text = _CHOICE_PREFIX.sub("", normalize_final_answer(prediction)).strip()
    match = _CHOICE.match(text) or re.match(r"^\(([A-E])\)\s+[^\s,;]", text)
    return match.group(1) if match else None


class SympyPool:
    """Pre-started SymPy workers whose calls meet their deadline whatever the machine's load.

    A call waits for an idle worker and for its reply within one deadline; a worker that misses it is
    killed, and its replacement starts in a background thread (never inside a call), so a later call
    finds a warm worker or, at worst, returns ``None`` at its own deadline.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._idle: queue.Queue[JsonLineWorker] = queue.Queue()
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._generation = 0  # bumped by close(): replacements started before it are discarded
        self._started = False
        self.workers: list[JsonLineWorker] = []

    def start(self) -> None:
        """Start the workers (in parallel, waiting until each is ready); nothing to do when started."""
        with self._start_lock:
            if self._started:
                return
            generation = self._generation
            starters = [
                threading.Thread(target=self._start_one, args=(generation,), daemon=True)
                for _ in range(self.size)
            ]
            for starter in starters:
                starter.start()
            for starter in starters:
                starter.join()
            if not self.workers:
                raise RuntimeError("could not start the SymPy worker (python -m mathlm.eval.sympy_worker)")
            self._started = True

    def request(self, message: dict[str, Any], timeout_s: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout_s
        try:
            worker = self._idle.get(timeout=timeout_s)
        except queue.Empty:
            return None
        reply = worker.request(message, max(0.0, deadline - time.monotonic()))
        with self._lock:
            current = worker in self.workers  # False once close() has run
            if reply is not None and current:
                self._idle.put(worker)
                return reply
            if current:
                self.workers.remove(worker)
            generation = self._generation
        if reply is None:
            worker.process.kill()
            if current:
                threading.Thread(target=self._replace, args=(worker, generation), daemon=True).start()
        return reply

    def close(self) -> None:
        """Stop every worker; a later :meth:`start` starts fresh ones."""
        with self._start_lock, self._lock:
            self._generation += 1
            self._started = False
            workers, self.workers = self.workers, []
            self._idle = queue.Queue()
        for worker in workers:
            worker.close()

    def _replace(self, dead: JsonLineWorker, generation: int) -> None:
        dead.close()
        self._start_one(generation)

    def _start_one(self, generation: int) -> None:
        try:
            worker = JsonLineWorker.start((sys.executable, "-m", "mathlm.eval.sympy_worker"))
        except WorkerStartError:
            return  # the pool serves with fewer workers; calls still return by their deadline
        with self._lock:
            if generation != self._generation:  # the pool was closed meanwhile
                worker.close()
                return
            self.workers.append(worker)
            self._idle.put(worker)


_DEFAULT_CHECKER: AnswerChecker | None = None


def is_equivalent(prediction: str | None, reference: str | None) -> bool:
    """Module-level convenience over a shared :class:`AnswerChecker`."""
    global _DEFAULT_CHECKER
    if _DEFAULT_CHECKER is None:
        _DEFAULT_CHECKER = AnswerChecker()
    return _DEFAULT_CHECKER.equivalent(prediction, reference)
