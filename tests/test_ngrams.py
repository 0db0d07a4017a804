"""N-gram normalization, hashing and the benchmark index, on the real test sets."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from mathlm.benchmarks import BenchmarkRecord, load_benchmark
from mathlm.benchmarks.ngrams import NgramIndex, benchmark_index, ngram_hashes, normalize, word_hashes

MATH = load_benchmark("math")


@pytest.fixture(scope="module")
def math13() -> NgramIndex:
    return benchmark_index(("math",), 13)


def test_normalization_strips_case_delimiters_and_punctuation() -> None:
    assert normalize("Find $\\frac{1}{2}$ of  X,\n\ty!") == "find frac 1 2 of x y"
    assert normalize("\\(x^2\\) and \\[y_1\\]") == "x 2 and y 1"
    # NFKC: full-width digits, ligatures and subscripts fold to plain forms before hashing.
    assert normalize("１２ ﬁnd h₀") == "12 find h0"
    assert normalize("   ") == ""


def test_hashes_ignore_formatting_differences_but_not_words() -> None:
    plain = "Let $x$ be the number of apples, and $y$ the number of pears."
    reformatted = "LET   \\(x\\) BE THE number\nof apples and y the number of pears"
    assert np.array_equal(word_hashes(plain), word_hashes(reformatted))
    assert not np.array_equal(word_hashes(plain), word_hashes(plain.replace("pears", "plums")))
    assert len(word_hashes(plain)) == 13
    assert (
        len(ngram_hashes(plain, 14)) == 0
        and len(ngram_hashes(plain, 13)) == 1
        and len(ngram_hashes(plain, 5)) == 9
    )


def test_ngram_hash_depends_on_content_not_position() -> None:
    hashes = ngram_hashes("a b c d a b c", 3)
    assert hashes[0] == hashes[4] and len(set(hashes.tolist())) == 4


def test_hashes_are_identical_in_another_process_with_another_hash_seed() -> None:
    text = MATH[0].solution
    code = (
        "from mathlm.benchmarks.ngrams import ngram_hashes; import sys; "
        "print(','.join(map(str, ngram_hashes(sys.stdin.read(), 13)[:5].tolist())))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], input=text, capture_output=True, text=True, env=env, check=True
    ).stdout.strip()
    assert out == ",".join(map(str, ngram_hashes(text, 13)[:5].tolist()))


def test_real_math_problem_embedded_in_prose_with_changed_case_and_whitespace_is_caught(math13) -> None:
    record = MATH[1234]
    mangled = "   ".join(record.problem.upper().split())
    document = (
        "I was doing homework tonight and got stuck. Here is the question from my worksheet:\n\n"
        f"{mangled}\n\nCan anyone explain how to approach it? Thanks in advance!"
    )
    hits = math13.match(document).by_benchmark()
    assert list(hits) == ["math"]
    assert hits["math"].record_ids == ["1234"] and hits["math"].ngrams >= 1


def test_real_math_solution_is_caught_and_reported_as_a_solution_hit(math13) -> None:
    record = MATH[77]
    hit = math13.match(f"Answer key, problem 3. {record.solution} Next problem.").by_benchmark()["math"]
    assert "77" in hit.record_ids
    assert ("77", "solution") in {(t.record_id, t.field) for t in hit.texts}


def test_common_math_phrases_are_not_contamination(math13) -> None:
    document = (
        "To find the sum of all values of x, we can use the quadratic formula. "
        "The number of ways to choose 2 items from a set of 5 is 10. "
        "Let x be a positive integer such that x squared is less than 50. What is the area of the "
        "triangle? We simplify the expression and find that the answer is 12."
    )
    assert not math13.match(document)


def test_short_items_match_whole_and_tiny_ones_are_skipped_and_counted() -> None:
    index = NgramIndex(n=13, min_words=8)
    records = [
        BenchmarkRecord("toy", "short", "Find the sum of the values of x such that x > 7."),
        BenchmarkRecord("toy", "tiny", "Compute $\\dbinom{8}{4}$."),
        BenchmarkRecord("toy", "numbers", "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14"),
    ]
    assert len(word_hashes(records[0].problem)) == 12
    index.add_records(records, "problem")
    index.freeze()
    assert index.stats["toy"].short_whole == 1 and index.stats["toy"].short_skipped == 2
    hit = index.match("Q: find the SUM of the values of x, such that (x > 7)? thanks").by_benchmark()
    assert hit["toy"].record_ids == ["short"] and hit["toy"].first_length == 12
    # The whole short item must be there: its first 8 words alone are not a hit.
    assert not index.match("find the sum of the values of x such that y is odd")
    assert not index.match("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15")


def test_formula_only_ngrams_are_not_indexed_but_worded_copies_still_match(math13) -> None:
    """A page expanding a square shares "x y 2 x 2 2xy y 2 so x 2 y 2 x y 2 2xy" with MATH solution 902;
    that is no contamination. The solution's own wording around the same formulas still is."""
    standard = "Note that $(x+y)^2 = x^2+2xy+y^2$, so $x^2+y^2 = (x+y)^2 - 2xy$ always."
    assert not math13.match(standard)
    assert "902" in math13.match(MATH[902].solution).by_benchmark()["math"].record_ids


