"""Word n-gram overlap between texts and the benchmark test sets: normalization, hashing and an index.

One definition serves decontamination (``mathlm data build``) and the memorization analysis (``mathlm
eval overlap``), so "shares a 13-gram with MATH" means the same thing in both.

**Normalization** (:func:`normalize`), applied identically to corpus documents and test items:

1. Unicode NFKC (full-width digits, ligatures, sub/superscript digits and the like fold to plain forms),
2. lowercase,
3. every character that is not a letter or digit becomes whitespace. This strips LaTeX math delimiters
   (``$``, ``\\(``, ``\\[``), braces, backslashes (``\\frac`` -> ``frac``), operators and punctuation, so
   ``$\\frac{1}{2}$`` and ``\\(\\frac 1 2\\)`` both read ``frac 1 2``,
4. words are the whitespace-separated runs; an n-gram is n consecutive words.

**Hashing.** Words and n-grams are 64-bit polynomial hashes over bytes and word hashes, computed with
prefix sums in numpy (multiplication by the inverse of the base turns the rolling hash into one
``cumsum``), followed by a bit mixer. No per-word or per-n-gram Python object is made, and hashes are
deterministic across processes and machines (unlike Python's ``hash``). Two different n-grams collide
with probability ~2^-64 per lookup: a false hit is not a practical concern at corpus scale.

**Formula-only n-grams.** A test n-gram is indexed only if at least ``MIN_PROSE_WORDS`` of its words are
words of language (:func:`prose_words`): formulas normalize to runs of variables, exponents and command
names ("x y 2 x 2 2xy y 2") that any page using a standard identity shares with some MATH solution.

**Short test items.** A text with fewer than ``n`` words has no n-gram. If it has at least ``min_words``
words (default 8: "Compute $\\dbinom{8}{4}$." is too generic to count as contamination, a full
8-word sentence is not) the whole text is its only n-gram, matched where a document contains exactly
those words in a row; shorter texts are skipped and counted in :attr:`NgramIndex.stats`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from mathlm.benchmarks import BenchmarkRecord, TextField, iter_benchmark

DEFAULT_MIN_WORDS = 8
# An indexed test n-gram needs this many prose words (letters only, >= MIN_PROSE_WORD_CHARS long, not a
# TeX command name): see ``_wordy_windows``.
MIN_PROSE_WORDS = 3
MIN_PROSE_WORD_CHARS = 3
# TeX command names as they read after normalization: formula tokens, not words of language.
TEX_WORDS = frozenset(
    """
    frac dfrac tfrac sqrt sum prod int iint oint lim limsup liminf infty cdot cdots ldots dots vdots ddots
    times div leq geq neq approx equiv sim simeq cong propto subset subseteq supset supseteq cup cap
    setminus emptyset varnothing notin forall exists nexists mathbb mathbf mathrm mathcal mathit mathsf
    text textbf textit operatorname left right big bigg begin end align aligned array matrix pmatrix
    bmatrix vmatrix cases binom dbinom tbinom choose over alpha beta gamma delta epsilon varepsilon theta
    vartheta iota kappa lambda sigma omega phi varphi rho tau psi chi zeta eta upsilon partial nabla
    rightarrow leftarrow leftrightarrow longrightarrow implies iff mapsto quad qquad displaystyle
    textstyle boxed overline underline widehat hat vec bar tilde dot ddot log sin cos tan sec csc cot
    arcsin arccos arctan sinh cosh tanh exp det gcd lcm mod pmod bmod max min sup inf arg deg dim ker
    circ angle triangle perp parallel lfloor rfloor lceil rceil langle rangle mid nmid pmatrix
""".split()
)

_NON_WORD = re.compile(r"[\W_]+")
_U64 = np.uint64
_BYTE_BASE = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_WORD_BASE = 0x9E3779B97F4A7C15
# ASCII punctuation, symbols and control characters -> space: the fast path for all-ASCII text.
_ASCII_SEPARATORS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})


def normalize(text: str) -> str:
    """The normalized form of ``text``: NFKC, lowercase, non-alphanumerics to spaces, single-spaced."""
    text = unicodedata.normalize("NFKC", text).lower()
    if text.isascii():  # same result as the regular expression, ~2.5x faster
        return " ".join(text.translate(_ASCII_SEPARATORS).split())
    return _NON_WORD.sub(" ", text).strip()


class _Powers:
    """``base**i`` and ``base**-i`` modulo 2**64 for i < len, grown on demand and shared by all calls."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.inverse = pow(base, -1, 2**64)
        self.up = np.ones(1, dtype=_U64)
        self.down = np.ones(1, dtype=_U64)

    def ensure(self, length: int) -> None:
        if length <= len(self.up):
            return
        size = max(length, 2 * len(self.up))
        self.up, self.down = self._table(self.base, size), self._table(self.inverse, size)

    @staticmethod
    def _table(base: int, size: int) -> np.ndarray:
        factors = np.full(size, base, dtype=_U64)
        factors[0] = 1
        return np.cumprod(factors, dtype=_U64)


