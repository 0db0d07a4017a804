"""datatrove's SlurmPipelineExecutor, given datatrove_executor_kwargs(), runs a pipeline on the cluster."""

from __future__ import annotations

import gzip
import json
import uuid
from pathlib import Path

import pytest

from mathlm.slurm.jobs import SlurmResources, datatrove_executor_kwargs, find_jobs, wait

pytestmark = pytest.mark.slurm

DOCS = [
    [
        {"id": "a1", "text": "Theorem. Every bounded monotone sequence of reals converges."},
        {"id": "a2", "text": "Lorem ipsum dolor sit amet."},
    ],
    [
        {"id": "b1", "text": "Lorem ipsum again, nothing to see."},
        {"id": "b2", "text": "Lemma. If $p$ is prime and $p \\mid ab$ then $p \\mid a$ or $p \\mid b$."},
    ],
]


def test_two_task_pipeline_runs_and_merges_its_stats(slurm_cluster, tmp_path: Path) -> None:
    from datatrove.executor import SlurmPipelineExecutor
    from datatrove.pipeline.filters import RegexFilter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    source = tmp_path / "in"
    source.mkdir()
    for index, docs in enumerate(DOCS):
        (source / f"{index}.jsonl").write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    job_name = f"datatrove-{uuid.uuid4().hex[:12]}"  # find_jobs() must see this test's jobs only
    executor = SlurmPipelineExecutor(
        pipeline=[JsonlReader(str(source)), RegexFilter(r"Lorem ipsum"), JsonlWriter(str(tmp_path / "out"))],
        tasks=2,
        job_name=job_name,
        logging_dir=str(tmp_path / "logs"),
        **datatrove_executor_kwargs(SlurmResources(time="00:05:00")),
    )

    executor.run()

    assert wait(executor.job_id, timeout=300, poll=0.5) == "COMPLETED"
    # The stats-merging job datatrove queues after the array.
    for job_id in find_jobs(job_name):
        assert wait(job_id, timeout=300, poll=0.5) == "COMPLETED"
    kept = sorted(
        json.loads(line)["id"]
        for path in (tmp_path / "out").glob("*.jsonl.gz")
        for line in gzip.open(path, "rt")
    )
    assert kept == ["a1", "b2"]
    assert sorted(p.name for p in (tmp_path / "logs" / "completions").iterdir()) == ["00000", "00001"]
    assert (tmp_path / "logs" / "stats.json").is_file()
