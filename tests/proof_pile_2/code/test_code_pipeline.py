"""The code readers, steps and chunk dedup, run as real datatrove pipelines."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from algebraic_stack_snippets import LEAN_SOURCE, PYTHON_NUMPY, PYTHON_WEB, TEX_SOURCE
from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.writers import JsonlWriter

from mathlm.proof_pile_2.code import (
    AlgebraicStackFilter,
    ChunkDedupFilter,
    ChunkDedupFinder,
    ChunkDedupSignature,
    JupyterToMarkdown,
    SourceTreeReader,
    StackJsonlReader,
    StackParquetReader,
    TexEnglishFilter,
)
from mathlm.proof_pile_2.code.dedup import chunk_hashes, chunks
from mathlm.proof_pile_2.intermediate import IntermediateReader, intermediate_writer

NOTEBOOK = json.dumps(
    {
        "nbformat": 4,
        "metadata": {},
        "cells": [
            {"cell_type": "markdown", "source": "\\begin{align} a^2 + b^2 &= c^2 \\end{align}"},
            {"cell_type": "code", "source": "c = (3**2 + 4**2) ** 0.5", "outputs": []},
        ],
    }
)
FRENCH_TEX = (
    "\\documentclass{article}\n\\begin{document}\n\\section{Les groupes}\nUn groupe est un ensemble muni "
    "d'une loi de composition interne associative, qui possède un élément neutre et dans lequel chaque "
    "élément admet un symétrique. Nous étudions ici les sous-groupes distingués.\n\\end{document}\n"
)


def test_chunks_definition() -> None:
    assert chunks("") == []
    assert chunks("short file") == ["short file"]
    text = "a" * 2048 + "b" * 2048 + "c" * 904
    assert chunks(text) == ["a" * 2048, "b" * 2048]  # the 904-character tail is not a chunk
    assert len(chunk_hashes("x" * 4096)) == 1  # a chunk repeated inside one document counts once


def write_tree(root: Path) -> None:
    files = {
        "alice-stats/gauss.py": PYTHON_NUMPY,
        "bob-site/app.py": PYTHON_WEB,
        "carol-fork/vendor/gauss.py": PYTHON_NUMPY,  # exact copy: a chunk dedup duplicate
        "dave-notes/pythagoras.ipynb": NOTEBOOK,
        "dave-notes/groups.tex": TEX_SOURCE,
        "dave-notes/groupes.tex": FRENCH_TEX,
        "erin-lean/Basic.lean": LEAN_SOURCE,
        "miniF2F/Test.lean": LEAN_SOURCE + "-- benchmark copy\n",
        "erin-lean/README.md": "# notes",
        "erin-lean/.git/config": "[core]",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "bob-site/legacy.py").write_bytes("# caf\xe9\nimport numpy\n".encode("latin-1"))


def read_output(folder: Path) -> dict[str, dict]:
    docs = {}
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt") as handle:
            docs.update({record["id"]: record for record in map(json.loads, handle)})
    return docs


def test_source_tree_filter_and_dedup_pipeline(tmp_path: Path) -> None:
    tree, work = tmp_path / "trees", tmp_path / "work"
    write_tree(tree)
    tasks = 2
    filtering = LocalPipelineExecutor(
        [
            SourceTreeReader(str(tree)),
            JupyterToMarkdown(),
            AlgebraicStackFilter(),
            TexEnglishFilter(),
            ChunkDedupSignature(str(work / "sigs"), buckets=2),
            intermediate_writer(str(work / "filtered")),
        ],
        tasks=tasks,
        workers=1,
        logging_dir=str(work / "logs/filter"),
    )
    finder = LocalPipelineExecutor(
        [ChunkDedupFinder(str(work / "sigs"), str(work / "dups"))],
        tasks=2,
        workers=1,
        logging_dir=str(work / "logs/find"),
    )
    dedup = LocalPipelineExecutor(
        [
            IntermediateReader(str(work / "filtered")),
            ChunkDedupFilter(str(work / "dups")),
            JsonlWriter(str(work / "out")),
        ],
        tasks=tasks,
        workers=1,
        logging_dir=str(work / "logs/dedup"),
    )
    filter_stats = filtering.run()
    finder.run()
    dedup_stats = dedup.run()

    docs = read_output(work / "out")
    gauss_copies = [doc_id for doc_id in docs if doc_id.endswith("gauss.py")]
    assert len(gauss_copies) == 1
    assert set(docs) - set(gauss_copies) == {
        "dave-notes/pythagoras.ipynb",
        "dave-notes/groups.tex",
        "erin-lean/Basic.lean",
    }
    notebook = docs["dave-notes/pythagoras.ipynb"]
    assert notebook["text"].startswith("\\begin{align}") and "```python\nc = (3**2" in notebook["text"]
    assert notebook["metadata"]["lang"] == "jupyter" and notebook["metadata"]["repo"] == "dave-notes"
    assert docs["dave-notes/groups.tex"]["metadata"]["natural_language"] == "en"

    counters = {key: value for step in filter_stats.stats for key, value in step.stats.items()}
    assert counters["skipped_vcs"].total == 1 and counters["skipped_other_language"].total == 1
    assert counters["dropped_not_utf8"].total == 1
    assert counters["dropped_python_no_math_import"].total == 1
    assert counters["dropped_lean_benchmark_repo"].total == 1
    assert counters["dropped_tex_not_english"].total == 1
    dedup_counters = {key: value for step in dedup_stats.stats for key, value in step.stats.items()}
    assert dedup_counters["dropped_duplicate_chunk"].total == 1


def test_a_shared_chunk_anywhere_makes_a_later_document_a_duplicate(tmp_path: Path) -> None:
    shared = "theorem shared_block : True := trivial\n" * 60  # > 2,048 characters
    first = "A" * 2048 + shared[:2048] + "tail"
    later = "B" * 2048 + shared[:2048]
    unrelated_prefix = first[:100]  # a short document equal to the start of a long one: no full chunk shared
    docs = [Document(text=t, id=str(i)) for i, t in enumerate([first, unrelated_prefix, later])]
    signature = ChunkDedupSignature(str(tmp_path / "sigs"))
    list(signature(iter(docs)))
    list(ChunkDedupFinder(str(tmp_path / "sigs"), str(tmp_path / "dups"))())
    kept = list(ChunkDedupFilter(str(tmp_path / "dups"))(iter(docs)))
    assert [doc.id for doc in kept] == ["0", "1"]


def test_stack_parquet_and_jsonl_readers(tmp_path: Path) -> None:
    rows = {
        "content": [PYTHON_NUMPY, LEAN_SOURCE],
        "lang": ["Python", "Lean"],
        "max_stars_repo_path": ["src/gauss.py", "Basic.lean"],
        "max_stars_repo_name": ["alice/stats", "erin/lean"],
        "hexsha": ["a1", "b2"],
    }
    (tmp_path / "parquet").mkdir()
    pq.write_table(pa.table(rows), tmp_path / "parquet" / "python-0000.parquet")
    (tmp_path / "jsonl").mkdir()
    with gzip.open(tmp_path / "jsonl" / "lean.jsonl.gz", "wt") as handle:
        handle.write(
            json.dumps(
                {"content": LEAN_SOURCE, "max_stars_repo_path": "Nat.lean", "max_stars_repo_name": "bob/nat"}
            )
            + "\n"
        )
    parquet_docs = list(StackParquetReader(str(tmp_path / "parquet"))())
    assert [(d.id, d.metadata["lang"], d.metadata["repo"]) for d in parquet_docs] == [
        ("alice/stats/src/gauss.py", "python", "alice/stats"),
        ("erin/lean/Basic.lean", "lean", "erin/lean"),
    ]
    jsonl_docs = list(StackJsonlReader(str(tmp_path / "jsonl"))())
    assert [(d.id, d.metadata["lang"], d.metadata["source"]) for d in jsonl_docs] == [
        ("bob/nat/Nat.lean", "lean", "algebraic-stack")
    ]  # no lang column: from the extension
