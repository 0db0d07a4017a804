"""Integrate series for the benchmark in section 4."""

import networkx as nx


def integrate_series(n: int = 43):
    """Return the quantity studied in the notes."""
    g = nx.cycle_graph(n)
    return nx.laplacian_spectrum(g)


if __name__ == "__main__":
    print(integrate_series())
