"""Answer extraction and equivalence for math benchmarks.

Deciding whether a model's final answer equals the reference is the part of math evaluation that
is easiest to get silently wrong (the scorer pinned by the Llemma harness returned ``False`` right
after its exact-match test and never reached its SymPy check). The checker here works in layers,
cheapest first, and every layer is bounded in time:

1. **Normalization** in the spirit of Minerva: ``\\boxed``/``$``/``\\text`` unwrapped, units,
   degrees, percent signs and thousands separators dropped, ``\\frac12``/``\\sqrt2`` repaired,
   ``x = 3`` reduced to ``3``; equal strings are equal answers.
2. **Structure**: multiple-choice letters, unordered solution lists and sets, ordered tuples,
   intervals (and unions of them), matrices, ``\\pm``, simple inequalities as intervals; compared
   item by item.
3. **Exact and numeric evaluation** by our own LaTeX expression parser: rationals stay exact
   (``0.5 == \\frac{1}{2}``, repeating decimals, mixed numbers), radicals, ``\\pi``, ``e``, ``i``,
   trig and logs are evaluated numerically; expressions with variables are compared at several
   random rational points (exact for polynomials and rational functions).
4. **SymPy**, for what the parser cannot evaluate (integrals, huge powers, unusual notation):
   ``simplify(a - b) == 0`` in a separate process with a hard timeout, so a pathological pair costs
   at most ``timeout_s`` and can never hang the caller, in any thread.

Use :func:`is_equivalent` for one-off checks, or an :class:`AnswerChecker` (which keeps SymPy
worker processes warm) for many.
"""

from __future__ import annotations

import cmath
import math
import re
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Literal

from mathlm.eval.workers import JsonLineWorker, WorkerPool

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
                return text[open_index + 1:index], index + 1
    return None


# --------------------------------------------------------------------------------------------------
# Normalization
# --------------------------------------------------------------------------------------------------

# Words that name a unit or the kind of thing counted; dropped after a number ("5 cm", "12 ways").
UNIT_WORDS = frozenset("""
    unit units sq square squared cubic cube degree degrees deg radian radians rad percent
    mm cm m km in inch inches ft foot feet yd yard yards mi mile miles meter meters metre metres
    centimeter centimeters kilometer kilometers millimeter millimeters
    g gm gram grams kg kilogram kilograms lb lbs pound pounds oz ounce ounces ton tons
    ml l liter liters litre litres gallon gallons quart quarts cup cups
    s sec second seconds min minute minutes h hr hrs hour hours day days week weeks month months
    year years mph kmh
    dollar dollars cent cents euro euros
    way ways integer integers number numbers digit digits point points people person student students
    child children term terms time times item items piece pieces
""".split())

_SPACING = re.compile(r"(?<!\\)\\[,;:! ]|\\q?quad|~|\\displaystyle|\\textstyle|\\scriptstyle")
_SIZING = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)[lr]?(?![a-zA-Z])\s*")
_DEGREES = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|°|\\degree")
_TEXT_COMMANDS = ("\\text", "\\textbf", "\\textit", "\\textrm", "\\mathrm", "\\mathbf", "\\mbox", "\\mathit",
                  "\\operatorname")
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+)(?![\d,])")
_CHOICE = re.compile(r"^\(?([A-E])\)?[.:]?$")


def normalize_final_answer(answer: str) -> str:
    """Canonical string form of a final answer (a stricter cousin of Minerva's normalization)."""
    text = answer.strip().replace("\\$", "").replace("$", "")
    text = re.sub(r"^\\\(|\\\)$|^\\\[|\\\]$", "", text.strip()).strip()
    boxed = last_boxed(text)
    if boxed is not None:
        text = boxed
    text = _SPACING.sub(" ", text)
    text = _SIZING.sub("", text)
    text = text.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\cfrac", "\\frac")
    text = _DEGREES.sub("", text)
    text = text.replace("\\%", "").replace("%", "").replace("\\dots", "").replace("\\ldots", "")
    text = _unwrap_text_commands(text)
    text = _fix_shorthand(text)
    text = _THOUSANDS.sub(lambda m: m.group(1).replace(",", ""), text)
    text = text.replace("{,}", "")
    text = re.sub(r"\s+", " ", text).strip().rstrip(".").strip()
    return _drop_units(text)


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
            text = f"{text[:start]} {inner[0]} {text[inner[1]:]}"
    return text


