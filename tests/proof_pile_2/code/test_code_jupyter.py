"""Notebook -> Markdown on real notebook JSON (nbformat 4 and 3)."""

from __future__ import annotations

import json

import pytest

from mathlm.proof_pile_2.code.jupyter import UnreadableNotebook, notebook_to_markdown

NOTEBOOK_V4 = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {
        "kernelspec": {"name": "python3", "language": "python"},
        "language_info": {"name": "python"},
    },
    "cells": [
        {
            "cell_type": "markdown",
            "metadata": {},
            "source": [
                "# Series\n",
                "\\begin{equation}\n",
                "\\sum_{n\\ge 1} \\frac{1}{n^2} = \\frac{\\pi^2}{6}\n",
                "\\end{equation}",
            ],
        },
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "source": [
                "import sympy as sp\n",
                "n = sp.symbols('n')\n",
                "sp.summation(1/n**2, (n, 1, sp.oo))",
            ],
            "outputs": [
                {
                    "output_type": "execute_result",
                    "execution_count": 1,
                    "metadata": {},
                    "data": {
                        "text/plain": ["pi**2/6"],
                        "text/latex": ["$\\displaystyle \\frac{\\pi^{2}}{6}$"],
                    },
                }
            ],
        },
        {
            "cell_type": "code",
            "execution_count": 2,
            "metadata": {},
            "source": ["print('partial sum', sum(1/k**2 for k in range(1, 1001)))"],
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": ["partial sum 1.6439345666815615\n"]}
            ],
        },
        {
            "cell_type": "code",
            "execution_count": 3,
            "metadata": {},
            "source": ["import matplotlib.pyplot as plt\n", "plt.plot([1, 2, 3])"],
            "outputs": [
                {
                    "output_type": "execute_result",
                    "data": {"text/plain": ["[<matplotlib.lines.Line2D>]"]},
                    "metadata": {},
                    "execution_count": 3,
                },
                {
                    "output_type": "display_data",
                    "metadata": {},
                    "data": {
                        "image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ",
                        "text/plain": ["<Figure>"],
                    },
                },
            ],
        },
        {
            "cell_type": "code",
            "execution_count": 4,
            "metadata": {},
            "source": ["1/0"],
            "outputs": [
                {
                    "output_type": "error",
                    "ename": "ZeroDivisionError",
                    "evalue": "division by zero",
                    "traceback": ["Traceback (most recent call last)", "ZeroDivisionError: division by zero"],
                }
            ],
        },
    ],
}


def test_notebook_to_markdown_v4() -> None:
    markdown = notebook_to_markdown(json.dumps(NOTEBOOK_V4))
    assert markdown.startswith("# Series\n\\begin{equation}\n\\sum_{n\\ge 1}")
    assert "```python\nimport sympy as sp\nn = sp.symbols('n')" in markdown
    assert "$\\displaystyle \\frac{\\pi^{2}}{6}$" in markdown  # LaTeX output kept verbatim, not text/plain
    assert "```\npartial sum 1.6439345666815615\n```" in markdown
    assert "plt.plot([1, 2, 3])" in markdown  # the code of a cell with an image stays...
    assert (
        "iVBORw0" not in markdown and "Line2D" not in markdown and "<Figure>" not in markdown
    )  # ...its outputs go
    assert (
        "```python\n1/0\n```" in markdown
        and "Traceback" not in markdown
        and "ZeroDivisionError" not in markdown
    )


def test_notebook_to_markdown_v3_worksheets() -> None:
    notebook = {
        "nbformat": 3,
        "metadata": {},
        "worksheets": [
            {
                "cells": [
                    {"cell_type": "markdown", "source": "Fibonacci numbers $F_n$"},
                    {
                        "cell_type": "code",
                        "language": "python",
                        "input": "fib(10)",
                        "outputs": [{"output_type": "pyout", "text": ["55"]}],
                    },
                    {
                        "cell_type": "code",
                        "input": "plot()",
                        "outputs": [{"output_type": "display_data", "png": "iVBOR"}],
                    },
                ]
            }
        ],
    }
    assert notebook_to_markdown(json.dumps(notebook)) == (
        "Fibonacci numbers $F_n$\n\n```python\nfib(10)\n```\n\n```\n55\n```\n\n```python\nplot()\n```"
    )


@pytest.mark.parametrize("raw", ['{"cells": [', "[1, 2]", '{"metadata": {}}'])
def test_unreadable_notebooks(raw: str) -> None:
    with pytest.raises(UnreadableNotebook):
        notebook_to_markdown(raw)
