"""``mathlm train``, ``mathlm export`` and ``mathlm convert``: continued pretraining and checkpoint formats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mathlm.cli_utils import DefaultCommandGroup, SetOption

train_app = typer.Typer(cls=DefaultCommandGroup, no_args_is_help=True,
                        help="Continue pretraining a Llama model: `mathlm train CONFIG`, `mathlm train plot RUN`.")
export_app = typer.Typer(help="Export checkpoints and configs: Hugging Face, GPT-NeoX.", no_args_is_help=True)
convert_app = typer.Typer(help="Convert Llama checkpoints between Hugging Face and GPT-NeoX layouts.",
                          no_args_is_help=True)


@train_app.command("run")
def run(
    config: Annotated[Path, typer.Argument(help="Training config YAML, e.g. configs/train/tiny.yaml.")],
    overrides: SetOption = [],  # noqa: B006 (typer reads the default)
) -> None:
    """Train (or resume) the run CONFIG describes; launch with `torchrun` for several processes or GPUs."""
    from mathlm.config import load_config
    from mathlm.pretrain.config import TrainConfig
    from mathlm.pretrain.trainer import train

    train(load_config(config, TrainConfig, overrides))


@train_app.command("plot")
def plot(
    run_dir: Annotated[Path, typer.Argument(help="A training run directory (holds metrics.jsonl).")],
    output: Annotated[Path | None, typer.Option(help="PNG to write (default RUN/curves.png).")] = None,
) -> None:
    """Draw the run's loss (train and held-out) and learning-rate curves to a PNG."""
    from mathlm.console import console
    from mathlm.pretrain.metrics import plot_metrics

    console.print(f"wrote {plot_metrics(run_dir, output)}")


@export_app.command("hf")
def export_hf(
    source: Annotated[Path, typer.Argument(help="A run directory (its latest checkpoint) or a checkpoint directory.")],
    output: Annotated[Path, typer.Option(help="Directory to write the Hugging Face model to.")],
    dtype: Annotated[str, typer.Option(help="Weight dtype: float32 or bfloat16.")] = "float32",
) -> None:
    """Write a training checkpoint as a Hugging Face Llama model (config.json + safetensors)."""
    from mathlm.console import console
    from mathlm.errors import MathlmError
    from mathlm.pretrain.export import export_hf as export

    if dtype not in ("float32", "bfloat16"):
        raise MathlmError(f"--dtype {dtype!r}: expected float32 or bfloat16")
    checkpoint = export(source, output, dtype)
    console.print(f"exported {checkpoint} -> {output}")
