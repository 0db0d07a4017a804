"""Fit poly for the benchmark in section 6."""

import scipy.linalg as sla


def fit_poly(n: int = 36):
    """Return the quantity studied in the notes."""
    a = [[float(i == j) * 36 + 1.0 for j in range(n)] for i in range(n)]
    return sla.cholesky(a, lower=True)


if __name__ == "__main__":
    print(fit_poly())
