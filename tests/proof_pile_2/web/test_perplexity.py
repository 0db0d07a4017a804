"""PerplexityFilter with a real KenLM model trained on the embedded math corpus."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from datatrove.data import Document

from mathlm.assets import SAMPLE_DATA_DIR
from mathlm.errors import MathlmError
from mathlm.proof_pile_2.web.perplexity import KenlmScorer, PerplexityFilter, kenlm_tokens
from mathlm.proof_pile_2.web.train import read_texts, train_kenlm

CORPUS = SAMPLE_DATA_DIR / "corpora" / "math.jsonl"
SPAM = "BUY cheap watches now!!! best prices click here free shipping casino bonus 24/7 hot deals"


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lm") / "math.arpa"
    train_kenlm(CORPUS, path, order=5)
    return path


def test_math_text_has_lower_perplexity_than_spam(model_path: Path) -> None:
    scorer = KenlmScorer(model_path)
    math_text = read_texts(CORPUS)[3]
    assert scorer.perplexity(math_text) < scorer.perplexity(SPAM)
    assert scorer.perplexity("   \n\n") == float("inf")


def test_thresholds_drop_with_their_own_reason(model_path: Path) -> None:
    scorer = KenlmScorer(model_path)
    math_text = read_texts(CORPUS)[3]
    low, high = scorer.perplexity(math_text), scorer.perplexity(SPAM)
    middle = (low + high) / 2
    step = PerplexityFilter(model_path, max_perplexity=high * 2, final_max_perplexity=middle)
    docs = [Document(text=math_text, id="math"), Document(text=SPAM, id="spam")]
    assert [doc.id for doc in step.run(iter(docs))] == ["math"]
    assert docs[0].metadata["perplexity"] == pytest.approx(low)
    assert step.stats["dropped_final_perplexity"].total == 1
    strict = PerplexityFilter(model_path, max_perplexity=middle)
    assert [doc.id for doc in strict.run(iter(docs))] == ["math"]
    assert strict.stats["dropped_perplexity"].total == 1


def test_filter_pickles_for_workers(model_path: Path) -> None:
    step = pickle.loads(pickle.dumps(PerplexityFilter(model_path)))
    assert step.scorer.perplexity("the derivative of x") > 0


def test_tokenization_is_lowercase_whitespace_without_sentence_markers() -> None:
    assert kenlm_tokens("Let  $X$ <s> be\tGIVEN </s>") == ["let", "$x$", "be", "given"]


def test_missing_model_says_how_to_train_one(tmp_path: Path) -> None:
    with pytest.raises(MathlmError, match="train-kenlm"):
        PerplexityFilter(tmp_path / "none.arpa")
