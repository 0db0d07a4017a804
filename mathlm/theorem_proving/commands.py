"""``mathlm prove``: few-shot Lean 4 proof search on miniF2F."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mathlm.cli.options import SetOption

prove_app = typer.Typer(help="Lean 4 proof search (best-first, few-shot tactic prediction) on miniF2F.",
                        no_args_is_help=True)


@prove_app.command("minif2f")
def minif2f(
    config: Annotated[Path, typer.Argument(help="A prove config, e.g. configs/prove/llemma_7b_vllm.yaml.")],
    split: Annotated[str | None, typer.Option(help="test or valid (default: the config's).")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N theorems of the split.")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Run directory (default: output_dir).")] = None,
    overrides: SetOption = [],  # noqa: B006 (typer reads the default)
) -> None:
    """Best-first proof search over miniF2F; writes results.jsonl (resumable) and summary.json."""
    from mathlm.config import load_config
    from mathlm.theorem_proving.runner import ProveConfig, run_benchmark

    extra = [f"split={split}"] if split else []
    extra += [f"limit={limit}"] if limit is not None else []
    run_benchmark(load_config(config, ProveConfig, [*overrides, *extra]), output)


@prove_app.command("summary")
def summary(run_dir: Annotated[Path, typer.Argument(help="A run directory with summary.json.")]) -> None:
    """Print a finished run's pass rate next to the published miniF2F numbers."""
    import json

    from mathlm.errors import MathlmError
    from mathlm.theorem_proving.runner import print_summary

    path = run_dir / "summary.json"
    if not path.is_file():
        raise MathlmError(f"no summary.json in {run_dir}; run `mathlm prove minif2f CONFIG -o {run_dir}` first")
    print_summary(json.loads(path.read_text(encoding="utf-8")))
