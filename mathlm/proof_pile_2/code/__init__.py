"""AlgebraicStack subset: math code in 17 languages, filtered per language, notebooks as Markdown,
exact dedup of 2,048-character chunks."""

from mathlm.proof_pile_2.code.dedup import ChunkDedupFilter, ChunkDedupFinder, ChunkDedupSignature
from mathlm.proof_pile_2.code.readers import SourceTreeReader, StackJsonlReader, StackParquetReader
from mathlm.proof_pile_2.code.steps import AlgebraicStackFilter, JupyterToMarkdown, TexEnglishFilter

__all__ = [
    "AlgebraicStackFilter",
    "ChunkDedupFilter",
    "ChunkDedupFinder",
    "ChunkDedupSignature",
    "JupyterToMarkdown",
    "SourceTreeReader",
    "StackJsonlReader",
    "StackParquetReader",
    "TexEnglishFilter",
]
