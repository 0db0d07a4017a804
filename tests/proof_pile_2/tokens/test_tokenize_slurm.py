"""`mathlm data tokenize --executor slurm` on the local Slurm cluster, then the local re-run that merges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mathlm.proof_pile_2.tokens.pipeline import tokenize_documents
from mathlm.shards.indexed import IndexedDataset
from mathlm.slurm.jobs import wait
from tests.support.tokenizers import sample_texts

pytestmark = pytest.mark.slurm


def test_slurm_tasks_then_local_merge(slurm_cluster, tmp_path: Path, llama_style_sp_model: Path) -> None:
    import sentencepiece

    texts = sample_texts()[:60]
    (tmp_path / "docs").mkdir()
    for part in range(2):
        lines = [json.dumps({"text": text}) for text in texts[part::2]]
        (tmp_path / "docs" / f"{part}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    prefix = tmp_path / "tokens" / "sample"
    submitted = tokenize_documents(
        tmp_path / "docs",
        prefix,
        llama_style_sp_model,
        executor="slurm",
        slurm_partition=slurm_cluster.partition,
    )
    assert submitted.job_id and wait(submitted.job_id, timeout=300, poll=0.5) == "COMPLETED"
    assert sorted(p.name for p in prefix.parent.glob("*.idx")) == ["sample_00000.idx", "sample_00001.idx"]

    merged = tokenize_documents(tmp_path / "docs", prefix, llama_style_sp_model)  # tasks done: only merges
    assert merged.prefixes == [prefix] and not merged.counters  # nothing was tokenized again
    sp = sentencepiece.SentencePieceProcessor(model_file=str(llama_style_sp_model))
    expected = [ids + [2] for ids in sp.encode(texts[0::2] + texts[1::2])]  # rank 0's file, then rank 1's
    assert [doc.tolist() for doc in IndexedDataset(prefix)] == expected
