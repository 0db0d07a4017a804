"""The datatrove step that turns HTML documents into math-preserving text (see ``extract.py``).

It runs each page in datatrove's extractor sandbox (a worker process with a per-document timeout), so a
pathological page costs at most ``timeout`` seconds and a crash in the parser costs one document, never
the shard. Every document that does not come out is counted under a reason in the step's stats.
"""

from __future__ import annotations

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.extractors.base import BaseExtractor, ExtractorSandbox
from datatrove.utils.typeshelper import StatHints

from mathlm.proof_pile_2.web.extract import ExtractedPage, extract_math_text


def extract_page(html: str, url: str | None) -> ExtractedPage | Exception:
    """Sandbox worker function: an error comes back as a value, so the worker process survives it."""
    try:
        return extract_math_text(html, url=url)
    except Exception as error:  # noqa: BLE001 - any failure is one dropped document, counted by the caller
        return error


class MathHtmlExtractor(BaseExtractor):
    """HTML in ``doc.text`` -> extracted text, formulas as ``$...$``/``$$...$$`` LaTeX.

    Sets ``doc.metadata["found_math"]`` (the page had math markup; the math-score threshold depends on
    it), ``["math_fragments"]`` (how many formulas were kept) and ``["title"]``. Drops, with a reason in
    the stats: ``dropped_empty`` (no text left), ``dropped_timeout``, ``dropped_parse_error``,
    ``dropped_broken_process`` (the worker died, e.g. out of memory).
    """

    name = "➗ Math HTML"
    _requires_dependencies = ["resiliparse"]

    def __init__(self, timeout: float = 1.0):
        """
        Args:
            timeout: seconds one page may take before it is dropped as ``dropped_timeout``.
        """
        super().__init__(timeout=timeout)

    def extract(self, text: str) -> str:
        """The extracted text of one HTML page (the ``BaseExtractor`` contract)."""
        return extract_math_text(text).text

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        with ExtractorSandbox(timeout=self.timeout, warmup_text=("", None)) as sandbox:
            for doc in data:
                self.stat_update(StatHints.total)
                with self.track_time():
                    page = self.extract_in_sandbox(sandbox, doc.text, doc.metadata.get("url"))
                if page is None:
                    continue
                if not page.text.strip():
                    self.stat_update("dropped_empty")
                    continue
                self.record(page)
                doc.text = page.text
                doc.metadata.update(
                    found_math=page.found_math, math_fragments=len(page.math_fragments), title=page.title
                )
                self.stat_update(StatHints.forwarded)
                self.update_doc_stats(doc)
                yield doc

    def extract_in_sandbox(
        self, sandbox: ExtractorSandbox, html: str, url: str | None
    ) -> ExtractedPage | None:
        """One page through the worker; None (and a counted reason) when it did not come out."""
        try:
            return sandbox.process_document((html, url), extract_page)
        except TimeoutError:
            self.stat_update("dropped_timeout")
        except EOFError:
            self.stat_update("dropped_broken_process")
        except Exception:  # noqa: BLE001 - the error extract_page handed back
            self.stat_update("dropped_parse_error")
        return None

    def record(self, page: ExtractedPage) -> None:
        """Math counters per source kind, so a run's stats say where its formulas came from."""
        if page.found_math:
            self.stat_update("found_math")
        for kind, count in page.math_stats.items():
            self.stat_update(f"math_{kind}", value=count)
