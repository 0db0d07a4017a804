"""The small OpenWebMath quality filters: length, accented characters, URL blacklist."""

from __future__ import annotations

from pathlib import Path

import pytest
from datatrove.data import Document

from mathlm.errors import MathlmError
from mathlm.proof_pile_2.web.quality import AccentedCharsFilter, MinLengthFilter, UrlBlacklistFilter

ENGLISH = "The derivative of a polynomial is computed term by term, lowering each exponent by one. " * 3
FRENCH = "Le théorème énoncé précédemment généralise l'égalité démontrée à l'étape précédente. " * 3


def kept(step, docs: list[Document]) -> list[str]:
    return [doc.id for doc in step.run(iter(docs))]


def test_short_documents_are_dropped() -> None:
    step = MinLengthFilter(min_chars=100)
    docs = [Document(text="x" * 99, id="short"), Document(text="x" * 100, id="ok")]
    assert kept(step, docs) == ["ok"]
    assert step.stats["dropped_too_short"].total == 1


def test_accented_text_is_dropped_english_with_a_few_names_is_kept() -> None:
    with_names = ENGLISH + " As Poincaré and Gödel noted."
    step = AccentedCharsFilter(max_ratio=0.015)
    docs = [
        Document(text=ENGLISH, id="en"),
        Document(text=with_names, id="names"),
        Document(text=FRENCH, id="fr"),
    ]
    assert kept(step, docs) == ["en", "names"]
    assert step.stats["dropped_accented_chars"].total == 1


def test_blacklisted_domains_and_their_subdomains_are_dropped(tmp_path: Path) -> None:
    listing = tmp_path / "blacklist.txt"
    listing.write_text("# spam farms\nspam-math.example\n\n", encoding="utf-8")
    step = UrlBlacklistFilter(["Bad.Example"], domains_file=listing)
    urls = [
        "https://bad.example/x",
        "http://www.bad.example/y",
        "https://notbad.example/z",
        "https://cdn.spam-math.example/p",
        "https://good.example/q",
    ]
    docs = [Document(text="t", id=url, metadata={"url": url}) for url in urls]
    assert kept(step, docs) == ["https://notbad.example/z", "https://good.example/q"]
    assert step.stats["dropped_url_blacklist"].total == 3


def test_a_missing_blacklist_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MathlmError, match="URL blacklist file not found"):
        UrlBlacklistFilter(domains_file=tmp_path / "nope.txt")
