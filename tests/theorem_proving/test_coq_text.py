"""Coq sentences as Coq's lexer cuts them: comments (nested, with strings inside), strings with ``""``,
bullets and braces, decimals and ellipses that are not sentence ends."""

from __future__ import annotations

import pytest

from mathlm.theorem_proving.coq_text import CoqTextError, code_only, split_sentences


def texts(source: str) -> list[str]:
    return [s.text for s in split_sentences(source)]


def test_sentences_end_at_a_dot_before_white_space() -> None:
    assert texts("intros x. lra.") == ["intros x.", "lra."]
    assert texts("assert (h : 1.5 = 3/2) by lra.\nexact h.") == ["assert (h : 1.5 = 3/2) by lra.", "exact h."]
    assert texts("idtac... lia.") == ["idtac... lia."]  # "..." is one token for Coq, not a sentence end
    assert texts("lra") == ["lra"]  # unfinished: one sentence, Coq reports the error


def test_bullets_and_braces_are_sentences_of_their_own() -> None:
    assert texts("split.\n- lra.\n+ { lia. }\n** auto.") == [
        "split.",
        "-",
        "lra.",
        "+",
        "{",
        "lia.",
        "}",
        "**",
        "auto.",
    ]
    assert texts("exact (-1).") == ["exact (-1)."]


def test_comments_and_strings_hide_dots_and_keywords() -> None:
    source = 'idtac "a. b". (* skip. (* nested. *) "*)" still comment *) lra.'
    assert texts(source) == ['idtac "a. b".', "lra."]  # a comment between sentences belongs to neither
    assert "Admitted" not in code_only("(* Admitted. *) lra.")
    assert code_only('idtac "x""y". ') == 'idtac "    ". '  # "" is an escaped quote; length kept


@pytest.mark.parametrize("source", ["(* never closed. lra.", 'idtac "open. lra.'])
def test_unterminated_comment_or_string_is_an_error(source: str) -> None:
    with pytest.raises(CoqTextError, match="unterminated"):
        split_sentences(source)
