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

from dataclasses import dataclass
from pathlib import Path

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.writers import JsonlWriter
from datatrove.utils.word_tokenizers import WordTokenizer
from pydantic import Field

from mathlm.config import ConfigModel
from mathlm.proof_pile_2.readers import AccountedJsonlReader


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


class DedupConfig(ConfigModel):
    """MinHash near-dedup settings (see the module docstring for what they mean)."""

    enabled: bool = Field(True, description="Run the four MinHash stages after the filters.")
    n_grams: int = Field(5, ge=1, description="Words per shingle.")
    num_buckets: int = Field(14, ge=1, description="LSH bands; the buckets stage runs one task per band.")
    hashes_per_bucket: int = Field(8, ge=1, description="MinHash values per band.")
    seed: int = Field(1, description="Seed of the hash permutations (the same on every task).")

    def minhash_config(self) -> MinhashConfig:
        return MinhashConfig(
            n_grams=self.n_grams,
            num_buckets=self.num_buckets,
            hashes_per_bucket=self.hashes_per_bucket,
            seed=self.seed,
        )


@dataclass
class DedupStages:
    """The four step lists of MinHash dedup, in the order they must run, with their task counts."""

    signatures: list[PipelineStep]
    buckets: list[PipelineStep]
    cluster: list[PipelineStep]
    filter: list[PipelineStep]
    signature_tasks: int
    bucket_tasks: int


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
) -> DedupStages:
    """Step lists that read JSONL(.gz) documents from ``input_folder`` and write the deduplicated ones.

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

    return DedupStages(
        signatures=[
            reader(),
            MinhashDedupSignature(signatures, config=minhash, language=WhitespaceWordTokenizer()),
        ],
        buckets=[MinhashDedupBuckets(signatures, matches, config=minhash)],
        cluster=[MinhashDedupCluster(matches, removals, config=minhash)],
        filter=[
            reader(),
            NearDuplicateFilter(
                removals, exclusion_writer=JsonlWriter(str(work / "removed"), adapter=adapter)
            ),
            JsonlWriter(str(output_folder), output_filename=output_filename, adapter=adapter),
        ],
        signature_tasks=tasks,
        bucket_tasks=minhash.num_buckets,
    )
