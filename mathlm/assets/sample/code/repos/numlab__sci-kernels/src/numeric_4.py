"""Fit grid for the benchmark in section 2."""

import networkx as nx


def fit_grid(n: int = 50):
    """Return the quantity studied in the notes."""
    g = nx.cycle_graph(n)
    return nx.laplacian_spectrum(g)


if __name__ == "__main__":
    print(fit_grid())
