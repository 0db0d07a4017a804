"""``mathlm data tokenize``: documents (JSONL, JSONL.gz, Parquet; a file or a folder) -> token shards.

The work is a datatrove pipeline, reader(s) then :class:`TokenizeToShards`, with one task per input
file (up to the number of files), run by datatrove's local executor (``--workers`` processes) or its
Slurm executor. Task ``r`` writes ``PREFIX_0000r.bin/.idx``; locally, once every task is done, the
task shards are merged in rank order into ``PREFIX.bin/.idx`` (the single data path GPT-NeoX and
the mixture config take) and removed. ``merge=False`` keeps the ``PREFIX_*`` shards instead (list
them, or the pattern ``PREFIX_*``, in a mixture config). On Slurm the command returns after
submission; the shards are the unmerged ``PREFIX_*`` ones, or re-run the same command locally once
the jobs are done: completed tasks are skipped (datatrove's completion files in ``PREFIX.logs/``)
and only the merge runs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from mathlm.console import console, polling, progress, stderr_to_file
from mathlm.errors import MathlmError
from mathlm.proof_pile_2.tokens.step import task_prefix
from mathlm.shards.indexed import IndexedDataset, IndexedDatasetWriter, bin_path, idx_path, token_dtype
from mathlm.shards.tokenizer import load_tokenizer

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json.gz", ".jsonl.zst")
PARQUET_SUFFIXES = (".parquet",)


@dataclass
class TokenizeResult:
    """What a tokenize run produced: the shard prefixes and the counts for the summary."""

    prefixes: list[Path]
    documents: int
    tokens: int
    seconds: float
    tasks: int
    counters: dict[str, float] = field(default_factory=dict)
    job_id: str | None = None  # the Slurm job array, when submitted with executor="slurm"
    bad_records: list[dict[str, str]] = field(default_factory=list)  # the first few, with file and position
    bad_records_path: Path | None = None  # where all of them are listed

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0

    def summary_rows(self) -> list[dict[str, Any]]:
        rows = [
            {
                "what": "output",
                "value": ", ".join(str(p) for p in self.prefixes[:3])
                + (f" (+{len(self.prefixes) - 3} more)" if len(self.prefixes) > 3 else ""),
            },
            {"what": "tasks", "value": self.tasks},
            {"what": "documents", "value": self.documents},
            {"what": "tokens", "value": self.tokens},
            {"what": "tokens/s", "value": round(self.tokens_per_second)},
        ]
        rows += [
            {"what": key, "value": int(value)}
            for key, value in sorted(self.counters.items())
            if key == "records" or key.startswith(("dropped_", "skipped_"))
        ]
        rows += [
            {"what": f"dropped ({bad['reason']})", "value": f"{bad['file']}, {bad['position']}"}
            for bad in self.bad_records
        ]
        if self.bad_records_path is not None:
            rows.append({"what": "every dropped record", "value": str(self.bad_records_path)})
        return rows


SHOWN_BAD_RECORDS = 5


def bad_records_folder(logs: Path) -> Path:
    """Where the readers list each dropped record (``<task>.jsonl``: file, position, reason)."""
    return logs / "bad_records"


def read_bad_records(logs: Path, limit: int = SHOWN_BAD_RECORDS) -> tuple[list[dict[str, str]], int]:
    """The first ``limit`` dropped records of a run (in task order) and how many there are in all."""
    import json

    shown: list[dict[str, str]] = []
    total = 0
    for path in sorted(bad_records_folder(logs).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            total += 1
            if len(shown) < limit:
                shown.append(json.loads(line))
    return shown, total


def find_inputs(path: Path) -> dict[str, list[str]]:
    """Input files by kind (``jsonl``, ``parquet``), relative to the folder they are read from."""
    if not path.exists():
        raise MathlmError(f"input not found: {path}")
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    root = path.parent if path.is_file() else path
    found: dict[str, list[str]] = {"jsonl": [], "parquet": []}
    for file in files:
        name = file.name
        kind = (
            "jsonl"
            if name.endswith(JSONL_SUFFIXES)
            else "parquet"
            if name.endswith(PARQUET_SUFFIXES)
            else None
        )
        if kind:
            found[kind].append(str(file.relative_to(root)))
    if not any(found.values()):
        raise MathlmError(
            f"{path}: no documents found; expected {', '.join(JSONL_SUFFIXES + PARQUET_SUFFIXES)} "
            "files with a `text` field"
        )
    return found


def build_pipeline(
    input_path: Path,
    inputs: dict[str, list[str]],
    output_prefix: Path,
    tokenizer: Path,
    eos_token: str | None,
    logs: Path,
    batch_size: int,
) -> list[Any]:
    """Reader(s) for the input files (each listed in a paths file under ``logs``) then the tokenize step."""
    from mathlm.proof_pile_2.tokens.step import TextJsonlReader, TextParquetReader, TokenizeToShards

    root = input_path.parent if input_path.is_file() else input_path
    logs.mkdir(parents=True, exist_ok=True)
    steps: list[Any] = []
    listings = {}
    for kind, files in inputs.items():
        if files:
            listings[kind] = logs / f"inputs_{kind}.txt"
            listings[kind].write_text("\n".join(files) + "\n", encoding="utf-8")
    bad_records = str(bad_records_folder(logs))
    if "jsonl" in listings:
        steps.append(
            TextJsonlReader(str(root), paths_file=str(listings["jsonl"]), bad_records_folder=bad_records)
        )
    if "parquet" in listings:
        steps.append(
            TextParquetReader(str(root), paths_file=str(listings["parquet"]), bad_records_folder=bad_records)
        )
    steps.append(TokenizeToShards(output_prefix, tokenizer, eos_token=eos_token, batch_size=batch_size))
    return steps


def tokenize_documents(
    input_path: str | Path,
    output_prefix: str | Path,
    tokenizer: str | Path,
    *,
    workers: int = 1,
    executor: Literal["local", "slurm"] = "local",
    merge: bool = True,
    eos_token: str | None = None,
    batch_size: int = 512,
    overwrite: bool = False,
    slurm_partition: str | None = None,
) -> TokenizeResult:
    """Tokenize every document under ``input_path`` into shards at ``output_prefix`` (see module doc)."""
    # Absolute paths: Slurm tasks and pool workers need not share this process's working directory.
    input_path, output_prefix = Path(input_path).resolve(), Path(output_prefix).resolve()
    checked = load_tokenizer(tokenizer, eos_token)  # fail here, not in every task
    inputs = find_inputs(input_path)
    tasks = max(len(files) for files in inputs.values())
    logs = Path(f"{output_prefix}.logs")
    _check_output(output_prefix, logs, overwrite)
    pipeline = build_pipeline(input_path, inputs, output_prefix, checked.path, eos_token, logs, batch_size)
    if executor == "slurm":
        return _submit_slurm(pipeline, tasks, logs, output_prefix, slurm_partition)
    from datatrove.executor import LocalPipelineExecutor

    run = LocalPipelineExecutor(
        pipeline, tasks=tasks, workers=max(1, min(workers, tasks)), logging_dir=str(logs)
    )
    start = time.perf_counter()
    try:
        with (
            stderr_to_file(logs / "datatrove.log"),
            _progress_monitor(output_prefix, tasks, token_dtype(checked.vocab_size).itemsize),
        ):
            stats = run.run()
    except Exception as err:  # a task failed for a reason no record explains: say where its log is
        raise MathlmError(
            f"tokenizing failed: {type(err).__name__}: {err}\ntask logs: {logs / 'logs'}; fix the "
            "cause and run the same command again: finished tasks are skipped"
        ) from err
    seconds = time.perf_counter() - start
    parts = [task_prefix(output_prefix, rank) for rank in range(tasks)]
    missing = [str(idx_path(part)) for part in parts if not idx_path(part).exists()]
    if missing:
        raise MathlmError(
            f"tokenizing left no shard at {', '.join(missing[:3])}; see the task logs in "
            f"{logs / 'logs'} and run the same command again"
        )
    prefixes = [_merge(parts, output_prefix, token_dtype(checked.vocab_size))] if merge else parts
    shards = [IndexedDataset(p) for p in prefixes]
    shown, dropped = read_bad_records(logs)
    return TokenizeResult(
        prefixes=prefixes,
        documents=sum(len(s) for s in shards),
        tokens=sum(s.num_tokens for s in shards),
        seconds=seconds,
        tasks=tasks,
        counters=_counters(stats),
        bad_records=shown,
        bad_records_path=bad_records_folder(logs) if dropped else None,
    )


def _check_output(output_prefix: Path, logs: Path, overwrite: bool) -> None:
    """Refuse to silently replace a finished output; ``overwrite`` removes it and its run records."""
    if not idx_path(output_prefix).exists():
        return
    if not overwrite:
        raise MathlmError(
            f"{idx_path(output_prefix)} exists; pass --overwrite to replace it or choose another "
            "--output prefix"
        )
    import shutil

    idx_path(output_prefix).unlink()
    bin_path(output_prefix).unlink(missing_ok=True)
    shutil.rmtree(logs, ignore_errors=True)


def _merge(parts: list[Path], output_prefix: Path, dtype: Any) -> Path:
    """Concatenate the task shards, in rank order, into ``output_prefix`` and delete them."""
    if len(parts) == 1:
        IndexedDataset(parts[0])  # validate before renaming
        bin_path(parts[0]).rename(bin_path(output_prefix))
        idx_path(parts[0]).rename(idx_path(output_prefix))
        return output_prefix
    with IndexedDatasetWriter(output_prefix, dtype) as writer:
        for part in parts:
            writer.add_index(part)
    for part in parts:
        idx_path(part).unlink()
        bin_path(part).unlink()
    return output_prefix


def _counters(stats: Any) -> dict[str, float]:
    """Totals of every counter of every step (datatrove's merged stats; empty when nothing ran)."""
    totals: dict[str, float] = {}
    for step in getattr(stats, "stats", None) or []:
        for key, metric in step.stats.items():
            totals[key] = totals.get(key, 0.0) + metric.total
    return totals


@contextmanager
def _progress_monitor(output_prefix: Path, tasks: int, itemsize: int) -> Iterator[None]:
    """A progress bar over tasks that also shows tokens written and tokens/s, read from the growing
    task shards on disk (works whatever process or executor writes them)."""
    with progress() as bar:
        task = bar.add_task("tokenizing", total=tasks)
        start = time.perf_counter()

        def refresh() -> None:
            done = sum(idx_path(task_prefix(output_prefix, r)).exists() for r in range(tasks))
            written = sum(_size(bin_path(task_prefix(output_prefix, r))) for r in range(tasks)) // itemsize
            rate = written / max(time.perf_counter() - start, 1e-9)
            bar.update(
                task, completed=done, description=f"tokenizing: {written:,} tokens, {rate:,.0f} tokens/s"
            )

        with polling(refresh):
            yield


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _submit_slurm(
    pipeline: list[Any], tasks: int, logs: Path, output_prefix: Path, partition: str | None
) -> TokenizeResult:
    """Submit the pipeline as a Slurm job array and return at once (shards are the unmerged task ones)."""
    from datatrove.executor import SlurmPipelineExecutor

    from mathlm.slurm.jobs import SlurmResources, datatrove_executor_kwargs

    executor = SlurmPipelineExecutor(
        pipeline,
        tasks=tasks,
        logging_dir=str(logs),
        job_name="mathlm-tokenize",
        **datatrove_executor_kwargs(SlurmResources(partition=partition)),
    )
    executor.run()
    console.print(
        f"submitted {tasks} tokenize task(s) as Slurm job {executor.job_id}; shards will be "
        f"{output_prefix}_XXXXX. Once the job is done, re-run this command without --executor slurm "
        "to merge them into one shard."
    )
    return TokenizeResult(
        prefixes=[task_prefix(output_prefix, r) for r in range(tasks)],
        documents=0,
        tokens=0,
        seconds=0.0,
        tasks=tasks,
        job_id=executor.job_id,
    )


PROOF_PILE_2_SUBSETS = ("arxiv", "open-web-math", "algebraic-stack")


def tokenize_subsets(
    documents_root: Path, out_dir: Path, tokenizer: str | Path, split: str = "train", workers: int = 1
) -> dict[str, Any]:
    """Tokenize each Proof-Pile-2 subset's ``split`` written by ``mathlm data build``
    (``DOCS/<subset>/<split>/``) into ``OUT/<subset>``, and write ``OUT/mixture.yaml``: the sample
    mixture config (``configs/data/sample_mixture.yaml``) with ``root`` set to ``OUT``."""
    from mathlm.assets import CONFIGS_DIR
    from mathlm.config import dump_config
    from mathlm.shards.mixture import load_mixture

    tokens: dict[str, int] = {}
    for subset in PROOF_PILE_2_SUBSETS:
        folder = documents_root / subset / split
        if not folder.is_dir():
            raise MathlmError(
                f"{folder}: no {split} documents of {subset}; run the data stage first (`mathlm data build`)"
            )
        result = tokenize_documents(folder, out_dir / subset, tokenizer, workers=workers, overwrite=True)
        tokens[subset] = result.tokens
    mixture = load_mixture(CONFIGS_DIR / "data" / "sample_mixture.yaml", [f"root={out_dir.resolve()}"])
    dump_config(mixture, out_dir / "mixture.yaml")
    return {
        "tokens": sum(tokens.values()),
        **{f"{subset} tokens": n for subset, n in tokens.items()},
        "mixture": str(out_dir / "mixture.yaml"),
    }
