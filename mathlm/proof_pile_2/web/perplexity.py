"""OpenWebMath's perplexity filter: drop pages that a KenLM model of math text finds too surprising.

Pages of boilerplate, SEO spam or garbled extraction have a high perplexity under an n-gram model
trained on good math text (``mathlm data train-kenlm``). OpenWebMath kept pages with perplexity
<= 30,000 at extraction time and <= 15,000 in its final filter; ``PerplexityFilter`` applies both
(counted separately) and stores the value as ``metadata["perplexity"]``.

Tokenization, identical in training and scoring (``kenlm_tokens``): lowercase, split on whitespace
(literal ``<s>``/``</s>`` tokens in a page are dropped: they are KenLM's sentence markers).
A document is scored line by line (each non-empty line is a sentence with ``<s>`` and ``</s>``), and
its perplexity is ``10 ** (-total log10 prob / total predicted tokens)``, counting each line's ``</s>``.
"""

from __future__ import annotations

from pathlib import Path

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from mathlm.errors import MathlmError

SENTENCE_MARKERS = frozenset({"<s>", "</s>"})


def kenlm_tokens(line: str) -> list[str]:
    """The tokens KenLM sees for one line of text: lowercased, whitespace-separated (no literal <s>, </s>)."""
    return [token for token in line.lower().split() if token not in SENTENCE_MARKERS]


class KenlmScorer:
    """Document perplexity under a KenLM model (ARPA or KenLM binary)."""

    def __init__(self, model_path: str | Path):
        self.model_path = Path(model_path)
        self._model = None
        if not self.model_path.is_file():
            raise MathlmError(
                f"KenLM model not found: {self.model_path}. Train one with `mathlm data train-kenlm "
                f"--corpus MATH.jsonl --output {self.model_path}`, or leave the perplexity model "
                f"empty to skip the perplexity filter."
            )

    @property
    def model(self):
        """The model, loaded on first use inside the worker (KenLM models cannot be pickled)."""
        if self._model is None:
            import kenlm

            self._model = kenlm.Model(str(self.model_path))
        return self._model

    def perplexity(self, text: str) -> float:
        """Perplexity of the whole text; ``inf`` for a text without any token."""
        log10_prob, predicted = 0.0, 0
        for line in text.splitlines():
            tokens = kenlm_tokens(line)
            if tokens:
                log10_prob += self.model.score(" ".join(tokens), bos=True, eos=True)
                predicted += len(tokens) + 1
        return 10.0 ** (-log10_prob / predicted) if predicted else float("inf")


class PerplexityFilter(BaseFilter):
    """Keep documents with perplexity <= ``max_perplexity`` and <= ``final_max_perplexity``.

    Drops are counted as ``dropped_perplexity`` (above the extraction-stage limit) or
    ``dropped_final_perplexity`` (between the final and the extraction-stage limits).
    """

    name = "🤔 KenLM perplexity"

    def __init__(
        self,
        model_path: str | Path,
        max_perplexity: float = 30_000,
        final_max_perplexity: float = 15_000,
        exclusion_writer: DiskWriter | None = None,
    ):
        super().__init__(exclusion_writer)
        self.scorer = KenlmScorer(model_path)
        self.max_perplexity = max_perplexity
        self.final_max_perplexity = final_max_perplexity

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        perplexity = self.scorer.perplexity(doc.text)
        doc.metadata["perplexity"] = perplexity
        if perplexity > self.max_perplexity:
            return False, "perplexity"
        if perplexity > self.final_max_perplexity:
            return False, "final_perplexity"
        return True
