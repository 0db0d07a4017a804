"""``mathlm train``, ``mathlm export`` and ``mathlm convert``: continued pretraining and checkpoint formats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mathlm.cli.options import DefaultCommandGroup, SetOption

train_app = typer.Typer(
    cls=DefaultCommandGroup,
    no_args_is_help=True,
    help="Continue pretraining a Llama model: `mathlm train CONFIG`, `mathlm train plot RUN`, "
    "`mathlm train reshard CHECKPOINT`.",
)
export_app = typer.Typer(help="Export checkpoints and configs: Hugging Face, GPT-NeoX.", no_args_is_help=True)
convert_app = typer.Typer(
    help="Convert Llama checkpoints between Hugging Face and GPT-NeoX layouts.", no_args_is_help=True
)


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


@train_app.command("plan")
def plan(
    config: Annotated[Path, typer.Argument(help="Training config YAML, e.g. configs/train/llemma_34b.yaml.")],
    nodes: Annotated[int, typer.Option(min=1, help="Nodes.")] = 1,
    gpus_per_node: Annotated[int, typer.Option(min=1, help="GPUs (ranks) per node.")] = 8,
    gpu_memory_gb: Annotated[
        float, typer.Option(help="Memory of one GPU in GB (1e9 bytes; A100/H100 80 GB).")
    ] = 80.0,
    overrides: SetOption = [],  # noqa: B006 (typer reads the default)
) -> None:
    """Print per-GPU memory (parameters, gradients, optimizer, activations) of CONFIG on NODES x GPUS; exit 1
    when it does not fit."""
    from mathlm.config import load_config
    from mathlm.console import console, summary_table
    from mathlm.pretrain.config import TrainConfig
    from mathlm.pretrain.plan import format_plan, model_config_for_plan, plan_memory

    cfg = load_config(config, TrainConfig, overrides)
    elem = 4 if cfg.model.dtype == "float32" else 2
    result = plan_memory(cfg, model_config_for_plan(cfg), nodes * gpus_per_node, gpu_memory_gb * 1e9, elem)
    console.print(
        summary_table(
            f"{config.name} on {nodes} x {gpus_per_node} GPUs of {gpu_memory_gb:g} GB: "
            f"{result.layout}, {result.grad_accum} accumulation step(s)",
            format_plan(result, nodes, gpus_per_node),
        )
    )
    if not result.fits:
        console.print(
            f"[bold red]does not fit[/]: {result.total / 1e9:.1f} GB needed per GPU > {gpu_memory_gb:g} GB; "
            "raise engine.tp, shard more (engine.dp_replicate lower), turn on "
            "model.activation_checkpointing or lower data.micro_batch_size"
        )
        raise typer.Exit(1)
    console.print(f"[green]fits[/]: {result.total / 1e9:.1f} GB of {gpu_memory_gb:g} GB per GPU")


@train_app.command("reshard")
def reshard(
    source: Annotated[
        Path, typer.Argument(help="A run directory (its latest checkpoint) or a checkpoint directory.")
    ],
    workers: Annotated[int, typer.Option(min=1, help="Processes that extract and merge the partitions.")] = 4,
) -> None:
    """Convert a DeepSpeed checkpoint to DeepSpeed's universal form, which resumes on any number of ranks.

    The trainer converts on its own when it resumes on another world size; running this first keeps a
    long conversion (large models) out of the training job."""
    from mathlm.console import console
    from mathlm.pretrain.checkpoint import read_state, resolve_checkpoint
    from mathlm.pretrain.reshard import UNIVERSAL_TAG, deepspeed_root, universal_checkpoint

    checkpoint = resolve_checkpoint(source)
    state = read_state(checkpoint)
    if state.engine != "deepspeed":
        console.print(
            f"{checkpoint} was written by the {state.engine} engine: its torch DCP checkpoint already "
            "loads on any number of ranks; nothing to convert"
        )
        return
    done = (deepspeed_root(checkpoint) / UNIVERSAL_TAG).is_dir()
    universal = universal_checkpoint(checkpoint, workers)
    console.print(
        f"{'already converted' if done else 'wrote'} {universal} (step {state.step}, saved on "
        f"{state.world_size} rank(s)); resume from {checkpoint} on any number of ranks"
    )


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
    source: Annotated[
        Path, typer.Argument(help="A run directory (its latest checkpoint) or a checkpoint directory.")
    ],
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


@export_app.command("neox-config")
def export_neox_config(
    recipe: Annotated[str, typer.Option(help="llemma_7b or llemma_34b.")],
    output: Annotated[Path, typer.Option(help="The GPT-NeoX YAML to write.")],
    mixture: Annotated[Path, typer.Option(help="Mixture config giving the data paths and weights.")] = Path(
        "configs/data/proof_pile_2_mixture.yaml"
    ),
    valid_mixture: Annotated[
        Path, typer.Option(help="Mixture of the validation shards (never the training ones).")
    ] = Path("configs/data/proof_pile_2_validation.yaml"),
    test_mixture: Annotated[Path, typer.Option(help="Mixture of the test shards.")] = Path(
        "configs/data/proof_pile_2_test.yaml"
    ),
    tokenizer: Annotated[str, typer.Option(help="Path of the Code Llama tokenizer.model on the cluster.")] = (
        "checkpoints/codellama/tokenizer.model"
    ),
    base: Annotated[
        str, typer.Option(help="The base model converted by `mathlm convert hf-to-neox` (first launch).")
    ] = "checkpoints/codellama-neox",
    checkpoints: Annotated[
        str, typer.Option(help="The run's checkpoint folder: GPT-NeoX saves here and resumes from here.")
    ] = "checkpoints/llemma-neox",
    keep_last: Annotated[int, typer.Option(min=1, help="Checkpoints GPT-NeoX keeps in the run folder.")] = 3,
    overrides: SetOption = [],  # noqa: B006 (typer reads the default)
) -> None:
    """Write a GPT-NeoX config for a Llemma recipe (Code Llama shape, Llemma schedule, mixture data paths,
    validation on the held-out split) and its two launch overlays (first launch from the base model,
    resume from the run's checkpoints). ``--set`` applies to all three mixtures (``--set root=/data/tokens``)."""
    from mathlm.console import console
    from mathlm.errors import MathlmError
    from mathlm.pretrain.neox.config import (
        RECIPES,
        launch_command,
        neox_config,
        neox_launch_overlays,
        write_neox_config,
    )
    from mathlm.shards.mixture import load_mixture

    if recipe not in RECIPES:
        raise MathlmError(f"--recipe {recipe!r}: expected one of {', '.join(RECIPES)}")
    train, valid, test = (load_mixture(path, overrides) for path in (mixture, valid_mixture, test_mixture))
    config = neox_config(RECIPES[recipe], train, valid, test, tokenizer, checkpoints, keep_last)
    overlays = neox_launch_overlays(base, checkpoints)
    for path in write_neox_config(config, overlays, output, recipe):
        console.print(f"wrote {path}")
    console.print(f"launch with: {launch_command(output, checkpoints)}")


def _torch_dtype(name: str) -> object:
    import torch

    from mathlm.errors import MathlmError

    choices = {"keep": None, "float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
    if name not in choices:
        raise MathlmError(f"--dtype {name!r}: expected one of {', '.join(choices)}")
    return choices[name]


@convert_app.command("hf-to-neox")
def convert_hf_to_neox(
    source: Annotated[Path, typer.Argument(help="A Hugging Face Llama checkpoint folder (safetensors).")],
    output: Annotated[
        Path, typer.Option(help="GPT-NeoX checkpoint folder to write (the launch's base model `load`).")
    ],
    tp: Annotated[int, typer.Option(help="Tensor-parallel ranks (GPT-NeoX model_parallel_size).")] = 1,
    layout: Annotated[
        str,
        typer.Option(
            help="pipeline (pipe_parallel_size >= 1, GPT-NeoX's Llama configs) or "
            "sequential (pipe_parallel_size 0)."
        ),
    ] = "pipeline",
    dtype: Annotated[str, typer.Option(help="keep, float32, bfloat16 or float16.")] = "keep",
) -> None:
    """Convert a HF Llama checkpoint into a tensor-parallel GPT-NeoX checkpoint."""
    from mathlm.console import console
    from mathlm.errors import MathlmError
    from mathlm.pretrain.neox.checkpoint import convert_hf_to_neox as convert

    if layout not in ("pipeline", "sequential"):
        raise MathlmError(f"--layout {layout!r}: expected pipeline or sequential")
    console.print(f"wrote {convert(source, output, tp=tp, layout=layout, dtype=_torch_dtype(dtype))}")  # type: ignore[arg-type]


@convert_app.command("neox-to-hf")
def convert_neox_to_hf(
    source: Annotated[
        Path, typer.Argument(help="A GPT-NeoX checkpoint folder (with `latest`) or global_stepN.")
    ],
    output: Annotated[Path, typer.Option(help="Hugging Face folder to write.")],
    neox_config: Annotated[
        Path | None,
        typer.Option(
            help="The GPT-NeoX YAML the model was trained with (not needed "
            "for checkpoints written by hf-to-neox)."
        ),
    ] = None,
    tokenizer: Annotated[
        Path | None,
        typer.Option(
            help="Tokenizer: sentencepiece .model or HF folder; sets the "
            "vocabulary and bos/eos ids and is saved with the model."
        ),
    ] = None,
    dtype: Annotated[str, typer.Option(help="keep, float32, bfloat16 or float16.")] = "keep",
) -> None:
    """Convert a (tensor-parallel) GPT-NeoX Llama checkpoint into a HF LlamaForCausalLM folder."""
    from mathlm.console import console
    from mathlm.pretrain.neox.checkpoint import config_for_neox_checkpoint, install_tokenizer
    from mathlm.pretrain.neox.checkpoint import convert_neox_to_hf as convert

    config = config_for_neox_checkpoint(source, neox_config, tokenizer)
    convert(source, output, hf_config=config, dtype=_torch_dtype(dtype))  # type: ignore[arg-type]
    if tokenizer is not None:
        install_tokenizer(tokenizer, output)
    console.print(f"wrote {output}")


# Mounted as `mathlm slurm train` by mathlm.cli.root (the Slurm client does not import stages).
def slurm_train(
    config: Annotated[Path, typer.Argument(help="Training config YAML, e.g. configs/train/llemma_7b.yaml.")],
    nodes: Annotated[int, typer.Option(min=1, help="Nodes to train on.")] = 1,
    gpus_per_node: Annotated[int, typer.Option(min=0, help="GPUs per node (0: CPU processes, gloo).")] = 8,
    nproc_per_node: Annotated[
        int | None, typer.Option(help="Processes per node (default: one per GPU).")
    ] = None,
    partition: Annotated[str | None, typer.Option(help="Slurm partition (default: the cluster's).")] = None,
    time: Annotated[
        str, typer.Option(help="Time limit per allocation; the job requeues and resumes.")
    ] = "2-00:00:00",
    cpus_per_task: Annotated[int | None, typer.Option(help="CPUs per node (default 8 per GPU).")] = None,
    overrides: SetOption = [],  # noqa: B006 (typer reads the default)
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Write the sbatch script, do not submit it.")
    ] = False,
    wait: Annotated[
        bool, typer.Option("--wait", help="Wait until the job ends; exit 1 unless it COMPLETED.")
    ] = False,
) -> None:
    """Render and submit the torchrun sbatch job of `mathlm train CONFIG` (requeued on preemption)."""
    from mathlm.console import console
    from mathlm.pretrain.slurm_job import train_job
    from mathlm.slurm import jobs
    from mathlm.slurm.commands import wait_and_report

    job, cfg = train_job(
        config, overrides, nodes, gpus_per_node, nproc_per_node, partition, time, cpus_per_task
    )
    script = jobs.write_script(job, cfg.run_dir / "train.sbatch")
    console.print(f"wrote {script}")
    if dry_run:
        return
    job_id = jobs.submit(script)
    print(job_id)
    if wait:
        wait_and_report(job_id)