def _fix_shorthand(text: str) -> str:
    """``\\frac12`` -> ``\\frac{1}{2}``, ``\\frac1b``, ``\\sqrt2`` -> ``\\sqrt{2}`` (as Minerva does)."""
    text = re.sub(r"\\frac\s*(\w)\s*(\w)", r"\\frac{\1}{\2}", text)
    text = re.sub(r"\\frac\s*(\w)\s*\{", r"\\frac{\1}{", text)
    text = re.sub(r"\\frac\s*(\{[^{}]*\})\s*(\w)", r"\\frac\1{\2}", text)
    return re.sub(r"\\sqrt\s*(\w)", r"\\sqrt{\1}", text)


def _drop_units(text: str) -> str:
    """Remove trailing unit words after a quantity: '5 cm^2' -> '5', '12 ways' -> '12'."""
    words = re.compile(r"\s+([A-Za-z]+)(?:\s*\^\s*\{?[23]\}?)?\s*$")
    while True:
        match = words.search(text)
        if not match or match.group(1).lower() not in UNIT_WORDS or not re.search(r"[\d}]", text[:match.start()]):
            return text
        text = text[:match.start()]


# --------------------------------------------------------------------------------------------------
# Structure: lists, sets, tuples, intervals, matrices, choices
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collection:
    """Several values: ``ordered`` for tuples and intervals, with the brackets that matter."""

    kind: Literal["list", "set", "tuple", "interval", "union"]
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
    pairs = {"(": ")]", "[": ")]", "\\{": "\\}", "\\langle": "\\rangle"}
    for opener, closers in pairs.items():
        if not text.startswith(opener):
            continue
        for closer in ([closers] if opener in ("\\{", "\\langle") else list(closers)):
            if text.endswith(closer) and _balanced_inside(text[len(opener):len(text) - len(closer)]):
                return opener, text[len(opener):len(text) - len(closer)], closer
    return None


def _balanced_inside(text: str) -> bool:
    depth = 0
    for char in text:
        depth += 1 if char in "([{" else -1 if char in ")]}" else 0
        if depth < 0:
            return False
    return depth == 0


_INEQUALITY = re.compile(r"^(?:(?P<low>[^<>\\]+?)\s*(?P<lop><|\\le|\\leq)\s*)?(?P<var>[a-zA-Z])\s*"
                         r"(?P<op><|>|\\le|\\leq|\\ge|\\geq)\s*(?P<high>[^<>\\][^<>]*)$")


def _inequality_as_interval(text: str) -> Collection | None:
    """``x > 3`` -> (3, oo); ``2 \\le x < 5`` -> [2, 5)."""
    match = _INEQUALITY.match(text)
    if not match:
        return None
    op, bound = match.group("op"), match.group("high")
    if match.group("low") is not None:
        if op not in ("<", "\\le", "\\leq"):
            return None
        left = "[" if match.group("lop") in ("\\le", "\\leq") else "("
        right = "]" if op in ("\\le", "\\leq") else ")"
        return Collection("interval", (match.group("low"), bound), left + right)
    if op in ("<", "\\le", "\\leq"):
        return Collection("interval", ("-\\infty", bound), "(" + ("]" if op != "<" else ")"))
    return Collection("interval", (bound, "\\infty"), ("[" if op != ">" else "(") + ")")


