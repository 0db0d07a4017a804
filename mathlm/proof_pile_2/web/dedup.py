"""OpenWebMath stage 6: near-duplicate removal with datatrove's MinHash LSH.

MinHash needs four executor runs, each starting after the previous one has finished everywhere:

1. ``signatures`` (one task per input file): read the filtered documents and write their MinHash
   signatures, one file per bucket;
2. ``buckets`` (one task per bucket): find documents that share a whole bucket of hashes;
3. ``cluster`` (one task): join the pairs into clusters and choose which documents to drop;
4. ``filter`` (one task per input file, the same files as stage 1): re-read the documents, drop the
   chosen duplicates and write the rest.

Settings: word 5-grams, 14 buckets x 8 hashes (datatrove's and FineWeb's defaults). Two documents
with Jaccard similarity s share at least one bucket with probability ``1 - (1 - s**8)**14``: 0.92 at
s = 0.8, 0.36 at s = 0.6, 0.01 at s = 0.4, so re-posted pages and mirrors collapse while distinct
pages about the same theorem stay.

Words come from ``WhitespaceWordTokenizer`` (split on whitespace after datatrove's text
normalisation): it gave the same clusters as the default spaCy tokenizer, ~3x faster, and does not need
spaCy installed.
"""

from __future__ import annotations

from pathlib import Path

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.dedup.minhash import (
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.writers import JsonlWriter
from datatrove.utils.word_tokenizers import WordTokenizer

from mathlm.proof_pile_2.readers import AccountedJsonlReader
from mathlm.proof_pile_2.stage import Stage
from mathlm.proof_pile_2.web.config import DedupConfig


class WhitespaceWordTokenizer(WordTokenizer):
    """Words are whitespace-separated tokens; sentences are lines (MinHash uses only the words)."""

    def word_tokenize(self, text: str) -> list[str]:
        return text.split()

    def sent_tokenize(self, text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    def span_tokenize(self, text: str) -> list[tuple[int, int]]:
        spans, offset = [], 0
        for line in text.splitlines(keepends=True):
            if line.strip():
                start = offset + len(line) - len(line.lstrip())
                spans.append((start, offset + len(line.rstrip())))
            offset += len(line)
        return spans


class NearDuplicateFilter(MinhashDedupFilter):
    """datatrove's MinHash filter with its drops named (``dropped_near_duplicate``), so that its stats say why
    each dropped document went, like every other filter's."""

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        yield from super().run(data, rank, world_size)
        dropped = self.stats.stats["dropped"].total if "dropped" in self.stats.stats else 0
        if dropped:
            self.stat_update("dropped_near_duplicate", value=int(dropped))


def minhash_dedup_stages(
    input_folder: str | Path,
    work_folder: str | Path,
    output_folder: str | Path,
    tasks: int,
    config: DedupConfig | None = None,
    output_filename: str = "${rank}.jsonl.gz",
    adapter=None,
    name: str = "dedup",
    after: str | None = None,
) -> list[Stage]:
    """The four stages (``NAME-signatures``, ``-buckets``, ``-cluster``, ``-filter``, each depending on the
    one before, the first on ``after``) that read JSONL(.gz) documents from ``input_folder`` and write the
    deduplicated ones.

    Stages 1 and 4 both run ``tasks`` tasks over the same files, so that they see the same documents in
    the same order (the removal lists are per task and index documents by position). ``work_folder``
    holds signatures, bucket matches and the removal lists; ``adapter`` is the writer's document
    adapter (so dedup writes the same record format it read).
    """
    config = config or DedupConfig()
    minhash = config.minhash_config()
    work = Path(work_folder)
    signatures, matches, removals = str(work / "signatures"), str(work / "buckets"), str(work / "remove_ids")

    def reader() -> AccountedJsonlReader:  # an empty input folder (every page filtered out) reads as empty
        return AccountedJsonlReader(str(input_folder), glob_pattern="*.jsonl*")

    steps = {
        "signatures": [
            reader(),
            MinhashDedupSignature(signatures, config=minhash, language=WhitespaceWordTokenizer()),
        ],
        "buckets": [MinhashDedupBuckets(signatures, matches, config=minhash)],
        "cluster": [MinhashDedupCluster(matches, removals, config=minhash)],
        "filter": [
            reader(),
            NearDuplicateFilter(
                removals, exclusion_writer=JsonlWriter(str(work / "removed"), adapter=adapter)
            ),
            JsonlWriter(str(output_folder), output_filename=output_filename, adapter=adapter),
        ],
    }
    # signatures and filter run the same tasks over the same files; one bucket task per LSH band
    task_counts = {"signatures": tasks, "buckets": minhash.num_buckets, "cluster": 1, "filter": tasks}
    stages: list[Stage] = []
    for part, part_steps in steps.items():
        previous = stages[-1].name if stages else after
        stages.append(
            Stage(f"{name}-{part}", part_steps, task_counts[part], depends_on=(previous,) if previous else ())
        )
    return stages
