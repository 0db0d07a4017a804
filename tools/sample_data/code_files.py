"""Source files in the AlgebraicStack languages, each labelled with the verdict its filter should give.

For every language there are files that pass the per-language filter of the AlgebraicStack
(see docs of ``mathlm.proof_pile_2``; the rules are Llemma's) and files that fail it for a named
reason, so filter tests can select "a Coq file that is really Verilog" from the manifest instead of
writing one inline. Files that only differ in size (over 1 MB, Julia over 100 kB) are not stored:
the manifest tells tests how to synthesize them from a stored file.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from tools.sample_data.web import tiny_png

Rng = random.Random


@dataclass
class CodeFile:
    """One file: language, path in its repo, content and the filter verdict it should get."""

    lang: str
    path: str
    content: str
    expected: str = "keep"
    reason: str = ""
    kinds: list[str] = field(default_factory=list)


def _name(rng: Rng) -> str:
    return (
        rng.choice(
            [
                "solve",
                "integrate",
                "project",
                "estimate",
                "refine",
                "smooth",
                "factor",
                "reduce",
                "expand",
                "normalize",
                "sample",
                "fit",
            ]
        )
        + "_"
        + rng.choice(
            ["system", "grid", "basis", "kernel", "series", "matrix", "field", "chain", "poly", "mesh"]
        )
    )


# ------------------------------------------------------------------ Python
def python_numeric(rng: Rng) -> str:
    lib = rng.choice(["numpy as np", "scipy.linalg as sla", "sympy as sp", "networkx as nx", "mpmath"])
    fn, n = _name(rng), rng.randint(3, 64)
    body = {
        "numpy as np": f"    a = np.random.default_rng({n}).normal(size=(n, n))\n    return np.linalg.eigvalsh(a @ a.T)\n",
        "scipy.linalg as sla": f"    a = [[float(i == j) * {n} + 1.0 for j in range(n)] for i in range(n)]\n    return sla.cholesky(a, lower=True)\n",
        "sympy as sp": "    x = sp.symbols('x')\n    return sp.series(sp.exp(x) * sp.sin(x), x, 0, n)\n",
        "networkx as nx": "    g = nx.cycle_graph(n)\n    return nx.laplacian_spectrum(g)\n",
        "mpmath": "    mpmath.mp.dps = n\n    return mpmath.quad(lambda t: mpmath.exp(-t * t), [0, mpmath.inf])\n",
    }[lib]
    return (
        f'"""{fn.replace("_", " ").capitalize()} for the benchmark in section {rng.randint(2, 6)}."""\n\n'
        f'import {lib}\n\n\ndef {fn}(n: int = {n}):\n    """Return the quantity studied in the notes."""\n'
        f'{body}\n\nif __name__ == "__main__":\n    print({fn}())\n'
    )


def python_plain(rng: Rng) -> str:
    fn = _name(rng)
    return (
        f"import os\nimport sys\n\n\ndef {fn}(path):\n    with open(path) as handle:\n"
        "        return [line.strip() for line in handle if line.strip()]\n\n\n"
        f"if __name__ == '__main__':\n    for item in {fn}(sys.argv[1]):\n        print(os.path.basename(item))\n"
    )


def python_json_like(rng: Rng) -> str:
    return (
        json.dumps(
            {"import numpy": True, "config": {"seed": rng.randint(1, 99), "steps": rng.randint(10, 99)}},
            indent=2,
        )
        + "\n"
    )


# ------------------------------------------------------------------ C / C++
def c_gsl(rng: Rng) -> str:
    header, call = rng.choice(
        [
            ("gsl/gsl_sf_bessel.h", "gsl_sf_bessel_J0(x)"),
            ("fftw3.h", "0.0"),
            ("cblas.h", "cblas_ddot(3, v, 1, v, 1)"),
            ("lapacke.h", "0.0"),
        ]
    )
    x = rng.randint(2, 20)
    return (
        f"#include <stdio.h>\n#include <{header}>\n\n/* Evaluate the special function on a grid. */\n"
        f"int main(void) {{\n    double x = {x}.0 / 3.0;\n    double v[3] = {{x, x, x}};\n    (void)v;\n"
        f'    double y = {call};\n    printf("f(%g) = %.12g\\n", x, y);\n    return 0;\n}}\n'
    )


def c_plain(rng: Rng) -> str:
    return (
        "#include <stdio.h>\n#include <string.h>\n\nint main(int argc, char **argv) {\n"
        '    for (int i = 1; i < argc; ++i) {\n        printf("%zu\\n", strlen(argv[i]));\n    }\n'
        f"    return {rng.randint(0, 1)};\n}}\n"
    )


def cpp_eigen(rng: Rng) -> str:
    lib, use = rng.choice(
        [
            (
                "Eigen/Dense",
                "Eigen::MatrixXd m = Eigen::MatrixXd::Identity(n, n);\n    std::cout << m.trace() << std::endl;",
            ),
            (
                "boost/math/special_functions/gamma.hpp",
                "std::cout << boost::math::tgamma(n + 0.5) << std::endl;",
            ),
            (
                "armadillo",
                "arma::mat a(n, n, arma::fill::randu);\n    std::cout << arma::det(a) << std::endl;",
            ),
        ]
    )
    return (
        f"#include <iostream>\n#include <{lib}>\n\n// Small driver used in the convergence study.\n"
        f"int main() {{\n    const int n = {rng.randint(3, 9)};\n    {use}\n    return 0;\n}}\n"
    )


def cpp_digits(rng: Rng) -> str:
    rows = "\n".join("    {" + ", ".join(f"{rng.random():.4f}" for _ in range(4)) + "}," for _ in range(3))
    return (
        "#include <Eigen/Dense>\n\n// Lookup table generated from the reference solution of the solver.\n"
        "// Each row holds the weights of one quadrature level.\n"
        f"static const double kTable[3][4] = {{\n{rows}\n}};\n\n"
        "int main() {\n    Eigen::Vector4d weights(kTable[0][0], kTable[0][1], kTable[0][2], kTable[0][3]);\n"
        "    return weights.sum() > 2.0;\n}\n"
    )


def cpp_plain(rng: Rng) -> str:
    return (
        "#include <iostream>\n#include <string>\n#include <vector>\n\nint main() {\n"
        '    std::vector<std::string> names{"alpha", "beta", "gamma"};\n'
        "    for (const auto &name : names) std::cout << name << '\\n';\n"
        f"    return {rng.randint(0, 1)};\n}}\n"
    )


# ------------------------------------------------------------------ Haskell / Julia / R
def haskell_linear(rng: Rng) -> str:
    module = rng.choice(["Numeric.LinearAlgebra", "Data.Complex", "Statistics.Sample"])
    return (
        f"module Main where\n\nimport {module}\n\n-- | Power iteration for the dominant eigenvalue.\n"
        f"steps :: Int\nsteps = {rng.randint(10, 200)}\n\nmain :: IO ()\nmain = print steps\n"
    )


def haskell_plain(rng: Rng) -> str:
    return (
        "module Main where\n\nimport qualified Data.Map as M\n\n-- | Count word frequencies.\n"
        "main :: IO ()\nmain = interact $ show . M.toList . M.fromListWith (+) . map (\\w -> (w, 1 :: Int)) . words\n"
    )


def julia_numeric(rng: Rng) -> str:
    n = rng.randint(8, 128)
    return (
        f'using LinearAlgebra\n\n"""\n    {_name(rng)}(n)\n\nBuild the {n}-point Laplacian and return its spectrum.\n"""\n'
        f"function laplacian_spectrum(n::Int = {n})\n    A = SymTridiagonal(fill(2.0, n), fill(-1.0, n - 1))\n"
        "    return eigvals(A)\nend\n\nprintln(laplacian_spectrum())\n"
    )


def julia_tests(rng: Rng) -> str:
    lines = "\n".join(f"    @test isapprox(sqrt({k * k}.0), {k}.0)" for k in range(2, 2 + rng.randint(8, 16)))
    return f'using Test\n\n@testset "square roots" begin\n{lines}\nend\n'


def julia_brace(rng: Rng) -> str:
    return (
        json.dumps({"name": "Manifest", "julia_version": f"1.{rng.randint(6, 10)}.0", "deps": {}}, indent=2)
        + "\n"
    )


def r_stats(rng: Rng) -> str:
    n = rng.randint(20, 500)
    return (
        f"# Bootstrap confidence interval for the mean\nset.seed({rng.randint(1, 999)})\nx <- rnorm({n}, mean = 2, sd = 1.5)\n"
        "boot <- replicate(1000, mean(sample(x, replace = TRUE)))\nquantile(boot, c(0.025, 0.975))\n"
        "fit <- lm(x ~ seq_along(x))\nsummary(fit)\n"
    )


def r_xml(rng: Rng) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<project><name>rpackage{rng.randint(1, 99)}</name></project>\n'


def r_resource_fork(rng: Rng) -> str:
    return "/* Resource fork of a classic Mac OS file, exported as text */\nresource 'STR#' (128) { };\n"


# ------------------------------------------------------------------ CAS and proof languages
def maple_script(rng: Rng) -> str:
    n = rng.randint(3, 9)
    return (
        f"# Symbolic check of the recurrence\nf := proc(n) option remember; if n < 2 then n else f(n-1) + f(n-2) end if end proc:\n"
        f"seq(f(k), k = 0 .. {n * 3});\nsolve(x^2 - {n}*x + {n - 1} = 0, x);\nint(sin(x)^{n}, x = 0 .. Pi);\n"
    )


def maple_xml(rng: Rng) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Worksheet><Version major="{rng.randint(15, 2023)}"/></Worksheet>\n'


def gap_script(rng: Rng) -> str:
    n = rng.randint(4, 8)
    return (
        f"# Orders of elements in the symmetric group\nG := SymmetricGroup({n});;\n"
        "Collected(List(Elements(G), Order));\nIsSolvable(G);\n"
        f"H := SylowSubgroup(G, 2);;\nSize(H);\n"
    )


def lean_theorems(rng: Rng) -> str:
    a, b = rng.randint(2, 40), rng.randint(2, 40)
    return (
        f"import Mathlib\n\nopen Nat\n\n/-- A small arithmetic fact used later. -/\ntheorem add_comm_{a}_{b} : "
        f"({a} : ℕ) + {b} = {b} + {a} := by\n  norm_num\n\nlemma sq_nonneg_{a} (x : ℝ) : 0 ≤ (x - {a}) ^ 2 := by\n"
        f"  positivity\n\nexample : ({a} : ℤ) * {b} = {a * b} := by norm_num\n"
    )


def lean_defs_only(rng: Rng) -> str:
    return (
        "import Mathlib\n\n/-- Configuration for the tactic framework. -/\nstructure Config where\n"
        f"  maxSteps : Nat := {rng.randint(10, 999)}\n  verbose : Bool := false\n\ndef defaultConfig : Config := {{}}\n"
    )


def lean_long(rng: Rng) -> str:
    """A Lean file longer than 2,048 characters (the chunk size of the Lean exact-dedup step)."""
    blocks = []
    for k in range(2, 40):
        blocks.append(
            f"theorem pow_two_le_{k} (n : ℕ) (h : {k} ≤ n) : {k} * n ≤ n * n := by\n"
            f"  exact Nat.mul_le_mul_right n h\n"
        )
    return "import Mathlib\n\nnamespace Bounds\n\n" + "\n".join(blocks) + "\nend Bounds\n"


def isabelle_theory(rng: Rng) -> str:
    name = rng.choice(["Sums", "Primes", "Lists", "Orders"]) + str(rng.randint(1, 99))
    return (
        f'theory {name}\n  imports Main\nbegin\n\nlemma sum_upto: "(\\<Sum>i\\<le>n. i) = n * (n + 1) div 2"\n'
        '  by (induct n) auto\n\ntheorem rev_rev: "rev (rev xs) = xs"\n  by simp\n\nend\n'
    )


def idris_module(rng: Rng) -> str:
    return (
        "module Vect\n\n%default total\n\ndata Vec : Nat -> Type -> Type where\n  Nil  : Vec Z a\n"
        "  (::) : a -> Vec n a -> Vec (S n) a\n\nappend : Vec n a -> Vec m a -> Vec (n + m) a\n"
        "append [] ys = ys\nappend (x :: xs) ys = x :: append xs ys\n"
        f"\nlen{rng.randint(1, 99)} : Vec n a -> Nat\nlen{rng.randint(1, 99)} _ = 0\n"
    )


def agda_module(rng: Rng) -> str:
    return (
        "module Nat where\n\ndata ℕ : Set where\n  zero : ℕ\n  suc  : ℕ → ℕ\n\n_+_ : ℕ → ℕ → ℕ\n"
        "zero + n = n\nsuc m + n = suc (m + n)\n\ndata _≡_ {A : Set} (x : A) : A → Set where\n  refl : x ≡ x\n\n"
        "+-identity : ∀ n → zero + n ≡ n\n+-identity n = refl\n" + f"-- exercise {rng.randint(1, 30)}\n"
    )


def fortran_solver(rng: Rng) -> str:
    n = rng.randint(10, 200)
    return (
        f"program jacobi\n  implicit none\n  integer, parameter :: n = {n}\n  real(8) :: u(n), v(n)\n  integer :: i, it\n"
        "  u = 0.0d0\n  u(n) = 1.0d0\n  do it = 1, 500\n     do i = 2, n - 1\n        v(i) = 0.5d0 * (u(i - 1) + u(i + 1))\n"
        "     end do\n     u(2:n-1) = v(2:n-1)\n  end do\n  print *, u(n / 2)\nend program jacobi\n"
    )


def fortran_data(rng: Rng) -> str:
    values = "\n".join(
        "     &  " + ", ".join(f"{rng.randint(0, 99999)}.{rng.randint(0, 999):03d}" for _ in range(6)) + ","
        for _ in range(40)
    )
    return (
        f"      BLOCK DATA TABLES\n      REAL*8 T(240)\n      DATA T /\n{values}\n     &  0.0 /\n      END\n"
    )


def matlab_script(rng: Rng) -> str:
    n = rng.randint(10, 100)
    return (
        f"% Finite-difference solution of the Poisson equation\nn = {n};\nh = 1/(n+1);\n"
        "A = spdiags([-ones(n,1) 2*ones(n,1) -ones(n,1)], -1:1, n, n) / h^2;\n"
        "f = ones(n,1);\nu = A \\ f;\nplot(linspace(h, 1-h, n), u);\ntitle('u(x)');\n"
    )


# ------------------------------------------------------------------ TeX / Coq
def tex_notes(rng: Rng) -> str:
    k = rng.randint(2, 9)
    return (
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n\\section{Sums of powers}\n"
        f"The sum of the first $n$ cubes equals the square of the sum of the first $n$ integers. For $n = {k}$ "
        f"both sides equal ${(k * (k + 1) // 2) ** 2}$.\n\\begin{{equation}}\n  \\sum_{{i=1}}^n i^3 = "
        "\\left(\\frac{n(n+1)}{2}\\right)^2\n\\end{equation}\nThe proof is a short induction on $n$.\n\\end{document}\n"
    )


def tex_no_section(rng: Rng) -> str:
    return (
        "\\documentclass{article}\n\\begin{document}\nThis file only holds a table for the appendix.\n"
        f"\\begin{{tabular}}{{cc}} a & {rng.randint(1, 9)} \\\\ b & {rng.randint(1, 9)} \\end{{tabular}}\n\\end{{document}}\n"
    )


def tex_gnuplot(rng: Rng) -> str:
    return (
        "% GNUPLOT: LaTeX picture with Postscript\n\\section{Figure}\n\\begin{picture}(1500,900)(0,0)\n"
        f"\\put({rng.randint(100, 900)},{rng.randint(100, 900)}){{\\makebox(0,0)[r]{{1}}}}\n\\end{{picture}}\n"
    )


def tex_german(rng: Rng) -> str:
    return (
        "\\documentclass{article}\n\\begin{document}\n\\section{Einleitung}\nIn diesem Kapitel untersuchen wir "
        "die Konvergenz der Folge und zeigen, dass sie für alle natürlichen Zahlen beschränkt ist. Die Beweise "
        f"sind elementar und benötigen nur die Dreiecksungleichung (Aufgabe {rng.randint(1, 20)}).\n\\end{{document}}\n"
    )


def coq_proof(rng: Rng) -> str:
    n = rng.randint(2, 9)
    return (
        "Require Import Arith.\n\nInductive even : nat -> Prop :=\n| even_O : even 0\n| even_SS : forall n, even n -> even (S (S n)).\n\n"
        f"Definition double (n : nat) := n + n.\n\nTheorem double_even : forall n, even (double n).\nProof.\n"
        "  intros n. unfold double. induction n as [| n IH].\n  - constructor.\n  - rewrite <- plus_n_Sm. simpl. constructor. exact IH.\nQed.\n"
        f"\nExample ex{n} : double {n} = {2 * n}.\nProof. reflexivity. Qed.\n"
    )


def coq_verilog(rng: Rng) -> str:
    width = rng.choice([8, 16, 32])
    return (
        f"module counter(input clk, input rst, output reg [{width - 1}:0] q);\n  always @(posedge clk) begin\n"
        f"    if (rst) q <= {width}'d0;\n    else q <= q + 1;\n  end\nendmodule\n"
    )


def coq_generated(rng: Rng) -> str:
    return (
        f"(* This file was automatically generated by the extraction tool, version {rng.randint(1, 9)}.0. *)\n"
        "(* DO NOT EDIT. *)\nDefinition table : list nat := 1 :: 2 :: 3 :: nil.\nTheorem table_len : length table = 3.\nProof. reflexivity. Qed.\n"
    )


def coq_notation_only(rng: Rng) -> str:
    return f'Require Import List.\nImport ListNotations.\n\nNotation "x ++> y" := (app x y) (at level {rng.randint(50, 70)}).\n'


# ------------------------------------------------------------------ Jupyter
def _notebook(cells: list[dict[str, object]]) -> str:
    notebook = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.10.12"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def _cell(
    kind: str, source: str, index: int, outputs: list[dict[str, object]] | None = None
) -> dict[str, object]:
    cell: dict[str, object] = {
        "cell_type": kind,
        "id": f"cell-{index:04d}",
        "metadata": {},
        "source": source.splitlines(keepends=True),
    }
    if kind == "code":
        cell.update(execution_count=index, outputs=outputs or [])
    return cell


def jupyter_math(rng: Rng) -> str:
    a = rng.randint(2, 9)
    image = base64.b64encode(tiny_png()).decode("ascii")
    return _notebook(
        [
            _cell(
                "markdown",
                "# Damped oscillator\n\nWe solve\n\\begin{equation}\n  \\ddot x + 2\\zeta\\omega \\dot x + "
                "\\omega^2 x = 0\n\\end{equation}\nfor several damping ratios.",
                0,
            ),
            _cell(
                "code",
                f"import numpy as np\nzeta = np.linspace(0.1, 1.0, {a})\nzeta.round(2)",
                1,
                [
                    {
                        "output_type": "execute_result",
                        "execution_count": 1,
                        "metadata": {},
                        "data": {"text/plain": [f"array([0.1 , ..., 1.  ])  # {a} values"]},
                    }
                ],
            ),
            _cell(
                "code",
                "import matplotlib.pyplot as plt\nplt.plot(zeta, np.exp(-zeta))",
                2,
                [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"image/png": image, "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
                    }
                ],
            ),
            _cell(
                "code",
                "x = undefined_name + 1",
                3,
                [
                    {
                        "output_type": "error",
                        "ename": "NameError",
                        "evalue": "name 'undefined_name' is not defined",
                        "traceback": [
                            "\u001b[0;31mNameError\u001b[0m                                 Traceback (most recent call last)",
                            "Cell \u001b[0;32mIn[3], line 1\u001b[0m\n\u001b[0;32m----> 1\u001b[0m x \u001b[38;5;241m=\u001b[39m undefined_name",
                            "\u001b[0;31mNameError\u001b[0m: name 'undefined_name' is not defined",
                        ],
                    }
                ],
            ),
            _cell(
                "code",
                "print('energy decays like', round(float(np.exp(-1)), 4))",
                4,
                [{"output_type": "stream", "name": "stdout", "text": ["energy decays like 0.3679\n"]}],
            ),
        ]
    )


def jupyter_sympy(rng: Rng) -> str:
    n = rng.randint(2, 6)
    return _notebook(
        [
            _cell("markdown", "## Series expansions with SymPy", 0),
            _cell(
                "code",
                f"import sympy as sp\nx = sp.symbols('x')\nsp.series(sp.cos(x), x, 0, {2 * n})",
                1,
                [
                    {
                        "output_type": "execute_result",
                        "execution_count": 1,
                        "metadata": {},
                        "data": {
                            "text/plain": ["1 - x**2/2 + x**4/24 + O(x**6)"],
                            "text/latex": [
                                "$\\displaystyle 1 - \\frac{x^{2}}{2} + \\frac{x^{4}}{24} + O\\left(x^{6}\\right)$"
                            ],
                        },
                    }
                ],
            ),
        ]
    )


def jupyter_plain(rng: Rng) -> str:
    return _notebook(
        [
            _cell("markdown", "# Cleaning the survey export", 0),
            _cell(
                "code",
                f"import pandas as pd\ndf = pd.read_csv('survey.csv')\ndf.head({rng.randint(3, 9)})",
                1,
            ),
        ]
    )


Maker = Callable[[Rng], str]
# language -> (extension, directory, [(maker, expected, reason, copies)])
LANGUAGES: dict[str, tuple[str, str, list[tuple[Maker, str, str, int]]]] = {
    "Python": (
        "py",
        "src",
        [
            (python_numeric, "keep", "", 6),
            (python_plain, "drop", "no_scientific_import", 3),
            (python_json_like, "drop", "starts_with_brace", 1),
        ],
    ),
    "C": ("c", "csrc", [(c_gsl, "keep", "", 5), (c_plain, "drop", "no_math_include", 3)]),
    "C++": (
        "cpp",
        "cpp",
        [
            (cpp_eigen, "keep", "", 5),
            (cpp_digits, "drop", "digit_density", 2),
            (cpp_plain, "drop", "no_math_include", 2),
        ],
    ),
    "Haskell": ("hs", "hs", [(haskell_linear, "keep", "", 4), (haskell_plain, "drop", "no_math_import", 3)]),
    "Julia": (
        "jl",
        "julia",
        [
            (julia_numeric, "keep", "", 4),
            (julia_tests, "keep", "", 2),
            (julia_brace, "drop", "starts_with_brace", 2),
        ],
    ),
    "R": (
        "R",
        "R",
        [
            (r_stats, "keep", "", 4),
            (r_xml, "drop", "starts_with_xml", 2),
            (r_resource_fork, "drop", "resource_fork", 1),
        ],
    ),
    "Maple": ("mpl", "maple", [(maple_script, "keep", "", 4), (maple_xml, "drop", "xml", 2)]),
    "GAP": ("g", "gap", [(gap_script, "keep", "", 5)]),
    "Lean": ("lean", "Lean", [(lean_theorems, "keep", "", 5), (lean_defs_only, "drop", "no_theorem", 3)]),
    "Isabelle": ("thy", "isabelle", [(isabelle_theory, "keep", "", 5)]),
    "Idris": ("idr", "idris", [(idris_module, "keep", "", 3)]),
    "Agda": ("agda", "agda", [(agda_module, "keep", "", 3)]),
    "Fortran": (
        "f90",
        "fortran",
        [(fortran_solver, "keep", "", 4), (fortran_data, "drop", "digit_fraction", 2)],
    ),
    "TeX": (
        "tex",
        "tex",
        [
            (tex_notes, "keep", "", 4),
            (tex_no_section, "drop", "no_section", 2),
            (tex_gnuplot, "drop", "gnuplot", 1),
            (tex_german, "drop", "not_english", 1),
        ],
    ),
    "Jupyter": (
        "ipynb",
        "notebooks",
        [
            (jupyter_math, "keep", "", 3),
            (jupyter_sympy, "keep", "", 2),
            (jupyter_plain, "drop", "no_math", 2),
        ],
    ),
    "Coq": (
        "v",
        "coq",
        [
            (coq_proof, "keep", "", 5),
            (coq_verilog, "drop", "verilog", 2),
            (coq_generated, "drop", "auto_generated", 1),
            (coq_notation_only, "drop", "no_keyword", 1),
        ],
    ),
    "MATLAB": ("m", "matlab", [(matlab_script, "keep", "", 5)]),
}


def language_files(rng: Rng) -> list[CodeFile]:
    """Every language's files in a fixed order, with unique paths inside their language folder."""
    files = []
    for lang, (ext, folder, makers) in LANGUAGES.items():
        for maker, expected, reason, copies in makers:
            for copy in range(copies):
                stem = maker.__name__.split("_", 1)[1]
                files.append(CodeFile(lang, f"{folder}/{stem}_{copy}.{ext}", maker(rng), expected, reason))
    return files


