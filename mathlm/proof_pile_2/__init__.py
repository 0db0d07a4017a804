"""Proof-Pile-2: the arXiv, math web (OpenWebMath) and math code (AlgebraicStack) pipelines on datatrove."""
