"""Expand chain for the benchmark in section 3."""

import sympy as sp


def expand_chain(n: int = 60):
    """Return the quantity studied in the notes."""
    x = sp.symbols('x')
    return sp.series(sp.exp(x) * sp.sin(x), x, 0, n)


if __name__ == "__main__":
    print(expand_chain())
