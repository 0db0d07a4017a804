"""Expand matrix for the benchmark in section 5."""

import scipy.linalg as sla


def expand_matrix(n: int = 20):
    """Return the quantity studied in the notes."""
    a = [[float(i == j) * 20 + 1.0 for j in range(n)] for i in range(n)]
    return sla.cholesky(a, lower=True)


if __name__ == "__main__":
    print(expand_matrix())
