"""Bad input, case by case: every broken record is counted with its reason and the good records around it
survive. Nothing here may crash a task, lose a file's good records, or pass silently.

Each case runs the real reader or step on real files written to a temporary folder and checks the step's
accounting (``records == documents + dropped by reason``) as well as the named reason.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from typer.testing import CliRunner

from mathlm.cli import app
from mathlm.errors import MathlmError
from mathlm.proof_pile_2 import readers as readers_module
from mathlm.proof_pile_2.arxiv import ArxivSourceReader, RedPajamaArxivReader, RedPajamaLatexCleaner
from mathlm.proof_pile_2.arxiv import sources as arxiv_sources
from mathlm.proof_pile_2.code import JupyterToMarkdown, SourceTreeReader, StackJsonlReader, StackParquetReader
from mathlm.proof_pile_2.readers import AccountedJsonlReader, accounting_gaps
from mathlm.proof_pile_2.web.dedup import DedupConfig, minhash_dedup_stages
from mathlm.proof_pile_2.web.warc import FastWarcReader
from mathlm.shards.indexed import IndexedDataset, IndexedDatasetWriter

PAPER_BODY = "\\section{Introduction}\n" + "Let $G$ be a finite group and $H \\le G$ a subgroup. " * 20


def run_step(step: Any, data: Any = None) -> tuple[list[Document], dict[str, int]]:
    """Run one step to the end; its documents and its counters (totals), after checking its accounting."""
    docs = list(step.run(data) if data is not None else step.run())
    stats = step.stats.to_dict()
    assert accounting_gaps([stats]) == [], stats
    return docs, {
        key: value["total"] if isinstance(value, dict) else value for key, value in stats["stats"].items()
    }


def stack_line(content: Any, path: str = "src/a.py", **extra: Any) -> str:
    return json.dumps(
        {
            "content": content,
            "lang": "Python",
            "max_stars_repo_path": path,
            "max_stars_repo_name": "someone/repo",
            **extra,
        }
    )


def good_stack_lines(n: int) -> list[str]:
    return [stack_line(f"import numpy as np\nx{i} = np.zeros({i})\n", path=f"src/m{i}.py") for i in range(n)]


def tarball(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def paper(body: str = PAPER_BODY) -> bytes:
    return ("\\documentclass{article}\n\\begin{document}\n" + body + "\n\\end{document}\n").encode()


# ---------------------------------------------------------------- JSONL


def test_jsonl_garbage_line_is_dropped_with_its_line_number(tmp_path: Path) -> None:
    lines = good_stack_lines(2) + ["{this is not json"] + good_stack_lines(3)[2:]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n")
    reader = StackJsonlReader(str(tmp_path), bad_records_folder=str(tmp_path / "bad"))
    docs, counts = run_step(reader)
    assert len(docs) == 3 and counts["dropped_malformed_json"] == 1
    bad = json.loads((tmp_path / "bad" / "StackJsonlReader_00000.jsonl").read_text())
    assert (bad["file"], bad["position"], bad["reason"]) == ("a.jsonl", "line 3", "malformed_json")


@pytest.mark.parametrize("line", ["[1, 2, 3]", "42", '"a string"', "null"])
def test_jsonl_line_that_is_not_an_object(tmp_path: Path, line: str) -> None:
    (tmp_path / "a.jsonl").write_text(
        "\n".join([good_stack_lines(1)[0], line, good_stack_lines(2)[1]]) + "\n"
    )
    docs, counts = run_step(StackJsonlReader(str(tmp_path)))
    assert len(docs) == 2 and counts["dropped_not_an_object"] == 1


def test_jsonl_invalid_utf8_drops_that_line_not_the_file(tmp_path: Path) -> None:
    """Before: one bad byte silently lost all 10 records of the file while the build exited 0."""
    lines = [line.encode() for line in good_stack_lines(10)]
    lines[4] = lines[4].replace(b"numpy as np", b"numpy as np \xff\xfe")
    (tmp_path / "a.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    docs, counts = run_step(StackJsonlReader(str(tmp_path)))
    assert len(docs) == 9 and counts["dropped_invalid_utf8"] == 1 and counts["records"] == 10


def test_jsonl_integer_content_is_a_wrong_type(tmp_path: Path) -> None:
    lines = good_stack_lines(2) + [stack_line(12345)] + [stack_line("x = 1", lang=7)]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n")
    docs, counts = run_step(StackJsonlReader(str(tmp_path)))
    assert len(docs) == 2 and counts["dropped_wrong_type"] == 2


def test_redpajama_meta_that_is_not_an_object(tmp_path: Path) -> None:
    records = [
        {"text": PAPER_BODY, "meta": {"arxiv_id": "2101.00001"}},
        {"text": PAPER_BODY, "meta": "oops"},
        {"text": 3.5, "meta": {}},
        {"meta": {"arxiv_id": "x"}},
        {"text": PAPER_BODY, "meta": None},
    ]
    (tmp_path / "arxiv.jsonl").write_text("\n".join(map(json.dumps, records)) + "\n")
    docs, counts = run_step(RedPajamaArxivReader(str(tmp_path)))
    assert [doc.id for doc in docs] == ["2101.00001", "arxiv.jsonl/4"]
    assert counts["dropped_wrong_type"] == 2 and counts["dropped_no_text"] == 1


def test_jsonl_huge_line_is_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers_module, "MAX_LINE_BYTES", 1000)
    lines = good_stack_lines(2) + [stack_line("y = 2\n" * 500)]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n")
    docs, counts = run_step(StackJsonlReader(str(tmp_path)))
    assert len(docs) == 2 and counts["dropped_too_large"] == 1


def test_empty_jsonl_file_and_blank_lines_are_zero_records(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blanks.jsonl").write_text("\n\n" + good_stack_lines(1)[0] + "\n\n")
    docs, counts = run_step(StackJsonlReader(str(tmp_path)))
    assert len(docs) == 1 and counts["records"] == 1


# ---------------------------------------------------------------- .gz


def test_truncated_gz_keeps_the_records_before_the_cut(tmp_path: Path) -> None:
    data = gzip.compress(("\n".join(good_stack_lines(200)) + "\n").encode())
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    (tmp_path / "whole.jsonl.gz").write_bytes(gzip.compress(("\n".join(good_stack_lines(5)) + "\n").encode()))
    docs, counts = run_step(StackJsonlReader(str(tmp_path), bad_records_folder=str(tmp_path / "bad")))
    kept_from_cut = len(docs) - 5
    assert 20 < kept_from_cut < 200 and counts["dropped_truncated_file"] == 1
    bad = json.loads((tmp_path / "bad" / "StackJsonlReader_00000.jsonl").read_text())
    assert bad["file"] == "cut.jsonl.gz" and bad["reason"] == "truncated_file"
    assert bad["position"].startswith("after line ")


def test_file_named_gz_that_is_not_gzip(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl.gz").write_bytes(b"these bytes were never gzipped\n" * 10)
    (tmp_path / "b.jsonl").write_text("\n".join(good_stack_lines(2)) + "\n")
    docs, counts = run_step(StackJsonlReader(str(tmp_path)))
    assert len(docs) == 2 and counts["dropped_corrupt_file"] == 1


def test_zstd_jsonl_is_read_and_a_broken_one_counted(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    (tmp_path / "good.jsonl.zst").write_bytes(
        zstandard.ZstdCompressor().compress(("\n".join(good_stack_lines(4)) + "\n").encode())
    )
    (tmp_path / "broken.jsonl.zst").write_bytes(b"not zstd at all" * 20)
    docs, counts = run_step(StackJsonlReader(str(tmp_path)))
    assert len(docs) == 4 and counts["dropped_truncated_file"] == 1


# ---------------------------------------------------------------- Parquet


def stack_table(contents: list[Any]) -> pa.Table:
    return pa.table(
        {
            "content": contents,
            "lang": ["Python"] * len(contents),
            "max_stars_repo_path": [f"src/p{i}.py" for i in range(len(contents))],
            "max_stars_repo_name": ["someone/repo"] * len(contents),
        }
    )


def test_corrupt_and_truncated_parquet_files_count_once_each(tmp_path: Path) -> None:
    pq.write_table(stack_table(["import numpy\n"] * 3), tmp_path / "good.parquet")
    (tmp_path / "garbage.parquet").write_bytes(b"PAR1 but then nothing that parquet can read" * 10)
    whole = io.BytesIO()
    pq.write_table(stack_table(["import scipy\n"] * 50), whole)
    (tmp_path / "truncated.parquet").write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    docs, counts = run_step(StackParquetReader(str(tmp_path)))
    assert len(docs) == 3 and counts["dropped_corrupt_file"] == 2


def test_parquet_integer_content_column_and_empty_file(tmp_path: Path) -> None:
    pq.write_table(stack_table([1, 2]), tmp_path / "ints.parquet")
    pq.write_table(stack_table(["import sympy\n"]), tmp_path / "good.parquet")
    pq.write_table(stack_table([]).cast(stack_table(["x"]).schema), tmp_path / "empty.parquet")
    docs, counts = run_step(StackParquetReader(str(tmp_path)))
    assert len(docs) == 1 and counts["dropped_wrong_type"] == 2 and counts["records"] == 3


# ---------------------------------------------------------------- arXiv tarballs


def test_truncated_tarball_is_dropped_and_the_next_submission_read(tmp_path: Path) -> None:
    (tmp_path / "2101.00001.tar.gz").write_bytes(tarball({"main.tex": paper()})[:60])
    (tmp_path / "2101.00002.tar.gz").write_bytes(tarball({"main.tex": paper()}))
    docs, counts = run_step(ArxivSourceReader(str(tmp_path)))
    assert [doc.id for doc in docs] == ["2101.00002"] and counts["dropped_corrupt_archive"] == 1


def test_decompression_bomb_is_stopped_at_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arxiv_sources, "MAX_DECOMPRESSED_BYTES", 2**20)
    bomb = tarball({"main.tex": paper(), "data.tex": b"0" * (8 * 2**20)})  # 8 MiB of zeros: ~8 KB compressed
    assert len(bomb) < 50_000
    (tmp_path / "2101.00001.tar.gz").write_bytes(bomb)
    (tmp_path / "2101.00002.gz").write_bytes(gzip.compress(b"%" * (4 * 2**20)))  # single-file bomb
    (tmp_path / "2101.00003.tar.gz").write_bytes(tarball({"main.tex": paper()}))
    docs, counts = run_step(ArxivSourceReader(str(tmp_path)))
    assert [doc.id for doc in docs] == ["2101.00003"] and counts["dropped_decompressed_too_large"] == 2


def test_members_whose_path_leaves_the_submission_are_never_used(tmp_path: Path) -> None:
    evil = paper("\\section{Evil}\nInjected " * 50)
    members = {"../../evil.tex": evil, "/etc/evil2.tex": evil, "main.tex": paper()}
    (tmp_path / "2101.00001.tar.gz").write_bytes(tarball(members))
    docs, counts = run_step(ArxivSourceReader(str(tmp_path)))
    assert len(docs) == 1 and docs[0].metadata["main_file"] == "main.tex" and "Injected" not in docs[0].text
    assert counts["skipped_unsafe_member"] == 2
    assert not (tmp_path.parent / "evil.tex").exists()


def test_pdf_only_and_empty_submissions(tmp_path: Path) -> None:
    (tmp_path / "2101.00001.tar.gz").write_bytes(tarball({"paper.pdf": b"%PDF-1.5\x00\x01"}))
    (tmp_path / "2101.00002.tar.gz").write_bytes(b"")
    (tmp_path / "2101.00003.tar.gz").write_bytes(tarball({"main.tex": paper()}))
    docs, counts = run_step(ArxivSourceReader(str(tmp_path)))
    assert [doc.id for doc in docs] == ["2101.00003"] and counts["dropped_no_tex"] == 2


# ---------------------------------------------------------------- LaTeX


def test_input_chain_that_doubles_per_level_is_capped(tmp_path: Path) -> None:
    """Each level inputs the next twice: 2^12 copies of a 16 KB file would be 64 MB."""
    files = {f"l{i}.tex": f"\\input{{l{i + 1}}}\n\\input{{l{i + 1}}}\n".encode() for i in range(12)}
    files["l12.tex"] = b"x" * 16_384
    files["main.tex"] = paper("\\section{A}\n\\input{l0}")
    (tmp_path / "2101.00001.tar.gz").write_bytes(tarball(files))
    (tmp_path / "2101.00002.tar.gz").write_bytes(tarball({"main.tex": paper()}))
    docs, counts = run_step(ArxivSourceReader(str(tmp_path)))
    assert [doc.id for doc in docs] == ["2101.00002"] and counts["dropped_input_too_large"] == 1


def test_input_nested_too_deep(tmp_path: Path) -> None:
    files = {f"d{i}.tex": f"level {i} \\input{{d{i + 1}}}".encode() for i in range(40)}
    files["main.tex"] = paper(PAPER_BODY + "\\input{d0}")
    (tmp_path / "2101.00001.tar.gz").write_bytes(tarball(files))
    docs, counts = run_step(ArxivSourceReader(str(tmp_path)))
    assert docs == [] and counts["dropped_input_too_deep"] == 1


def test_self_referencing_macro_is_a_counted_drop() -> None:
    """``\\def\\a{\\a\\a\\a}`` expanded to 86 MB before; one more ``\\a`` would have been 8.6 GB."""
    bomb = Document(text="\\def\\a{\\a\\a\\a}\n" + PAPER_BODY + " \\a" * 2000, id="bomb")
    good = Document(text="\\def\\G{\\mathcal{G}}\n" + PAPER_BODY + " $\\G$", id="good")
    docs, counts = run_step(RedPajamaLatexCleaner(), [bomb, good])
    assert [doc.id for doc in docs] == ["good"] and counts["dropped_macro_expansion_too_large"] == 1
    assert "$\\mathcal{G}$" in docs[0].text


def test_bare_template_is_too_short() -> None:
    docs, counts = run_step(
        RedPajamaLatexCleaner(),
        [Document(text="\\section{}\\label{}", id="t"), Document(text=PAPER_BODY, id="p")],
    )
    assert [doc.id for doc in docs] == ["p"] and counts["dropped_too_short"] == 1


def test_latex_without_any_section_and_binary_garbage(tmp_path: Path) -> None:
    (tmp_path / "2101.00001.gz").write_bytes(gzip.compress(bytes(range(256)) * 40))
    (tmp_path / "2101.00002.tex").write_bytes(b"\\documentclass{article}\\begin{document}Hi.\\end{document}")
    (tmp_path / "2101.00003.tex").write_bytes(paper())
    reader, cleaner = ArxivSourceReader(str(tmp_path)), RedPajamaLatexCleaner()
    docs, _ = run_step(cleaner, reader.run())
    assert [doc.id for doc in docs] == ["2101.00003"]
    counts = {key: value.total for key, value in {**reader.stats.stats, **cleaner.stats.stats}.items()}
    assert counts["dropped_no_tex"] == 1 and counts["dropped_no_section"] == 1


# ---------------------------------------------------------------- code


def test_readers_of_an_empty_folder_finish_with_zero_outputs(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for reader in (
        ArxivSourceReader,
        SourceTreeReader,
        StackJsonlReader,
        StackParquetReader,
        RedPajamaArxivReader,
    ):
        docs, counts = run_step(reader(str(tmp_path / "empty")))
        assert docs == [] and counts.get("records", 0) == 0, reader.__name__


def test_source_tree_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "bad.py").write_bytes(b"import numpy\n# caf\xe9\n")
    (tmp_path / "repo" / "good.py").write_text("import numpy\n")
    (tmp_path / "repo" / "notes.txt").write_text("not code")
    docs, counts = run_step(SourceTreeReader(str(tmp_path)))
    assert [doc.id for doc in docs] == ["repo/good.py"] and counts["dropped_not_utf8"] == 1
    assert counts["skipped_other_language"] == 1


def test_source_tree_link_to_a_file_outside_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "secret.py"
    outside.write_text("import numpy  # not part of any repository\n")
    (tmp_path / "tree" / "repo").mkdir(parents=True)
    (tmp_path / "tree" / "repo" / "link.py").symlink_to(outside)
    (tmp_path / "tree" / "repo" / "inside.py").symlink_to(tmp_path / "tree" / "repo" / "real.py")
    (tmp_path / "tree" / "repo" / "real.py").write_text("import numpy\n")
    docs, counts = run_step(SourceTreeReader(str(tmp_path / "tree")))
    assert sorted(doc.id for doc in docs) == ["repo/inside.py", "repo/real.py"]
    assert counts["dropped_link_outside_tree"] == 1


def test_notebook_that_is_not_json_is_dropped_and_others_converted() -> None:
    broken = Document(text='{"cells": [', id="a.ipynb", metadata={"lang": "jupyter"})
    good = Document(
        text=json.dumps({"cells": [{"cell_type": "markdown", "source": "$x^2$"}]}),
        id="b.ipynb",
        metadata={"lang": "jupyter"},
    )
    docs, counts = run_step(JupyterToMarkdown(), [broken, good])
    assert [doc.text for doc in docs] == ["$x^2$"] and counts["dropped_unreadable_notebook"] == 1


# ---------------------------------------------------------------- WARC


def warc_response(url: str, html: bytes, content_type: str = "text/html") -> bytes:
    http = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(html)}\r\n\r\n".encode()
    block = http + html
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
        f"WARC-Target-URI: {url}\r\nWARC-Date: 2023-09-21T04:12:00Z\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {len(block)}\r\n\r\n"
    )
    return gzip.compress(head.encode() + block + b"\r\n\r\n", mtime=0)


def test_truncated_warc_keeps_the_pages_before_the_cut(tmp_path: Path) -> None:
    pages = [
        warc_response(f"http://x.org/{i}", b"<html><body><p>Page %d</p></body></html>" % i) for i in range(4)
    ]
    data = b"".join(pages)
    (tmp_path / "a.warc.gz").write_bytes(data[: len(data) - len(pages[-1]) // 2])
    docs, counts = run_step_warc(tmp_path)
    assert len(docs) == 3 and counts["corrupt_record"] == 1


def test_garbage_and_empty_warc_files_read_as_nothing(tmp_path: Path) -> None:
    (tmp_path / "garbage.warc.gz").write_bytes(b"\x1f\x8b\x08" + b"\x00\xff" * 500)
    (tmp_path / "empty.warc.gz").write_bytes(b"")
    (tmp_path / "good.warc.gz").write_bytes(warc_response("http://x.org/a", b"<html><body>A</body></html>"))
    docs, counts = run_step_warc(tmp_path)
    assert [doc.metadata["url"] for doc in docs] == ["http://x.org/a"] and counts.get(
        "corrupt_record", 0
    ) >= 1


def run_step_warc(folder: Path) -> tuple[list[Document], dict[str, int]]:
    """The WARC reader counts skipped records by kind (``corrupt_record``, ``non_html``...), not records in."""
    reader = FastWarcReader(str(folder))
    docs = list(reader.run())
    return docs, {key: value.total for key, value in reader.stats.stats.items()}


def test_near_dedup_of_a_warc_whose_pages_were_all_filtered_out(tmp_path: Path) -> None:
    """The extraction stage kept nothing and wrote no file: every dedup stage finishes with zero outputs."""
    (tmp_path / "extracted").mkdir()
    stages = minhash_dedup_stages(
        tmp_path / "extracted",
        tmp_path / "work",
        tmp_path / "out",
        tasks=1,
        config=DedupConfig(num_buckets=2, hashes_per_bucket=4),
    )
    for stage in stages:
        LocalPipelineExecutor(
            stage.steps, tasks=stage.tasks, workers=1, logging_dir=str(tmp_path / "logs" / stage.name)
        ).run()
    assert not list((tmp_path / "out").glob("*.jsonl*"))
    assert (tmp_path / "logs" / "dedup-filter" / "completions" / "00000").exists()
    assert list(AccountedJsonlReader(str(tmp_path / "missing-folder")).run()) == []


# ---------------------------------------------------------------- token shards and `mathlm data tokenize`


def test_truncated_or_garbage_token_shard_is_a_clear_error(tmp_path: Path) -> None:
    with IndexedDatasetWriter(tmp_path / "s", np.uint16) as writer:
        writer.add_document([1, 2, 3])
        writer.add_document([4, 5])
    IndexedDataset(tmp_path / "s")
    (tmp_path / "s.bin").write_bytes((tmp_path / "s.bin").read_bytes()[:4])
    with pytest.raises(MathlmError, match=r"s\.bin"):
        IndexedDataset(tmp_path / "s")
    (tmp_path / "g.idx").write_bytes(b"garbage" * 10)
    (tmp_path / "g.bin").write_bytes(b"")
    with pytest.raises(MathlmError, match="not a Megatron/GPT-NeoX index"):
        IndexedDataset(tmp_path / "g")


def test_tokenize_reports_bad_records_with_positions_not_a_traceback(
    tmp_path: Path, llama_style_sp_model: Path
) -> None:
    """A truncated .gz, invalid UTF-8 and a non-object line: counted, located, and the rest tokenized."""
    docs = tmp_path / "docs"
    docs.mkdir()
    lines = [json.dumps({"text": f"The sum of the first {i} odd numbers is {i * i}."}) for i in range(300)]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    (docs / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    (docs / "mixed.jsonl").write_bytes(
        b'{"text": "A group is a set."}\n{"text": "caf\xe9"}\n[1]\n{"text": "Done."}\n'
    )
    result = CliRunner().invoke(
        app,
        [
            "data",
            "tokenize",
            "--tokenizer",
            str(llama_style_sp_model),
            "--input",
            str(docs),
            "--output",
            str(tmp_path / "out" / "t"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "Aborted" not in result.output
    assert "dropped_truncated_file" in result.output and "dropped_invalid_utf8" in result.output
    assert "cut.jsonl.gz, after line" in result.output and "mixed.jsonl, line 2" in result.output
    assert len(IndexedDataset(tmp_path / "out" / "t")) > 2


def test_tokenize_input_of_only_bad_records_gives_an_empty_shard(
    tmp_path: Path, llama_style_sp_model: Path
) -> None:
    from mathlm.proof_pile_2.tokens.pipeline import tokenize_documents

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "bad.jsonl").write_text('{"title": "no text"}\n{"text": ""}\n')
    result = tokenize_documents(tmp_path / "docs", tmp_path / "out" / "t", llama_style_sp_model)
    assert (result.documents, result.counters["records"]) == (0, 2)
    assert result.counters["dropped_no_text"] == 1 and result.counters["dropped_empty"] == 1


def test_a_build_over_bad_input_finishes_and_lists_what_it_dropped(tmp_path: Path) -> None:
    """The whole `mathlm data build` (code subset only): bad records never fail a task or the build."""
    from mathlm.proof_pile_2.build import DataBuildConfig, run_build

    stack = tmp_path / "stack"
    stack.mkdir()
    lines = good_stack_lines(6)
    (stack / "a.jsonl").write_text("\n".join(lines[:3] + ["{broken", stack_line(7)] + lines[3:]) + "\n")
    data = gzip.compress(("\n".join(good_stack_lines(300)[100:]) + "\n").encode())
    (stack / "b.jsonl.gz").write_bytes(data[: len(data) // 2])
    config = DataBuildConfig.model_validate(
        {
            "arxiv": {"enabled": False},
            "web": {"enabled": False},
            "decontamination": {"enabled": False},
            "code": {"stack_files": str(stack), "dedup": False},
        }
    )
    result = run_build(config, tmp_path / "build")
    reader = next(step for step in result.stats["stages"][0]["steps"] if "the-stack" in step["step"])
    assert reader["counters"]["dropped_malformed_json"] == 1 and reader["counters"]["dropped_wrong_type"] == 1
    assert reader["counters"]["dropped_truncated_file"] == 1
    assert sum(result.stats["outputs"]["algebraic-stack"].values()) > 6 + 20
    listed = list((tmp_path / "build" / "work" / "algebraic-stack" / "bad_records").glob("*.jsonl"))
    assert sum(len(path.read_text().splitlines()) for path in listed) == 3
