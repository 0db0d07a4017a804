"""The AlgebraicStack filters as datatrove steps.

Order in the pipeline: :class:`JupyterToMarkdown` (so every later rule, the base size/digit filter
included, sees the Markdown rather than JSON with base64 images), :class:`AlgebraicStackFilter`
(the per-language rules of :mod:`mathlm.proof_pile_2.code.filters`), :class:`TexEnglishFilter`.
Drop reasons are prefixed with the language (``dropped_python_no_math_import``), so the stats say
which rule of which language removed what.
"""

from __future__ import annotations

from collections.abc import Iterable

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from mathlm.proof_pile_2.code.filters import filter_file
from mathlm.proof_pile_2.code.jupyter import UnreadableNotebook, notebook_to_markdown
from mathlm.proof_pile_2.code.languages import LANGUAGES


class JupyterToMarkdown(BaseFilter):
    """Notebooks (``lang == "jupyter"``) become Markdown; other documents pass untouched.
    A notebook that is not valid JSON is dropped as ``dropped_unreadable_notebook``."""

    name = "📓 Jupyter -> Markdown"

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if doc.metadata.get("lang") != "jupyter":
            return True
        try:
            doc.text = notebook_to_markdown(doc.text)
        except UnreadableNotebook:
            return False, "unreadable_notebook"
        return True


class AlgebraicStackFilter(BaseFilter):
    """Keeps a file when its language is one of ``languages`` and it passes that language's rules.

    Files in other languages are dropped as ``dropped_unsupported_language``; kept files are counted
    per language (``kept_<lang>``).
    """

    name = "🧮 AlgebraicStack filters"

    def __init__(
        self, languages: Iterable[str] = LANGUAGES, exclusion_writer: DiskWriter | None = None
    ) -> None:
        super().__init__(exclusion_writer)
        unknown = sorted(set(languages) - set(LANGUAGES))
        if unknown:
            raise ValueError(f"unknown AlgebraicStack language(s) {unknown}; known: {', '.join(LANGUAGES)}")
        self.languages = frozenset(languages)

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        lang = doc.metadata.get("lang")
        if lang not in self.languages:
            return False, "unsupported_language"
        keep, reason = filter_file(lang, doc.text, doc.metadata.get("path", ""), doc.metadata.get("repo", ""))
        if not keep:
            return False, f"{lang}_{reason}"
        self.stat_update(f"kept_{lang}")
        return True


class TexEnglishFilter(BaseFilter):
    """TeX files must be English (AlgebraicStack's TeX rule), judged by the fastText language identifier
    of the web pipeline; other languages pass. Sets ``natural_language``/``natural_language_score`` on
    TeX documents; drops are ``dropped_tex_not_english``."""

    name = "🌍 TeX: English only"

    def __init__(self, threshold: float = 0.5, exclusion_writer: DiskWriter | None = None) -> None:
        from mathlm.proof_pile_2.web.langid import LanguageFilter

        super().__init__(exclusion_writer)
        self.language_id = LanguageFilter(languages=("en",), threshold=threshold)
        self.threshold = threshold

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        if doc.metadata.get("lang") != "tex":
            return True
        language, score = self.language_id.predict(doc.text)
        doc.metadata["natural_language"] = language
        doc.metadata["natural_language_score"] = score
        if language != "en" or score < self.threshold:
            return False, "tex_not_english"
        return True
