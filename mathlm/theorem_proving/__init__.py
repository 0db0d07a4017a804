"""Lean 4 few-shot theorem proving: best-first proof search over a Lean language server."""