_BYTE_POWERS = _Powers(_BYTE_BASE)
_WORD_POWERS = _Powers(_WORD_BASE)


def _mix(values: np.ndarray) -> np.ndarray:
    """A bijective bit mixer (splitmix64's finalizer): nearby polynomial hashes end up far apart."""
    values = values ^ (values >> _U64(30))
    values = values * _U64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> _U64(27))
    values = values * _U64(0x94D049BB133111EB)
    return values ^ (values >> _U64(31))


def _prefix_sums(values: np.ndarray, powers: _Powers) -> np.ndarray:
    """``S[k] = sum_{j<k} values[j] * base**-j``; the hash of ``values[l:r]`` is then
    ``base**(r-1) * (S[r]-S[l])``."""
    powers.ensure(len(values) + 1)
    sums = np.zeros(len(values) + 1, dtype=_U64)
    np.cumsum(values.astype(_U64) * powers.down[: len(values)], out=sums[1:])
    return sums


def _span_hashes(sums: np.ndarray, starts: np.ndarray, ends: np.ndarray, powers: _Powers) -> np.ndarray:
    return powers.up[ends - 1] * (sums[ends] - sums[starts])


def _word_bounds(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    spaces = np.flatnonzero(data == 32)
    return np.concatenate([[0], spaces + 1]), np.concatenate([spaces, [len(data)]])


def word_hashes_normalized(normalized: str) -> np.ndarray:
    """One uint64 per word of an already normalized text (see :func:`normalize`)."""
    if not normalized:
        return np.zeros(0, dtype=_U64)
    data = np.frombuffer(normalized.encode("utf-8"), dtype=np.uint8)
    starts, ends = _word_bounds(data)
    sums = _prefix_sums(data, _BYTE_POWERS)
    return _mix(_span_hashes(sums, starts, ends, _BYTE_POWERS))


def prose_words(normalized: str) -> np.ndarray:
    """Per word of a normalized text: True when it is a word of language, not of a formula.

    A prose word has at least ``MIN_PROSE_WORD_CHARS`` characters, all letters, and is not the name of a TeX
    command (``\\frac`` normalizes to ``frac``). Variables (``x``, ``2xy``), exponents and numbers are not.
    """
    if not normalized:
        return np.zeros(0, dtype=bool)
    data = np.frombuffer(normalized.encode("utf-8"), dtype=np.uint8)
    starts, ends = _word_bounds(data)
    non_letters = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum(((data < 97) | (data > 122)) & (data < 128), out=non_letters[1:])
    wordy = (non_letters[ends] == non_letters[starts]) & (ends - starts >= MIN_PROSE_WORD_CHARS)
    if wordy.any():
        wordy &= ~np.isin(word_hashes_normalized(normalized), _tex_word_hashes())
    return wordy


@lru_cache(maxsize=1)
def _tex_word_hashes() -> np.ndarray:
    return word_hashes_normalized(" ".join(sorted(TEX_WORDS)))


def word_hashes(text: str) -> np.ndarray:
    """One uint64 per word of ``normalize(text)``."""
    return word_hashes_normalized(normalize(text))


class WordSequence:
    """The word hashes of one text with prefix sums, so n-grams of any length hash in O(1) each."""

    def __init__(self, hashes: np.ndarray) -> None:
        self.hashes = hashes
        self.sums = _prefix_sums(hashes, _WORD_POWERS)

    def __len__(self) -> int:
        return len(self.hashes)

    def ngrams(self, n: int) -> np.ndarray:
        """Hashes of the ``len - n + 1`` n-grams, in order (empty when the text is shorter than n)."""
        count = len(self.hashes) - n + 1
        if count <= 0:
            return np.zeros(0, dtype=_U64)
        starts = np.arange(count)
        return self._finish(_span_hashes(self.sums, starts, starts + n, _WORD_POWERS), n)

    def span(self, start: int, length: int) -> int:
        """The hash of words ``[start, start + length)``, equal to ``ngrams(length)[start]``."""
        bounds = np.array([start, start + length])
        raw = _span_hashes(self.sums, bounds[:1], bounds[1:], _WORD_POWERS)
        return int(self._finish(raw, length)[0])

    @staticmethod
    def _finish(raw: np.ndarray, n: int) -> np.ndarray:
        return _mix(raw ^ _U64(n))


class WordBatch:
    """The words of several documents hashed as one sequence, with each document's word offsets.

    Hashing and looking up a batch costs the same few numpy calls as one document, which is what makes
    short documents fast; n-grams that would cross from one document into the next are left out.
    """

    def __init__(self, words: WordSequence, offsets: np.ndarray) -> None:
        self.words = words
        self.offsets = offsets
        self.size = len(offsets) - 1
        self.document_of = np.repeat(np.arange(self.size), np.diff(offsets))

    @classmethod
    def from_normalized(cls, texts: Sequence[str]) -> WordBatch:
        """A batch of texts already normalized with :func:`normalize` (empty texts allowed)."""
        counts = [text.count(" ") + 1 if text else 0 for text in texts]
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        joined = " ".join(text for text in texts if text)
        return cls(WordSequence(word_hashes_normalized(joined)), offsets)

    def ngrams(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(start word, hash) of every n-gram that lies inside one document."""
        hashes = self.words.ngrams(n)
        starts = np.flatnonzero(self.document_of[: len(hashes)] == self.document_of[n - 1 :][: len(hashes)])
        return starts, hashes[starts]


def ngram_hashes(text: str, n: int) -> np.ndarray:
    """Hashes of the word n-grams of ``normalize(text)``."""
    return WordSequence(word_hashes(text)).ngrams(n)


@dataclass(frozen=True)
class IndexedText:
    """One indexed test text: a field of a benchmark record."""

    benchmark: str
    record_id: str
    field: str
    words: int


@dataclass
class IndexStats:
    """Per benchmark: records read, texts indexed, texts too short to index, distinct n-gram keys."""

    records: int = 0
    texts: int = 0
    short_skipped: int = 0
    short_whole: int = 0
    ngrams: int = 0


@dataclass(frozen=True)
class DocumentMatches:
    """The hits of one document: one row per (matching word position, test text) pair.

    ``positions`` are word offsets in the normalized document, ``items`` index
    :attr:`NgramIndex.items`, ``lengths`` are the words per matched span (n, or the whole length of
    a short test text).
    """

    index: NgramIndex
    positions: np.ndarray
    items: np.ndarray
    lengths: np.ndarray

    def __bool__(self) -> bool:
        return len(self.items) > 0

    def by_benchmark(self) -> dict[str, BenchmarkMatch]:
        """Per benchmark hit: distinct matching word positions and the test texts hit, in a stable order."""
        found: dict[str, BenchmarkMatch] = {}
        for code in np.unique(self.index.item_benchmarks[self.items]):
            rows = self.index.item_benchmarks[self.items] == code
            items = np.unique(self.items[rows])
            first = int(np.argmin(self.positions[rows]))
            name = self.index.benchmarks[code]
            found[name] = BenchmarkMatch(
                benchmark=name,
                ngrams=len(np.unique(self.positions[rows])),
                texts=[self.index.items[i] for i in items],
                first_position=int(self.positions[rows][first]),
                first_length=int(self.lengths[rows][first]),
            )
        return found


@dataclass(frozen=True)
class BenchmarkMatch:
    """A document's overlap with one benchmark."""

    benchmark: str
    ngrams: int
    texts: list[IndexedText]
    first_position: int
    first_length: int

    @property
    def record_ids(self) -> list[str]:
        """Ids of the test records hit (a record whose problem and solution both hit appears once)."""
        return list(dict.fromkeys(text.record_id for text in self.texts))


@dataclass
class _Keys:
    """Parallel key / text-index lists while building, frozen into sorted arrays for lookup."""

    hashes: list[np.ndarray] = field(default_factory=list)
    items: list[np.ndarray] = field(default_factory=list)

    def add(self, hashes: np.ndarray, item: int) -> None:
        hashes = np.unique(hashes)
        self.hashes.append(hashes)
        self.items.append(np.full(len(hashes), item, dtype=np.int32))

    def freeze(self) -> _KeyTable:
        if not self.hashes:
            return _KeyTable(np.zeros(0, dtype=_U64), np.zeros(0, dtype=np.int32))
        hashes, items = np.concatenate(self.hashes), np.concatenate(self.items)
        order = np.argsort(hashes, kind="stable")
        return _KeyTable(hashes[order], items[order])


class _KeyTable:
    """Sorted uint64 keys with a value per key (keys may repeat) and a bitmap over their top bits.

    Almost every n-gram of a corpus document is not a test n-gram; the bitmap answers most of those with
    one array read instead of a binary search through the keys.
    """

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        self.keys, self.values = keys, values
        bits = int(np.clip(np.ceil(np.log2(max(len(keys), 1) * 8)), 16, 27))
        self.shift = _U64(64 - bits)
        self.present = np.zeros(1 << bits, dtype=bool)
        self.present[keys >> self.shift] = True

    def __len__(self) -> int:
        return len(self.keys)

    def lookup(self, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each query equal to some key: (query position, value) pairs, all of them for repeated keys."""
        where = np.flatnonzero(self.present[queries >> self.shift])
        left = np.searchsorted(self.keys, queries[where], side="left")
        found = left < len(self.keys)
        found[found] = self.keys[left[found]] == queries[where[found]]
        where, left = where[found], left[found]
        if len(where) == 0:
            return where, np.zeros(0, dtype=np.int32)
        repeats = np.searchsorted(self.keys, queries[where], side="right") - left
        offsets = np.arange(repeats.sum()) - np.repeat(np.cumsum(repeats) - repeats, repeats)
        return np.repeat(where, repeats), self.values[np.repeat(left, repeats) + offsets]


def _wordy_windows(prose: np.ndarray, n: int) -> np.ndarray:
    """Per n-gram: True when at least ``MIN_PROSE_WORDS`` of its words are prose words (:func:`prose_words`).

    All-number n-grams ("1 2 3 ... 13", coordinate lists) and formula-only ones ("x y 2 x 2 2xy y 2 so x 2
    y 2", what any page expanding a square writes) occur in unrelated documents everywhere: a shared one
    says nothing about contamination. Test n-grams that carry too few words of language are not indexed,
    so a document must share some of an item's wording to match it.
    """
    counts = np.zeros(len(prose) + 1, dtype=np.int64)
    np.cumsum(prose, out=counts[1:])
    return counts[n:] - counts[: len(counts) - n] >= min(MIN_PROSE_WORDS, n)


class NgramIndex:
    """The n-grams of a set of test texts, answering "which test texts does this document overlap?".

    Build it with :meth:`from_benchmarks` (or :meth:`add` + :meth:`freeze`), then call :meth:`match`
    per document. The index is plain numpy arrays, so it pickles quickly to worker processes.
    """

    def __init__(self, n: int, min_words: int = DEFAULT_MIN_WORDS) -> None:
        if n < 1 or min_words < 1:
            raise ValueError(f"n and min_words must be positive, got n={n}, min_words={min_words}")
        self.n = n
        self.min_words = min(min_words, n)
        self.items: list[IndexedText] = []
        self.benchmarks: list[str] = []
        self.stats: dict[str, IndexStats] = {}
        self._item_benchmarks: list[int] = []
        self._full = _Keys()
        self._short_prefix = _Keys()
        self._short_hash: dict[int, int] = {}
        self.frozen = False

    @classmethod
    def from_benchmarks(
        cls, names: Iterable[str], n: int, fields: TextField = "both", min_words: int = DEFAULT_MIN_WORDS
    ) -> NgramIndex:
        """Index the chosen fields of every record of the named vendored benchmarks."""
        index = cls(n, min_words)
        for name in names:
            index.add_records(iter_benchmark(name), fields)
        index.freeze()
        return index

    def add_records(self, records: Iterable[BenchmarkRecord], fields: TextField = "both") -> None:
        """Index ``record.texts(fields)`` of each record."""
        for record in records:
            self._stats(record.benchmark).records += 1
            for field_name, text in record.texts(fields).items():
                self.add(record.benchmark, record.id, field_name, text)

    def add(self, benchmark: str, record_id: str, field_name: str, text: str) -> bool:
        """Index one test text; False when it is too short to index (counted in :attr:`stats`)."""
        if self.frozen:
            raise RuntimeError("the index is frozen; add texts before the first match()")
        normalized = normalize(text)
        words = WordSequence(word_hashes_normalized(normalized))
        wordy = _wordy_windows(prose_words(normalized), min(self.n, len(words)))
        stats = self._stats(benchmark)
        if len(words) < self.min_words or not wordy.any():
            stats.short_skipped += 1
            return False
        item = len(self.items)
        self.items.append(IndexedText(benchmark, record_id, field_name, len(words)))
        self._item_benchmarks.append(self.benchmarks.index(benchmark))
        stats.texts += 1
        if len(words) >= self.n:
            self._full.add(words.ngrams(self.n)[wordy], item)
        else:
            stats.short_whole += 1
            self._short_prefix.add(words.ngrams(self.min_words)[:1], item)
            self._short_hash[item] = words.span(0, len(words))
        return True

    def freeze(self) -> None:
        """Sort the keys for lookup; called by :meth:`from_benchmarks` and on the first :meth:`match`."""
        if self.frozen:
            return
        self.full_table = self._full.freeze()
        self.prefix_table = self._short_prefix.freeze()
        self.item_benchmarks = np.array(self._item_benchmarks, dtype=np.int32)
        self.item_words = np.array([item.words for item in self.items], dtype=np.int64)
        for name, stats in self.stats.items():
            code = self.benchmarks.index(name)
            mine = self.item_benchmarks[self.full_table.values] == code
            stats.ngrams = len(np.unique(self.full_table.keys[mine]))
        self._full = self._short_prefix = _Keys()
        self.frozen = True

    def _stats(self, benchmark: str) -> IndexStats:
        if benchmark not in self.stats:
            self.stats[benchmark] = IndexStats()
            self.benchmarks.append(benchmark)
        return self.stats[benchmark]

    def match(self, text: str) -> DocumentMatches:
        """The overlap of one document with the indexed test texts."""
        return self.match_batch(WordBatch.from_normalized([normalize(text)]))[0]

    def match_words(self, hashes: np.ndarray) -> DocumentMatches:
        """:meth:`match` for a text already turned into word hashes."""
        return self.match_batch(WordBatch(WordSequence(hashes), np.array([0, len(hashes)])))[0]

    def match_batch(self, batch: WordBatch) -> list[DocumentMatches]:
        """The overlap of each document of a batch: one pass of numpy calls for the whole batch."""
        if not self.frozen:
            self.freeze()
        starts, queries = batch.ngrams(self.n)
        rows, items = self.full_table.lookup(queries)
        positions, lengths = starts[rows], np.full(len(items), self.n, dtype=np.int64)
        if len(self.prefix_table):
            short_positions, short_items = self._match_short(batch)
            positions = np.concatenate([positions, short_positions])
            items = np.concatenate([items, short_items])
            lengths = np.concatenate([lengths, self.item_words[short_items]])
        return self._split(batch, positions, items, lengths)

    def _match_short(self, batch: WordBatch) -> tuple[np.ndarray, np.ndarray]:
        """Short texts: a cheap lookup of their first ``min_words`` words, then the whole text where that
        hits."""
        starts, queries = batch.ngrams(self.min_words)
        rows, items = self.prefix_table.lookup(queries)
        positions = starts[rows]
        ends = batch.offsets[batch.document_of[positions] + 1]
        keep = [
            row
            for row, (position, item, end) in enumerate(
                zip(positions.tolist(), items.tolist(), ends.tolist())
            )
            if position + self.item_words[item] <= end
            and batch.words.span(position, int(self.item_words[item])) == self._short_hash[item]
        ]
        return positions[keep], items[keep]

    def _split(
        self, batch: WordBatch, positions: np.ndarray, items: np.ndarray, lengths: np.ndarray
    ) -> list[DocumentMatches]:
        """Cut batch-wide hits into per-document matches with document-local word positions."""
        documents = batch.document_of[positions]
        order = np.argsort(documents, kind="stable")
        documents, positions, items, lengths = (
            documents[order],
            positions[order],
            items[order],
            lengths[order],
        )
        cuts = np.searchsorted(documents, np.arange(1, batch.size))
        local = positions - batch.offsets[documents]
        return [
            DocumentMatches(self, *parts)
            for parts in zip(np.split(local, cuts), np.split(items, cuts), np.split(lengths, cuts))
        ]

    def summary(self) -> list[dict[str, object]]:
        """One row per benchmark: what was indexed and what was skipped."""
        return [
            {
                "benchmark": name,
                "n": self.n,
                "records": s.records,
                "texts_indexed": s.texts,
                "texts_whole_short": s.short_whole,
                "texts_too_short": s.short_skipped,
                "ngrams": s.ngrams,
            }
            for name, s in self.stats.items()
        ]


@lru_cache(maxsize=4)
def benchmark_index(
    names: tuple[str, ...], n: int, fields: TextField = "both", min_words: int = DEFAULT_MIN_WORDS
) -> NgramIndex:
    """:meth:`NgramIndex.from_benchmarks`, built once per process and setting (callers must not add to it)."""
    return NgramIndex.from_benchmarks(names, n, fields, min_words)


def matched_words_normalized(normalized: str, position: int, length: int) -> str:
    """Words ``[position, position + length)`` of a normalized text: the span a match refers to."""
    return " ".join(normalized.split(" ")[position : position + length])
