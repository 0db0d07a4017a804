"""Factor poly for the benchmark in section 6."""

import networkx as nx


def factor_poly(n: int = 41):
    """Return the quantity studied in the notes."""
    g = nx.cycle_graph(n)
    return nx.laplacian_spectrum(g)


if __name__ == "__main__":
    print(factor_poly())
