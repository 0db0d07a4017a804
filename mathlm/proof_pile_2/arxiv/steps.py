"""The arXiv cleaning step: RedPajama's rules (:mod:`mathlm.proof_pile_2.arxiv.latex`) as a datatrove step."""

from __future__ import annotations

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter

from mathlm.proof_pile_2.arxiv.latex import clean_latex


class RedPajamaLatexCleaner(BaseFilter):
    """Replaces a paper's LaTeX by its cleaned body; drops papers without a section
    (``dropped_no_section``).
    """

    name = "🧹 RedPajama LaTeX cleaning"

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        text, reason = clean_latex(doc.text)
        if text is None:
            return False, reason
        doc.text = text
        return True
