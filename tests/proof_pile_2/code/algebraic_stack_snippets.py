"""Real source files in every AlgebraicStack language, shared by the code tests."""

import json

PYTHON_NUMPY = """import os, sys
import numpy as np
from scipy.integrate import quad

def gaussian_integral(sigma: float) -> float:
    value, _ = quad(lambda x: np.exp(-x**2 / (2 * sigma**2)), -np.inf, np.inf)
    return value
"""
PYTHON_WEB = """import numpyro_helpers
from flask import Flask

app = Flask(__name__)

@app.route("/")
def index():
    return "numpy is not imported here"
"""
C_GSL = """#include <stdio.h>
#include <gsl/gsl_sf_bessel.h>

int main(void) {
    double x = 5.0;
    printf("J0(%g) = %.18e\\n", x, gsl_sf_bessel_J0(x));
    return 0;
}
"""
C_PLAIN = """#include <stdio.h>
#include <stdlib.h>

int main(void) { puts("hello"); return EXIT_SUCCESS; }
"""
CPP_EIGEN = """#include <iostream>
#include <Eigen/Dense>

int main() {
    Eigen::MatrixXd m(2, 2);
    m << 3, -1, 2.5, m(1, 0) + m(0, 1);
    std::cout << m.inverse() << std::endl;
}
"""
CPP_TABLE = (
    "#include <boost/array.hpp>\nconst double table[] = {"
    + ", ".join(f"{i}.{i * 7 % 10}" for i in range(300))
    + "};\n"
)
CPP_PLAIN = "#include <vector>\nint main() { std::vector<int> v; return v.size(); }\n"
HASKELL_HMATRIX = """module Main where

import qualified Numeric.LinearAlgebra as LA
import Data.List (sort)

main :: IO ()
main = print (LA.inv (LA.matrix 2 [4, 7, 2, 6]))
"""
HASKELL_PLAIN = 'module Main where\n\nimport Data.Map (Map)\n\nmain :: IO ()\nmain = putStrLn "hi"\n'
JULIA_SOURCE = """using LinearAlgebra

function power_iteration(A::Matrix{Float64}; iters=100)
    v = normalize(rand(size(A, 1)))
    for _ in 1:iters
        v = normalize(A * v)
    end
    return dot(v, A * v)
end
"""
JULIA_TESTS_LINE = "@test power_iteration([2.0 0.0; 0.0 1.0]) ≈ 2.0 atol=1e-6\n"
R_SOURCE = "bootstrap_mean <- function(x, B = 1000) {\n  replicate(B, mean(sample(x, replace = TRUE)))\n}\n"
MAPLE_SOURCE = "f := x -> x^2 * sin(x):\nint(f(x), x = 0 .. Pi);\nsimplify(diff(f(x), x));\n"
MATLAB_SOURCE = """function y = rk4_step(f, t, x, h)
  k1 = f(t, x);
  k2 = f(t + h/2, x + h/2*k1);
  y = x + h*k2;
end
"""
OBJC_SOURCE = (
    "#import <Foundation/Foundation.h>\n@interface Fraction : NSObject\n@property int numerator;\n@end\n"
)
TEX_SOURCE = r"""\documentclass{article}
\begin{document}
\section{Groups}
A group is a set with an associative operation.
\end{document}
"""
JUPYTER_RAW = json.dumps(
    {"cells": [{"cell_type": "markdown", "source": ["$$\\begin{equation} e^{i\\pi}+1=0 \\end{equation}$$"]}]}
)
COQ_SOURCE = """Require Import Arith.

Theorem plus_comm' : forall n m : nat, n + m = m + n.
Proof.
  intros n m. induction n; simpl; auto.
Qed.
"""
VERILOG_SOURCE = """module counter(input clk, output reg [3:0] q);
  wire reset;
  always @(posedge clk) q <= q + 1;
endmodule
"""
LEAN_SOURCE = """import Mathlib.Data.Nat.Basic

theorem add_zero' (n : ℕ) : n + 0 = n := by
  simp
"""
