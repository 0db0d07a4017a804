"""``mathlm prove``: formal proving on miniF2F (Coq through coqidetop, Lean 4 through a language server)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mathlm.cli.options import SetOption

prove_app = typer.Typer(
    help="Formal proving on miniF2F: best-first tactic search and whole-proof generation "
    "(Coq or Lean 4), every proof checked by the sound verifier.",
    no_args_is_help=True,
)


@prove_app.command("minif2f")
def minif2f(
    config: Annotated[Path, typer.Argument(help="A prove config, e.g. configs/prove/smollm2_coq_cpu.yaml.")],
    split: Annotated[str | None, typer.Option(help="test or valid (default: the config's).")] = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N theorems of the split.")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Run directory (default: output_dir).")
    ] = None,
    overrides: SetOption = [],  # noqa: B006 (typer reads the default)
) -> None:
    """Prove a miniF2F split; writes results.jsonl (resumable) and summary.json."""
    from mathlm.config import load_config
    from mathlm.theorem_proving.config import ProveConfig
    from mathlm.theorem_proving.runner import run_benchmark

    extra = [f"split={split}"] if split else []
    extra += [f"limit={limit}"] if limit is not None else []
    run_benchmark(load_config(config, ProveConfig, [*overrides, *extra]), output)


@prove_app.command("verify")
def verify(
    proofs: Annotated[Path, typer.Argument(help='JSONL lines {"theorem": NAME, "proof": TEXT}.')],
    prover: Annotated[str, typer.Option(help="coq (miniF2F-rocq) or lean (miniF2F Lean 4).")] = "coq",
    split: Annotated[
        str | None, typer.Option(help="Look theorems up in this split only (default: both).")
    ] = None,
    allow_native_decide: Annotated[bool, typer.Option(help="Lean: accept native_decide.")] = False,
    lean_project: Annotated[
        Path | None,
        typer.Option(
            help="Lean: a Lean project with Mathlib; without it Lean proofs get the textual screen only."
        ),
    ] = None,
) -> None:
    """Print each line back with `verified` and `reason`: a proof counts only when the verifier accepts it.

    Coq: TEXT replaces everything from the statement's `Proof.` to the end of its miniF2F-rocq file.
    Lean: TEXT replaces everything from the statement's `:=`.
    """
    from mathlm.theorem_proving.verify_file import verify_jsonl

    raise typer.Exit(verify_jsonl(proofs, prover, split, allow_native_decide, lean_project))


@prove_app.command("summary")
def summary(run_dir: Annotated[Path, typer.Argument(help="A run directory with summary.json.")]) -> None:
    """Print a finished run's pass rates (and the published miniF2F numbers for Lean)."""
    import json

    from mathlm.errors import MathlmError
    from mathlm.theorem_proving.runner import print_summary

    path = run_dir / "summary.json"
    if not path.is_file():
        raise MathlmError(
            f"no summary.json in {run_dir}; run `mathlm prove minif2f CONFIG -o {run_dir}` first"
        )
    print_summary(json.loads(path.read_text(encoding="utf-8")))
