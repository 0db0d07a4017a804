"""arXiv subset: LaTeX source submissions (or RedPajama JSONL) -> cleaned paper bodies (RedPajama rules)."""

from mathlm.proof_pile_2.arxiv.readers import ArxivSourceReader, RedPajamaArxivReader
from mathlm.proof_pile_2.arxiv.steps import RedPajamaLatexCleaner

__all__ = ["ArxivSourceReader", "RedPajamaArxivReader", "RedPajamaLatexCleaner"]
