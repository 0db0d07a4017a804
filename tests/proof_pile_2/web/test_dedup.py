"""MinHash near-dedup stages run with datatrove's LocalPipelineExecutor on JSONL documents."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor

from mathlm.proof_pile_2.stage import Stage
from mathlm.proof_pile_2.web.dedup import DedupConfig, WhitespaceWordTokenizer, minhash_dedup_stages

WORDS = (
    "prime integer sum proof lemma limit series root matrix vector field group ring graph angle area "
    "circle triangle number function value point line plane space order degree factor product"
).split()


def essay(seed: int, length: int = 300) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + str(rng.randint(0, 99)) for _ in range(length))


def near_copy(text: str) -> str:
    """The same text with a few words changed, as a mirror or re-post would have it."""
    words = text.split()
    for position in range(0, len(words), 60):
        words[position] = "changed"
    return " ".join(words)


def write_shard(path: Path, docs: dict[str, str]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for doc_id, text in docs.items():
            out.write(json.dumps({"text": text, "id": doc_id, "url": f"https://x.org/{doc_id}"}) + "\n")


def run(stages: list[Stage], logs: Path) -> None:
    assert [stage.name for stage in stages] == [
        "dedup-signatures",
        "dedup-buckets",
        "dedup-cluster",
        "dedup-filter",
    ]
    for stage in stages:
        LocalPipelineExecutor(
            stage.steps, tasks=stage.tasks, workers=2, logging_dir=str(logs / stage.name)
        ).run()


def test_near_duplicates_across_files_are_removed_once(tmp_path: Path) -> None:
    original, other, third = essay(1), essay(2), essay(3)
    (tmp_path / "in").mkdir()
    write_shard(tmp_path / "in" / "00000.jsonl.gz", {"a": original, "b": other})
    write_shard(tmp_path / "in" / "00001.jsonl.gz", {"a-mirror": near_copy(original), "c": third})
    stages = minhash_dedup_stages(
        tmp_path / "in",
        tmp_path / "work",
        tmp_path / "out",
        tasks=2,
        config=DedupConfig(num_buckets=4, hashes_per_bucket=8),
    )
    run(stages, tmp_path / "logs")
    kept = [
        json.loads(line)["id"]
        for path in sorted((tmp_path / "out").glob("*.jsonl.gz"))
        for line in gzip.open(path, "rt", encoding="utf-8")
    ]
    removed = [
        json.loads(line)["id"]
        for path in sorted((tmp_path / "work" / "removed").glob("*.jsonl.gz"))
        for line in gzip.open(path, "rt", encoding="utf-8")
    ]
    assert sorted(kept) == ["a", "b", "c"]
    assert removed == ["a-mirror"]


def test_whitespace_tokenizer_splits_words_lines_and_spans() -> None:
    tokenizer = WhitespaceWordTokenizer()
    text = "  first line here\n\nsecond  line \n"
    assert tokenizer.word_tokenize(text) == ["first", "line", "here", "second", "line"]
    assert tokenizer.sent_tokenize(text) == ["first line here", "second  line"]
    assert [text[a:b] for a, b in tokenizer.span_tokenize(text)] == ["first line here", "second  line"]