def parse_structure(text: str) -> object:
    """Turn a normalized answer into a str (one value), a Collection or a Matrix."""
    matrix = re.match(r"^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^}]*\})?(.*)\\end\{\1\}$", text, re.S)
    if matrix:
        rows = [row for row in re.split(r"\\\\", matrix.group(2)) if row.strip()]
        return Matrix(tuple(tuple(cell.strip() for cell in row.split("&")) for row in rows))
    union = _split_top_level(text, ["\\cup"])
    if len(union) > 1:
        return Collection("union", tuple(parse_structure(part) for part in union))
    items = _split_top_level(text, [",", ";", "\\text{ or }", " or ", " and "])
    if len(items) > 1:
        return Collection("list", tuple(_expand_items(items)))
    outer = _outer_brackets(text)
    if outer:
        opener, inner, closer = outer
        inner_items = _split_top_level(inner, [",", ";"])
        if opener == "\\{":
            return Collection("set", tuple(_expand_items(inner_items)))
        if len(inner_items) == 2 and (opener + closer in ("[)", "(]", "[]") or "\\infty" in inner):
            return Collection("interval", tuple(inner_items), opener + closer)
        if len(inner_items) > 1:
            return Collection("tuple", tuple(inner_items), opener + closer)
    interval = _inequality_as_interval(text)
    if interval:
        return interval
    if "\\pm" in text:
        return Collection("list", tuple(_expand_items([text])))
    return _strip_variable(text)


def _expand_items(items: list[str]) -> Iterator[str]:
    """Each list item without its ``x =``; ``a \\pm b`` becomes two items."""
    for item in items:
        item = _strip_variable(item)
        if "\\pm" in item:
            yield item.replace("\\pm", "+", 1)
            yield item.replace("\\pm", "-", 1)
        elif item:
            yield item


_NAMED_VALUE = re.compile(r"[a-zA-Z](?:_\{?\w+\}?)?(?:\([^()=]*\))?|\\[a-z]+")


def _strip_variable(text: str) -> str:
    """``x = 3`` -> ``3``; ``f(2) = 7`` -> ``7``. An equation between variables (``y = 2x + 3``) is kept
    whole, so that it can be compared with an equivalent equation (``2x - y + 3 = 0``)."""
    sides = _split_top_level(text, ["="])
    if len(sides) == 2 and _NAMED_VALUE.fullmatch(sides[0]) and not _has_variables(sides[1]):
        return sides[1]
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
    "sin": cmath.sin, "cos": cmath.cos, "tan": cmath.tan, "sec": lambda z: 1 / cmath.cos(z),
    "csc": lambda z: 1 / cmath.sin(z), "cot": lambda z: 1 / cmath.tan(z), "arcsin": cmath.asin,
    "arccos": cmath.acos, "arctan": cmath.atan, "sinh": cmath.sinh, "cosh": cmath.cosh, "tanh": cmath.tanh,
    "ln": cmath.log, "log": cmath.log, "exp": cmath.exp,
}
_CONSTANTS = {"pi": complex(math.pi), "infty": complex(math.inf), "e": complex(math.e), "i": 1j}
_GREEK = frozenset("alpha beta gamma delta epsilon theta lambda mu nu rho sigma tau phi omega".split())
_TOKEN = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d*)?|\.\d+)|\\(?P<cmd>[a-zA-Z]+)|(?P<var>[a-zA-Z])|(?P<op>[-+*/^_!|(){}\[\]]))")
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
            self.tokens = (*self.tokens[:self.index], ("num", token[1][1:]), *self.tokens[self.index:])
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
            value += Fraction(int(digits), (10 ** len(digits) - 1) * 10 ** shift)
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
            self.tokens = (*self.tokens[:self.index], ("num", token[1][1:]), *self.tokens[self.index:])
            return ("num", Fraction(token[1][0]))
        return self.primary()