def special_files(rng: Rng) -> list[CodeFile]:
    """Files that test one rule each: long Lean (chunk dedup), R ``Requirement`` specs, a LaTeX-path TeX file."""
    return [
        CodeFile("Lean", "Lean/Bounds.lean", lean_long(rng), kinds=["lean_long"]),
        CodeFile(
            "R",
            "R/requirements.R",
            'Requirement {\n  Identifier = "REQ-001"\n  Text = "The model shall converge"\n}\n',
            "drop",
            "requirement_identifier",
        ),
        CodeFile("TeX", "latex/chapter1.tex", tex_notes(rng), "drop", "latex_in_path"),
    ]


@dataclass
class Repo:
    """A local checkout ``code/repos/<owner>__<name>/`` with its files."""

    name: str
    files: list[CodeFile]


REPO_LANGUAGES = {
    "numlab__sci-kernels": ("Python", "C", "C++", "Fortran", "Julia", "MATLAB", "R"),
    "proofclub__formal-notes": ("Lean", "Coq", "Isabelle", "Agda", "Idris"),
    "cas-lab__symbolic": ("Maple", "GAP", "TeX", "Haskell", "Jupyter"),
}
EXCLUDED_REPO = "imo-formal__miniF2F"


def build_repos(rng: Rng) -> list[Repo]:
    """Three topic repos, a miniF2F repo (excluded by name) and two exact cross-repo duplicates."""
    files = language_files(rng) + special_files(rng)
    repos = [Repo(name, [f for f in files if f.lang in langs]) for name, langs in REPO_LANGUAGES.items()]
    repos.append(
        Repo(
            EXCLUDED_REPO,
            [
                CodeFile(
                    "Lean", "MiniF2F/Test/amc12a_2019_p21.lean", lean_theorems(rng), "drop", "excluded_repo"
                )
            ],
        )
    )
    for source_repo, source, target_repo, target in [
        ("numlab__sci-kernels", "src/numeric_0.py", "cas-lab__symbolic", "scripts/numeric_0.py"),
        ("proofclub__formal-notes", "Lean/Bounds.lean", "cas-lab__symbolic", "lean/Bounds.lean"),
    ]:
        original = next(
            f for repo in repos if repo.name == source_repo for f in repo.files if f.path == source
        )
        copy = CodeFile(
            original.lang,
            target,
            original.content,
            original.expected,
            original.reason,
            [f"exact_duplicate_of:code/repos/{source_repo}/{source}"],
        )
        next(repo for repo in repos if repo.name == target_repo).files.append(copy)
    return repos


