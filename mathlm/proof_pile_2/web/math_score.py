"""How mathematical a page is, as a score in [0, 1], and the OpenWebMath filter on it.

Two scorers share one interface (``score(text) -> float``):

- ``RuleMathScorer``: transparent and model-free, the default when no classifier is configured, and the
  score the prefilter uses on raw pages. It counts four kinds of evidence per 100 words of text and
  squashes their weighted sum with ``1 - exp(-x / 8)``:

  ====================  ======  ==========================================================
  evidence              weight  what is counted
  ====================  ======  ==========================================================
  LaTeX commands        1.0     ``\\frac``, ``\\alpha``, ... (any backslash + 2 letters)
  math symbols          0.25    ``= + < > ^ _ | $`` and Unicode math (∑ ∫ √ ≤ ∈ ∀ π ...)
  math vocabulary       0.5     theorem, proof, lemma, integral, polynomial, ...
  digits with operators 0.5     ``3 + 4``, ``x^2``, ``2*7 = 14`` style arithmetic
  ====================  ======  ==========================================================

  With these weights an ordinary news or recipe page scores below 0.15 and a page of worked problems
  or a proof scores above 0.8 (checked on the embedded corpora in the tests); each weight is one knob.

- ``FastTextMathScorer``: a fastText supervised classifier trained by ``mathlm data train-classifier``
  (``__label__math`` vs ``__label__general``); the score is P(math). fastText rather than a sklearn
  logistic regression: it ships with datatrove already, trains in seconds on CPU, predicts ~10k docs/s,
  and its word n-gram features learn the same cues as a hashed-n-gram logistic regression.

``MathScoreFilter`` applies OpenWebMath's thresholds: keep a page whose extractor found math markup
(``found_math``) when its score is >= 0.15, any other page when >= 0.8, and in both cases only if the
score is >= 0.17 (OpenWebMath's final-stage threshold).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Protocol

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from mathlm.errors import MathlmError

LATEX_COMMAND_RE = re.compile(r"\\[a-zA-Z]{2,}")
MATH_SYMBOL_RE = re.compile(r"[=+<>^_|$∑∏∫∮√∞≈≠≤≥±∓×÷∈∉⊂⊆⊃∪∩∀∃∂∇→⇒⇔↦πθλμσΣΔΩαβγεφω°·′]")
ARITHMETIC_RE = re.compile(r"\d\s*[-+*/^=<>]\s*[\d(a-zA-Z]|[a-zA-Z)]\s*[\^=]\s*\d")
WORD_RE = re.compile(r"\w+")
MATH_WORDS = frozenset(
    """
    theorem theorems lemma proof proofs corollary proposition axiom conjecture equation equations
    inequality inequalities integral integrals derivative derivatives differentiable polynomial
    polynomials matrix matrices vector vectors eigenvalue eigenvalues eigenvector determinant algebraic
    geometry topology calculus integer integers rational irrational modulo divisible divisor
    factorization logarithm exponent exponential coefficient coefficients simplify quadratic cubic sqrt
    sin cos tan ln infinity subset homomorphism isomorphism manifold denominator numerator converges
    convergence theta lim
    """.split()
)

MATH_LABEL = "__label__math"
GENERAL_LABEL = "__label__general"

WEIGHT_LATEX = 1.0
WEIGHT_SYMBOLS = 0.25
WEIGHT_VOCABULARY = 0.5
WEIGHT_ARITHMETIC = 0.5
# Weighted evidence per 100 words at which the score reaches 1 - 1/e (~0.63).
EVIDENCE_SCALE = 8.0


class MathScorer(Protocol):
    """Anything that maps a text to a math score in [0, 1]."""

    def score(self, text: str) -> float: ...


class RuleMathScorer:
    """The model-free score described in the module docstring."""

    def score(self, text: str) -> float:
        words = WORD_RE.findall(text.lower())
        if not words:
            return 0.0
        per_100_words = 100.0 / len(words)
        vocabulary = sum(map(MATH_WORDS.__contains__, words))
        evidence = per_100_words * (
            WEIGHT_LATEX * len(LATEX_COMMAND_RE.findall(text))
            + WEIGHT_SYMBOLS * len(MATH_SYMBOL_RE.findall(text))
            + WEIGHT_VOCABULARY * vocabulary
            + WEIGHT_ARITHMETIC * len(ARITHMETIC_RE.findall(text))
        )
        return 1.0 - math.exp(-evidence / EVIDENCE_SCALE)


class FastTextMathScorer:
    """P(math) from a fastText classifier trained by ``mathlm data train-classifier``."""

    def __init__(self, model_path: str | Path):
        self.model_path = Path(model_path)
        self._model = None
        if not self.model_path.is_file():
            raise MathlmError(
                f"math-score model not found: {self.model_path}. Train one with `mathlm data "
                f"train-classifier --math MATH.jsonl --general GENERAL.jsonl --output {self.model_path}` "
                f"or leave the model path empty to use the rule-based score."
            )

    @property
    def model(self):
        """The model, loaded on first use inside the worker (fastText models cannot be pickled)."""
        if self._model is None:
            import fasttext

            self._model = fasttext.load_model(str(self.model_path))
        return self._model

    def score(self, text: str) -> float:
        labels, probs = self.model.predict(classifier_line(text), k=2)
        return float(dict(zip(labels, probs, strict=True)).get(MATH_LABEL, 0.0))


def classifier_line(text: str) -> str:
    """The text as the classifier sees it, in training and at scoring time: one lowercased line."""
    return " ".join(text.lower().split())


def make_math_scorer(model_path: str | Path | None) -> MathScorer:
    """The trained classifier when a model path is configured, else the rule-based score."""
    return FastTextMathScorer(model_path) if model_path else RuleMathScorer()


class MathScoreFilter(BaseFilter):
    """Keep pages whose math score passes OpenWebMath's thresholds; store it as ``metadata["math_score"]``.

    A page is kept when ``score >= found_math_threshold`` if the extractor set ``found_math``, else when
    ``score >= threshold``, and in both cases ``score >= final_threshold``. Drops are counted as
    ``dropped_math_score`` (stage threshold) or ``dropped_final_math_score``.
    """

    name = "∑ Math score"

    def __init__(
        self,
        scorer: MathScorer | None = None,
        threshold: float = 0.8,
        found_math_threshold: float = 0.15,
        final_threshold: float = 0.17,
        exclusion_writer: DiskWriter | None = None,
    ):
        super().__init__(exclusion_writer)
        self.scorer = scorer or RuleMathScorer()
        self.threshold = threshold
        self.found_math_threshold = found_math_threshold
        self.final_threshold = final_threshold

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        score = self.scorer.score(doc.text)
        doc.metadata["math_score"] = score
        stage_threshold = self.found_math_threshold if doc.metadata.get("found_math") else self.threshold
        if score < stage_threshold:
            return False, "math_score"
        if score < self.final_threshold:
            return False, "final_math_score"
        return True