@lru_cache(maxsize=65536)
def parse_expression(text: str) -> tuple:
    """Parse a LaTeX math expression into a small tuple tree (raises Unsupported)."""
    text = re.sub(r"(?<![\d.])(\d+)\s*\\frac\{(\d+)\}\{(\d+)\}",
                  lambda m: _mixed_number(m), text)
    return _Parser(text).parse()


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
        root = next((r for r in (root - 1, root, root + 1) if r >= 0 and r ** degree == part), None)
        if root is None:
            return None
        roots.append(root)
    return Fraction(roots[0], roots[1])


# Points at which expressions with variables are compared: distinct, non-integer rationals, so that
# two different polynomials or rational functions agree on all of them with negligible chance.
_TRIAL_POINTS = [Fraction(p, q) for p, q in ((7, 3), (-11, 5), (13, 17), (5, 19), (-23, 7))]


def values_equal(left: Value, right: Value) -> bool:
    if isinstance(left, Fraction) and isinstance(right, Fraction):
        return left == right
    left, right = complex(left), complex(right)
    if math.isinf(left.real) or math.isinf(right.real):
        return left.real == right.real and abs(left.imag - right.imag) < 1e-12
    return abs(left - right) <= 1e-9 * max(1.0, abs(left), abs(right))


def _values(tree: tuple, names: list[str]) -> Iterator[Value | None]:
    """``tree`` evaluated at each trial point (once when it has no variables); None where undefined."""
    for trial in range(len(_TRIAL_POINTS) if names else 1):
        env = {name: _TRIAL_POINTS[(trial + offset) % len(_TRIAL_POINTS)] + offset
               for offset, name in enumerate(names)}
        try:
            yield evaluate(tree, env)
        except ZeroDivisionError:
            yield None


def expressions_equal(left: str, right: str) -> bool:
    """Compare two expressions by value; with variables, at several points (raises Unsupported)."""
    left_tree, right_tree = parse_expression(left), parse_expression(right)
    names = sorted(variables(left_tree) | variables(right_tree))
    compared = 0
    for left_value, right_value in zip(_values(left_tree, names), _values(right_tree, names)):
        if (left_value is None) != (right_value is None):
            return False
        if left_value is not None:
            if not values_equal(left_value, right_value):  # type: ignore[arg-type]
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
    ratio = parse_expression(f"\\frac{{{left_sides[0]}-({left_sides[1]})}}{{{right_sides[0]}-({right_sides[1]})}}")
    values = [value for value in _values(ratio, sorted(variables(ratio))) if value is not None]
    if not values or values[0] == 0:
        raise Unsupported("degenerate equation")
    return all(values_equal(value, values[0]) for value in values)


# --------------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------------

Verdict = Literal["equal", "different", "unknown"]


