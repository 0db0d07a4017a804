"""Handing documents from stage to stage: every file read exactly once, a missing file an empty task."""

from __future__ import annotations

from pathlib import Path

from datatrove.data import Document

from mathlm.proof_pile_2.intermediate import IntermediateReader, intermediate_writer


def write_stage(folder: Path, docs_per_task: list[list[str]]) -> None:
    for rank, ids in enumerate(docs_per_task):
        with intermediate_writer(str(folder)) as writer:
            for doc_id in ids:
                writer.write(
                    Document(text=f"text of {doc_id}", id=doc_id, metadata={"source": "arxiv"}), rank
                )


def test_same_task_count_reads_its_own_file_and_tolerates_an_empty_task(tmp_path: Path) -> None:
    write_stage(tmp_path, [["a", "b"], [], ["c"]])  # task 1 kept nothing and wrote no file
    read = [
        [doc.id for doc in IntermediateReader(str(tmp_path))(rank=rank, world_size=3)] for rank in range(3)
    ]
    assert read == [["a", "b"], [], ["c"]]
    assert next(iter(IntermediateReader(str(tmp_path))(rank=2, world_size=3))).metadata["source"] == "arxiv"


def test_fewer_tasks_read_every_file_once(tmp_path: Path) -> None:
    write_stage(tmp_path, [["a"], ["b"], ["c"], ["d"], ["e"]])
    reader = IntermediateReader(str(tmp_path), written_by=5)
    read = [[doc.id for doc in reader(rank=rank, world_size=2)] for rank in range(2)]
    assert read == [["a", "c", "e"], ["b", "d"]]
