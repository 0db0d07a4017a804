"""The SymPy step of answer checking, run as a separate process (``python -m mathlm.eval.sympy_worker``).

:class:`mathlm.eval.answers.AnswerChecker` sends one JSON line per pair and kills this process when a
pair outlives its timeout, which is the only way to stop a runaway ``simplify`` from another thread.
Each side is read by our own LaTeX parser (turned into SymPy objects) or, failing that, by SymPy's
LaTeX parser; the pair is equal when ``simplify(a - b) == 0``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import sympy
from sympy.parsing.latex import parse_latex

from mathlm.eval.answers import Unsupported, parse_expression

_FUNCTIONS = {
    "sin": sympy.sin,
    "cos": sympy.cos,
    "tan": sympy.tan,
    "sec": sympy.sec,
    "csc": sympy.csc,
    "cot": sympy.cot,
    "arcsin": sympy.asin,
    "arccos": sympy.acos,
    "arctan": sympy.atan,
    "sinh": sympy.sinh,
    "cosh": sympy.cosh,
    "tanh": sympy.tanh,
    "ln": sympy.log,
    "log": sympy.log,
    "exp": sympy.exp,
}
_CONSTANTS = {"pi": sympy.pi, "infty": sympy.oo, "e": sympy.E, "i": sympy.I}


def to_sympy(node: tuple) -> Any:
    """Our parse tree (see mathlm.eval.answers.parse_expression) as a SymPy expression."""
    kind = node[0]
    if kind == "num":
        return sympy.Rational(node[1].numerator, node[1].denominator)
    if kind == "var":
        return sympy.Symbol(node[1])
    if kind == "const":
        return _CONSTANTS[node[1]]
    if kind == "neg":
        return -to_sympy(node[1])
    if kind == "abs":
        return sympy.Abs(to_sympy(node[1]))
    if kind == "fact":
        return sympy.factorial(to_sympy(node[1]))
    if kind == "binom":
        return sympy.binomial(to_sympy(node[1]), to_sympy(node[2]))
    if kind == "call":
        return _FUNCTIONS[node[1]](to_sympy(node[2]))
    left, right = to_sympy(node[1]), to_sympy(node[2])
    operations = {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
        "pow": lambda a, b: a**b,
    }
    return operations[kind](left, right)


def read(text: str) -> Any:
    try:
        return to_sympy(parse_expression(text))
    except Unsupported:
        return parse_latex(text, backend="lark")


def verdict(prediction: str, reference: str) -> str:
    try:
        left, right = read(prediction), read(reference)
    except Exception:  # noqa: BLE001 - unparseable on either side: no verdict, not a crash
        return "unknown"
    try:
        if left == right:
            return "equal"
        difference = sympy.simplify(left - right)
        return "equal" if difference == 0 else "different"
    except Exception:  # noqa: BLE001 - e.g. sets or relations that do not subtract
        return "unknown"


def warm() -> None:
    """Load what SymPy loads lazily on first use (the LaTeX grammar, integration, simplification), so
    that no caller's deadline pays for it: the worker says ready only after this."""
    for prediction, reference in (("\\int_0^1 x dx", "\\frac{1}{2}"), ("\\sin^{2}(x)+\\cos^{2}(x)", "1")):
        verdict(prediction, reference)


def main() -> None:
    sys.setrecursionlimit(10_000)
    warm()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        print(json.dumps({"verdict": verdict(request["prediction"], request["reference"])}), flush=True)


if __name__ == "__main__":
    main()