class AnswerChecker:
    """Checks many pairs, keeping SymPy worker processes warm for the pairs that need them.

    ``timeout_s`` bounds the SymPy step of one pair; the fast layers need no timeout because they
    are bounded by construction (exponent sizes, factorial arguments, evaluation points).
    """

    def __init__(self, timeout_s: float = 5.0, sympy_workers: int = 1, use_sympy: bool = True) -> None:
        self.timeout_s = timeout_s
        self.use_sympy = use_sympy
        self._sympy_workers = sympy_workers
        self._pool: WorkerPool | None = None

    def __enter__(self) -> AnswerChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def equivalent(self, prediction: str | None, reference: str | None) -> bool:
        """True when ``prediction`` states the same answer as ``reference``."""
        if prediction is None or reference is None:
            return False
        pred, ref = normalize_final_answer(str(prediction)), normalize_final_answer(str(reference))
        if not pred or not ref:
            return False
        if pred == ref:
            return True
        choice = _CHOICE.match(ref)
        if choice:
            return _choice_letter(str(prediction)) == choice.group(1)
        return self._compare(parse_structure(pred), parse_structure(ref)) == "equal"

    def equivalent_many(self, pairs: Iterable[tuple[str | None, str | None]], threads: int = 1) -> list[bool]:
        """Check pairs in order; ``threads`` > 1 overlaps the SymPy steps of different pairs."""
        pairs = list(pairs)
        if threads <= 1:
            return [self.equivalent(p, r) for p, r in pairs]
        with ThreadPoolExecutor(max_workers=threads) as executor:
            return list(executor.map(lambda pair: self.equivalent(*pair), pairs))

    def _compare(self, pred: object, ref: object) -> Verdict:
        if isinstance(ref, Collection) or isinstance(pred, Collection):
            return self._compare_collections(pred, ref)
        if isinstance(ref, Matrix) or isinstance(pred, Matrix):
            if not (isinstance(ref, Matrix) and isinstance(pred, Matrix)):
                return "different"
            if [len(row) for row in ref.rows] != [len(row) for row in pred.rows]:
                return "different"
            return _all(self._compare(p, r) for pr, rr in zip(pred.rows, ref.rows) for p, r in zip(pr, rr))
        return self._compare_scalars(str(pred), str(ref))

    def _compare_collections(self, pred: object, ref: object) -> Verdict:
        if not isinstance(pred, Collection) or not isinstance(ref, Collection):
            return "different"
        if len(pred.items) != len(ref.items):
            return "different"
        ordered = {"tuple", "interval"}
        if ref.kind in ordered or pred.kind in ordered:
            if ref.kind == "interval" or pred.kind == "interval":
                if ref.brackets != pred.brackets and {ref.kind, pred.kind} <= {"interval", "tuple"}:
                    return "different"
            return _all(self._compare(p, r) for p, r in zip(pred.items, ref.items))
        return self._match_unordered(list(pred.items), list(ref.items))

    def _match_unordered(self, preds: list[object], refs: list[object]) -> Verdict:
        """Every reference item matched by a distinct predicted item (greedy is exact for equality)."""
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
        if _is_text(pred) or _is_text(ref):
            return "equal" if _text_key(pred) == _text_key(ref) else "different"
        try:
            if "=" in pred and "=" in ref:
                return "equal" if equations_equal(pred, ref) else "different"
            if "=" in pred or "=" in ref:  # 'y = 2x + 3' against '2x + 3': compare the defining sides
                pred, ref = _defining_side(pred), _defining_side(ref)
            return "equal" if expressions_equal(pred, ref) else "different"
        except (Unsupported, KeyError, ValueError, OverflowError, RecursionError, TypeError):
            return self._sympy_verdict(pred, ref)

    def _sympy_verdict(self, pred: str, ref: str) -> Verdict:
        if not self.use_sympy:
            return "unknown"
        if self._pool is None:
            self._pool = WorkerPool(_start_sympy_worker, self._sympy_workers)
        reply = self._pool.request({"prediction": pred, "reference": ref}, timeout_s=self.timeout_s)
        if reply is None:
            return "unknown"  # timed out: the worker was killed and replaced
        return reply["verdict"]


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


def _choice_letter(prediction: str) -> str | None:
    """The chosen letter in '(B)', 'B', 'B)', 'The answer is (B).', '\\text{(B)}'."""
    text = normalize_final_answer(prediction)
    match = _CHOICE.match(text)
    if match:
        return match.group(1)
    found = re.findall(r"\(([A-E])\)", prediction) or re.findall(r"(?<![A-Za-z])([A-E])(?![A-Za-z])", prediction)
    return found[-1] if found else None


def _start_sympy_worker() -> JsonLineWorker:
    return JsonLineWorker.start((sys.executable, "-m", "mathlm.eval.sympy_worker"))


_DEFAULT_CHECKER: AnswerChecker | None = None


def is_equivalent(prediction: str | None, reference: str | None) -> bool:
    """Module-level convenience over a shared :class:`AnswerChecker`."""
    global _DEFAULT_CHECKER
    if _DEFAULT_CHECKER is None:
        _DEFAULT_CHECKER = AnswerChecker()
    return _DEFAULT_CHECKER.equivalent(prediction, reference)
