"""Coq source text as the prover and the verifier need it: sentences, and code with comments blanked.

Coq's IDE protocol executes one *sentence* per ``Add`` call, so a model's proposal ``intros. lra.`` (or a
whole proof) must be cut into sentences the way Coq's lexer cuts them: a ``.`` followed by white space
or the end of the text ends a sentence, except inside comments ``(* ... *)`` (which nest) and string
literals ``"..."`` (where ``""`` is an escaped quote); a bullet (``-``, ``+``, ``*`` repeated) or a brace
``{`` / ``}`` at the start of a sentence is a sentence of its own.

:func:`code_only` keeps every character position but blanks comments and the inside of strings, so the
verifier's keyword checks never match words in a comment and never miss a command hidden after one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BULLET = re.compile(r"(-+|\++|\*+|\{|\})")


class CoqTextError(ValueError):
    """The text does not lex: an unterminated comment or string."""


@dataclass(frozen=True)
class Sentence:
    """One Coq sentence: ``text`` as written (comments kept) and ``code`` (comments/strings blanked)."""

    text: str
    code: str
    start: int  # offset of the first character in the source text

    @property
    def words(self) -> list[str]:
        """The sentence's leading words (attributes such as ``#[local]`` stay as one word)."""
        return self.code.split()


def code_only(text: str) -> str:
    """``text`` with every comment character and every character inside a string replaced by a space
    (newlines kept), so offsets still line up. Raises :class:`CoqTextError` when a comment or a string
    never ends: Coq would refuse the whole file, and so do we."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        if text.startswith("(*", i):
            end = _comment_end(text, i)
            _blank(out, i, end)
            i = end
        elif text[i] == '"':
            end = _string_end(text, i)
            _blank(out, i + 1, end - 1)
            i = end
        else:
            i += 1
    return "".join(out)


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of ``text`` in order; trailing text without a final ``.`` is a last sentence of its
    own (Coq would reject it, and the caller reports Coq's error)."""
    code = code_only(text)
    sentences: list[Sentence] = []
    i, n = 0, len(code)
    while i < n:
        while i < n and code[i].isspace():
            i += 1
        if i >= n:
            break
        bullet = _BULLET.match(code, i)
        if bullet and (bullet.end() >= n or code[bullet.end()].isspace() or code[i] in "{}"):
            sentences.append(Sentence(text[i : bullet.end()], code[i : bullet.end()], i))
            i = bullet.end()
            continue
        end = _sentence_end(code, i)
        sentences.append(Sentence(text[i:end].strip(), code[i:end].strip(), i))
        i = end
    return [s for s in sentences if s.code.strip()]


def _sentence_end(code: str, start: int) -> int:
    """Offset just after the ``.`` that ends the sentence starting at ``start`` (or the end of text)."""
    i, n = start, len(code)
    while i < n:
        if (
            code[i] == "."
            and (i + 1 >= n or code[i + 1].isspace())
            and not (i > start and code[i - 1] == ".")
        ):
            return i + 1
        i += 1
    return n


def _comment_end(text: str, start: int) -> int:
    depth, i, n = 0, start, len(text)
    while i < n:
        if text.startswith("(*", i):
            depth, i = depth + 1, i + 2
        elif text.startswith("*)", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        elif text[i] == '"':  # Coq lexes strings inside comments too: "*)" in a string does not close it
            i = _string_end(text, i)
        else:
            i += 1
    raise CoqTextError(f"unterminated comment starting at offset {start}")


def _string_end(text: str, start: int) -> int:
    i, n = start + 1, len(text)
    while i < n:
        if text[i] == '"':
            if i + 1 < n and text[i + 1] == '"':
                i += 2
                continue
            return i + 1
        i += 1
    raise CoqTextError(f"unterminated string starting at offset {start}")


def _blank(chars: list[str], start: int, end: int) -> None:
    for k in range(start, end):
        if chars[k] != "\n":
            chars[k] = " "
