"""`mathlm data build` on the embedded sample: all three subsets, checked against the sample's manifest;
re-runs that skip finished tasks; a failed task that is the only one to run again; the Slurm executor."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mathlm.assets import CONFIGS_DIR
from mathlm.config import ConfigError, load_config
from mathlm.errors import MathlmError
from mathlm.proof_pile_2.build import BuildResult, run_build
from mathlm.proof_pile_2.config import DataBuildConfig
from mathlm.proof_pile_2.split import split_of
from mathlm.sample_data import load_manifest, sample_paths

SAMPLE_CONFIG = CONFIGS_DIR / "data" / "sample.yaml"
SUBSETS = ("arxiv", "open-web-math", "algebraic-stack")


def read_jsonl_folder(folder: Path) -> list[dict[str, Any]]:
    records = []
    for path in sorted(folder.rglob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            records += [json.loads(line) | {"_file": str(path.relative_to(folder))} for line in handle]
    return records


def counter(result: BuildResult, stage: str, label: str) -> int:
    """Sum of one counter over the steps of a stage in stats.json."""
    steps = next(s for s in result.stats["stages"] if s["stage"] == stage)["steps"]
    return sum(step["counters"].get(label, 0) for step in steps)


def task_log_times(workdir: Path) -> dict[str, float]:
    return {str(p.relative_to(workdir)): p.stat().st_mtime_ns for p in (workdir / "logs").rglob("task_*.log")}


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    workdir = tmp_path_factory.mktemp("sample-build")
    return run_build(load_config(SAMPLE_CONFIG, DataBuildConfig), workdir)


@pytest.fixture(scope="module")
def outputs(sample_build: BuildResult) -> dict[str, list[dict[str, Any]]]:
    return {subset: read_jsonl_folder(sample_build.workdir / subset) for subset in SUBSETS}


@pytest.mark.slow
def test_every_subset_is_built_with_the_documented_record_fields(sample_build, outputs) -> None:
    for subset in SUBSETS:
        assert outputs[subset], f"no {subset} documents"
        for record in outputs[subset]:
            assert record["text"] and record["id"] and record["source"] == subset
            assert record["_file"].split("/")[0] == split_of(record["id"])  # train/validation/test by id hash
    assert all(r["url"].startswith("https://arxiv.org/abs/") for r in outputs["arxiv"])
    assert all(r["url"].startswith("http") and "math_score" in r for r in outputs["open-web-math"])
    assert all(r["path"] and r["lang"] for r in outputs["algebraic-stack"])
    assert sample_build.stats["outputs"] == {
        subset: {
            split: sum(1 for r in outputs[subset] if r["_file"].startswith(split + "/"))
            for split in {r["_file"].split("/")[0] for r in outputs[subset]}
        }
        for subset in SUBSETS
    }
    assert json.loads((sample_build.workdir / "stats.json").read_text()) == sample_build.stats


@pytest.mark.slow
def test_arxiv_papers_are_cleaned_and_the_no_tex_tarball_is_counted(sample_build, outputs) -> None:
    manifest = load_manifest()["arxiv"]
    no_tex = [t for t in manifest["tarballs"] if "no_tex" in t["kinds"]]
    assert no_tex and counter(sample_build, "arxiv/clean", "dropped_no_tex") == len(no_tex)
    no_section = {t["arxiv_id"] for t in manifest["tarballs"] if "no_section" in t["kinds"]}
    assert no_section and counter(sample_build, "arxiv/clean", "dropped_no_section") == len(no_section)
    ids = {r["id"] for r in outputs["arxiv"]}
    assert not ids & ({t["arxiv_id"] for t in no_tex} | no_section)
    readable_oddities = {
        t["arxiv_id"] for t in manifest["tarballs"] if {"latin1", "single_gzipped_tex"} & set(t["kinds"])
    }
    assert len(readable_oddities) == 2 and readable_oddities <= ids
    from_tarballs = [r for r in outputs["arxiv"] if r.get("main_file")]
    assert from_tarballs
    for record in from_tarballs:
        text = record["text"]
        assert text.startswith("\\") and "\\documentclass" not in text and "\\bibliography{" not in text
        assert (
            "\\appendix" not in text and "\\newcommand" not in text and "\\begin{thebibliography}" not in text
        )


@pytest.mark.slow
def test_contaminated_documents_are_removed(sample_build, outputs) -> None:
    manifest = load_manifest()
    contaminated_papers = {
        t["arxiv_id"]
        for t in manifest["arxiv"]["tarballs"]
        if any(k.startswith("contaminated") for k in t["kinds"])
    }
    assert contaminated_papers
    cleaned = {r["id"] for r in read_jsonl_folder(sample_build.workdir / "work" / "arxiv" / "cleaned")}
    assert contaminated_papers <= cleaned  # they survive cleaning...
    assert not contaminated_papers & {
        r["id"] for r in outputs["arxiv"]
    }  # ...and decontamination removes them
    contaminated_urls = {
        r["url"] for r in manifest["web"]["records"] if any(k.startswith("contaminated") for k in r["kinds"])
    }
    assert not contaminated_urls & {r["url"] for r in outputs["open-web-math"]}
    removed = sum(
        value
        for label, value in _final_counters(sample_build).items()
        if label.startswith("dropped_contaminated")
    )
    assert removed >= len(contaminated_papers) + 1  # the papers and at least one web page
    removed_docs = read_jsonl_folder(sample_build.workdir / "work" / "decontamination" / "removed")
    assert contaminated_papers <= {r["id"] for r in removed_docs} and len(removed_docs) == removed
    report = json.loads((sample_build.workdir / "decontamination" / "contamination_report.json").read_text())
    assert report["documents"] == sum(len(records) for records in outputs.values()) + removed


def _final_counters(result: BuildResult) -> dict[str, int]:
    steps = result.stats["stages"][-1]["steps"]
    return {label: value for step in steps for label, value in step["counters"].items()}


@pytest.mark.slow
def test_non_english_pages_are_dropped(sample_build, outputs) -> None:
    non_english = {
        r["url"]
        for r in load_manifest()["web"]["records"]
        if any(k.startswith("non_english") for k in r["kinds"])
    }
    assert non_english and not non_english & {r["url"] for r in outputs["open-web-math"]}
    assert counter(sample_build, "web/extract", "dropped_language") >= 1


@pytest.mark.slow
def test_code_filter_verdicts_match_the_manifest_and_duplicates_are_gone(sample_build, outputs) -> None:
    manifest = load_manifest()["code"]
    filtered = {
        r["id"] for r in read_jsonl_folder(sample_build.workdir / "work" / "algebraic-stack" / "filtered")
    }
    expected = {f["path"].removeprefix(manifest["repos_dir"] + "/"): f["expected"] for f in manifest["files"]}
    expected |= {f"{row['repo_name']}/{row['path']}": row["expected"] for row in manifest["the_stack"]}
    wrong = {
        doc_id: verdict for doc_id, verdict in expected.items() if (verdict == "keep") != (doc_id in filtered)
    }
    assert not wrong
    final = {r["id"] for r in outputs["algebraic-stack"]}
    assert final <= filtered and not final & {i for i, verdict in expected.items() if verdict == "drop"}
    duplicates = counter(sample_build, "code/dedup-filter", "dropped_duplicate_chunk")
    assert duplicates > 0 and len(final) == len(filtered) - duplicates
    texts = [r["text"] for r in outputs["algebraic-stack"]]
    assert len(set(texts)) == len(texts)


def test_every_reader_and_filter_accounts_for_every_record(sample_build) -> None:
    """records in = kept + dropped by named reason, for each reader and filter of each stage."""
    from mathlm.proof_pile_2.readers import accounting_gaps

    for stage in sample_build.stats["stages"]:
        steps = [{"name": step["step"], "stats": step["counters"]} for step in stage["steps"]]
        assert accounting_gaps(steps) == [], stage["stage"]
    assert counter(sample_build, "arxiv/clean", "records") == 30 + 5  # 30 submissions, 5 RedPajama lines


@pytest.mark.slow
def test_a_rerun_skips_every_finished_task(sample_build) -> None:
    before = task_log_times(sample_build.workdir)
    again = run_build(load_config(SAMPLE_CONFIG, DataBuildConfig), sample_build.workdir)
    assert task_log_times(sample_build.workdir) == before  # no task ran again
    assert again.stats == sample_build.stats


def test_a_failed_task_is_the_only_one_that_runs_again(tmp_path: Path) -> None:
    arxiv = tmp_path / "arxiv"
    tarballs = sorted(sample_paths().arxiv_dir.glob("*.tar.gz"))[:3]
    arxiv.mkdir()
    for path in tarballs:
        shutil.copy(path, arxiv)
    broken = arxiv / "9999.99999.tar.gz"  # sorts last: the last task reads it
    broken.symlink_to(tmp_path / "not-there.tar.gz")
    config = load_config(
        SAMPLE_CONFIG,
        DataBuildConfig,
        [
            f"arxiv.tarballs={arxiv}",
            "arxiv.redpajama_jsonl=null",
            "arxiv.tasks=4",
            "arxiv.workers=1",
            "web.enabled=false",
            "code.enabled=false",
            "decontamination.enabled=false",
        ],
    )
    workdir = tmp_path / "build"
    with pytest.raises(MathlmError, match="stage arxiv/clean failed"):
        run_build(config, workdir)
    before = task_log_times(workdir)
    assert len(before) == 4 and len(list((workdir / "logs/arxiv/clean/completions").iterdir())) == 3

    broken.unlink()
    shutil.copy(tarballs[0], broken)  # the input is fixed: the same paper under a new id
    result = run_build(config, workdir)
    after = task_log_times(workdir)
    rerun = {name for name in after if after[name] != before.get(name)}
    assert rerun == {"logs/arxiv/clean/logs/task_00003.log"} | {n for n in after if "final" in n}
    ids = {r["id"] for r in read_jsonl_folder(workdir / "arxiv")}
    assert "9999.99999" in ids and len(ids) == 4
    assert sum(result.stats["outputs"]["arxiv"].values()) == 4


def test_config_errors_name_the_missing_input(tmp_path: Path) -> None:
    config = tmp_path / "build.yaml"
    config.write_text("web:\n  enabled: false\ncode:\n  enabled: false\narxiv:\n  tasks: 2\n")
    with pytest.raises(ConfigError, match="arxiv.tarballs or arxiv.redpajama_jsonl"):
        load_config(config, DataBuildConfig)
    with pytest.raises(MathlmError, match="arxiv.tarballs: .*missing-folder is not a folder"):
        run_build(
            load_config(config, DataBuildConfig, [f"arxiv.tarballs={tmp_path / 'missing-folder'}"]),
            tmp_path / "out",
        )


@pytest.mark.slow
@pytest.mark.slurm
def test_the_same_build_on_slurm(slurm_cluster, sample_build, outputs, tmp_path: Path) -> None:
    config = load_config(
        SAMPLE_CONFIG,
        DataBuildConfig,
        [
            "executor=slurm",
            f"slurm.partition={slurm_cluster.partition}",
            "slurm.time=00:10:00",
            "slurm.poll_seconds=0.5",
        ],
    )
    result = run_build(config, tmp_path / "slurm-build")
    assert result.stats["outputs"] == sample_build.stats["outputs"]
    for subset in SUBSETS:
        slurm_ids = sorted(
            (r["_file"].split("/")[0], r["id"]) for r in read_jsonl_folder(result.workdir / subset)
        )
        assert slurm_ids == sorted((r["_file"].split("/")[0], r["id"]) for r in outputs[subset])
    launch_scripts = list((result.workdir / "logs").rglob("launch_script.slurm"))
    assert len(launch_scripts) == len(result.stats["stages"])


def test_parquet_output_has_fixed_columns_and_metadata_as_json(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    config = load_config(
        SAMPLE_CONFIG,
        DataBuildConfig,
        [
            "output.format=parquet",
            "arxiv.keep_excluded=true",
            "web.enabled=false",
            "code.enabled=false",
            "decontamination.enabled=false",
            "arxiv.workers=1",
        ],
    )
    result = run_build(config, tmp_path)
    tables = [pq.read_table(path) for path in sorted((tmp_path / "arxiv").rglob("*.parquet"))]
    assert tables and all(
        t.column_names == ["text", "id", "source", "url", "path", "metadata"] for t in tables
    )
    rows = [row for table in tables for row in table.to_pylist()]
    assert len(rows) == sum(result.stats["outputs"]["arxiv"].values())
    from_tarballs = [row for row in rows if row["path"].endswith(".tar.gz")]
    assert from_tarballs and all(json.loads(row["metadata"])["main_file"] for row in from_tarballs)
    excluded = read_jsonl_folder(tmp_path / "work" / "arxiv" / "excluded" / "cleaning")
    no_section = {t["arxiv_id"] for t in load_manifest()["arxiv"]["tarballs"] if "no_section" in t["kinds"]}
    assert {r["id"] for r in excluded} == no_section
    assert {r["metadata"]["filter_reason"] for r in excluded} == {"no_section"}


def test_cli_reports_a_missing_input_folder(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mathlm.cli",
            "data",
            "build",
            str(SAMPLE_CONFIG),
            "--workdir",
            str(tmp_path / "out"),
            "--set",
            f"code.source_trees={missing}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert f"code.source_trees: {missing} is not a folder" in " ".join(result.stderr.split())