def the_stack_records(rng: Rng) -> list[tuple[CodeFile, str]]:
    """Two files in three of a fresh generation, as (file, repo_name) rows of a the-stack-style shard."""
    owners = ["mathgeek", "hpc-lab", "proofs-r-us", "numerics", "stats-group", "formal-team", "cas-users"]
    rows = []
    for index, code in enumerate(language_files(rng)):
        if index % 3 != 2:
            rows.append(
                (code, f"{rng.choice(owners)}/{code.lang.lower().replace('+', 'p')}-{rng.randint(1, 999)}")
            )
    rows.append(
        (
            CodeFile(
                "Lean", "MiniF2F/Valid/mathd_algebra_10.lean", lean_theorems(rng), "drop", "excluded_repo"
            ),
            "openai/miniF2F",
        )
    )
    rows.append(
        (
            CodeFile("Lean", "src/ProofNet/exercise_1_13.lean", lean_theorems(rng), "drop", "excluded_repo"),
            "zhangir-azerbayev/ProofNet",
        )
    )
    return rows


def synthesize_rules(repo_root: str) -> list[dict[str, object]]:
    """Size-dependent cases, described instead of stored: repeat ``base`` until it has ``min_bytes`` bytes."""
    return [
        {
            "lang": "Python",
            "base": f"{repo_root}/numlab__sci-kernels/src/numeric_0.py",
            "min_bytes": 1_048_576,
            "expected": "drop",
            "reason": "too_large",
        },
        {
            "lang": "Julia",
            "base": f"{repo_root}/numlab__sci-kernels/julia/tests_0.jl",
            "min_bytes": 100_000,
            "expected": "keep",
            "reason": "large_test_file",
        },
        {
            "lang": "Julia",
            "base": f"{repo_root}/numlab__sci-kernels/julia/numeric_0.jl",
            "min_bytes": 100_000,
            "expected": "drop",
            "reason": "large_non_test_file",
        },
        {
            "lang": "Maple",
            "base": f"{repo_root}/cas-lab__symbolic/maple/script_0.mpl",
            "min_bytes": 100_001,
            "expected": "drop",
            "reason": "too_large",
        },
    ]