def test_all_number_ngrams_are_not_indexed(math13) -> None:
    counting = " ".join(str(i) for i in range(1, 40))
    assert not math13.match(f"Line numbers: {counting}. Ones: {'1 ' * 40}")


def test_whole_math_test_set_indexes_problems_and_solutions() -> None:
    index = NgramIndex.from_benchmarks(["math"], 30)
    stats = index.stats["math"]
    assert stats.records == 5000
    assert stats.texts + stats.short_skipped == 10000
    assert stats.ngrams > 350_000  # formula-only 30-grams are not indexed (test_formula_only_...)
    for record in (MATH[0], MATH[4999]):
        assert (
            record.id in index.match(record.problem + " " + record.solution).by_benchmark()["math"].record_ids
        )


def test_index_pickles_for_worker_processes(math13) -> None:
    clone = pickle.loads(pickle.dumps(math13))
    document = f"copied: {MATH[5].problem}"
    assert clone.match(document).by_benchmark()["math"].record_ids == ["5"]


def test_duplicate_ngrams_across_benchmarks_hit_both() -> None:
    index = benchmark_index(("math", "math500"), 13)
    subset_record = load_benchmark("math500")[0]
    hits = index.match(subset_record.problem + " " + subset_record.solution).by_benchmark()
    assert set(hits) == {"math", "math500"}
    assert hits["math500"].record_ids == ["test/precalculus/807.json"]


def test_a_batch_matches_like_its_documents_one_by_one(math13) -> None:
    from mathlm.benchmarks.ngrams import WordBatch

    documents = [
        "",
        "Short text.",
        f"Copied: {MATH[42].problem}",
        "!!! ???",
        MATH[300].solution,
        # Two halves of one problem split across neighbouring documents must not match.
        " ".join(MATH[301].problem.split()[:8]),
        " ".join(MATH[301].problem.split()[8:16]),
        f"{MATH[1].problem} and {MATH[2].problem}",
    ]
    batch = math13.match_batch(WordBatch.from_normalized([normalize(d) for d in documents]))
    assert len(batch) == len(documents)
    for document, matches in zip(documents, batch):
        single = math13.match(document)
        assert sorted(zip(matches.positions.tolist(), matches.items.tolist())) == sorted(
            zip(single.positions.tolist(), single.items.tolist())
        )
    hits = [sorted(m.by_benchmark()["math"].record_ids) if m else [] for m in batch]
    assert hits == [[], [], ["42"], [], ["300"], [], [], ["1", "2"]]


def test_ascii_fast_path_normalizes_like_the_general_rule() -> None:
    import re
    import unicodedata

    general = re.compile(r"[\W_]+")
    for record in MATH[:300]:
        for text in (record.problem, record.solution):
            slow = general.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()
            assert normalize(text) == slow
