"""The arXiv cleaning step: RedPajama's rules (:mod:`mathlm.proof_pile_2.arxiv.latex`) as a datatrove step."""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from mathlm.proof_pile_2.arxiv.latex import MIN_DOCUMENT_CHARS, clean_latex


class RedPajamaLatexCleaner(BaseFilter):
    """Replaces a paper's LaTeX by its cleaned body; drops papers without a section
    (``dropped_no_section``), shorter than ``min_chars`` once cleaned (``dropped_too_short``) or whose
    macros would blow up (``dropped_macro_expansion_too_large``).
    """

    name = "🧹 RedPajama LaTeX cleaning"

    def __init__(
        self, min_chars: int = MIN_DOCUMENT_CHARS, exclusion_writer: DiskWriter | None = None
    ) -> None:
        super().__init__(exclusion_writer)
        self.min_chars = min_chars

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        text, reason = clean_latex(doc.text, self.min_chars)
        if text is None:
            return False, reason
        doc.text = text
        return True
