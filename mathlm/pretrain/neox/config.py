"""GPT-NeoX training configs for the Llemma recipes, and Llama configs rebuilt from GPT-NeoX ones.

``mathlm export neox-config --recipe llemma_7b`` writes a YAML that current GPT-NeoX (``deepy.py
train.py CONFIG``) accepts: the Code Llama architecture, the Llemma optimiser and schedule, ZeRO-1, the
training mixture's data paths and weights, and held-out validation and test mixtures.

Resuming. GPT-NeoX decides what a launch starts from with ``load`` (a folder whose ``latest`` file
names a ``global_stepN`` checkpoint) and ``finetune``. With ``finetune: true`` it loads the weights only
and sets the step to 0, on every launch: a config that loads the base model that way restarts from
Code Llama at every requeue. Without ``finetune`` it also loads the optimizer (ZeRO files), scheduler
and random-number states, which a converted base model does not have; DeepSpeed 0.19 stops on the
missing ZeRO files (tests/pretrain/neox), older releases carried on with fresh optimizer state. So the
export is three files that GPT-NeoX merges (it refuses a key set in two of them):

* ``NAME.yml``: the run, with ``save`` = the run's checkpoint folder and no ``load``/``finetune``;
* ``NAME.first-launch.yml``: ``load`` = the converted base model, ``finetune: true``;
* ``NAME.resume.yml``: ``load`` = the run's checkpoint folder, ``finetune: false``.

A launch passes ``NAME.resume.yml`` when the run folder has a ``latest`` file (GPT-NeoX has saved a
step there) and ``NAME.first-launch.yml`` otherwise (:func:`launch_command`), so a requeue continues
from the newest checkpoint and only a run that never saved starts from the base model.
``keep_last_n_checkpoints`` bounds the run folder.

GPT-NeoX does not take the Llama MLP width directly: with ``activation: swiglu`` it takes
``intermediate_size`` N, uses ``int(2 N / 3)`` and rounds the gated projection up to a multiple of
``2 * mlp_multiple_of`` and its output half up to a multiple of ``mlp_multiple_of``. Code Llama 7B's
11,008 therefore needs N = 32,768 with ``mlp_multiple_of: 256`` (34B's 22,016: N = 65,536); passing
11,008 would build a 7,168-wide MLP that cannot load the weights. :func:`neox_mlp_settings` finds
such an N for any width and :func:`neox_mlp_width` is GPT-NeoX's arithmetic, used to check it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mathlm.config import ConfigModel
from mathlm.errors import MathlmError
from mathlm.shards.mixture import MixtureConfig


class NeoxRecipe(ConfigModel):
    """A Llemma training recipe in GPT-NeoX terms (llemma-facts.md)."""

    num_layers: int
    hidden_size: int
    num_attention_heads: int
    num_kv_heads: int
    llama_intermediate_size: int
    vocab_size: int = 32016
    seq_length: int = 4096
    rotary_emb_base: int
    rms_norm_epsilon: float = 1e-5
    lr: float
    min_lr_fraction: float = 1 / 30
    warmup_iters: int = 500
    train_iters: int
    micro_batch: int
    grad_accum: int
    model_parallel_size: int
    gpus: int = 256

    @property
    def data_parallel_size(self) -> int:
        """Data-parallel ranks: the GPUs over the tensor-parallel group (GPT-NeoX's pipeline is 1 stage)."""
        return self.gpus // self.model_parallel_size

    @property
    def train_batch_size(self) -> int:
        """Sequences per optimizer step; DeepSpeed checks it against micro batch x accumulation x ranks."""
        return self.micro_batch * self.grad_accum * self.data_parallel_size


RECIPES: dict[str, NeoxRecipe] = {
    # Code Llama 7B; RoPE base contracted from 1e6 to 1e4 for continued pretraining.
    "llemma_7b": NeoxRecipe(
        num_layers=32,
        hidden_size=4096,
        num_attention_heads=32,
        num_kv_heads=32,
        llama_intermediate_size=11008,
        rotary_emb_base=10_000,
        lr=1e-4,
        train_iters=48_000,
        micro_batch=4,
        grad_accum=2,
        model_parallel_size=2,
    ),
    # Code Llama 34B (grouped-query attention, 8 key/value heads); RoPE base 1e6 kept.
    "llemma_34b": NeoxRecipe(
        num_layers=48,
        hidden_size=8192,
        num_attention_heads=64,
        num_kv_heads=8,
        llama_intermediate_size=22016,
        rotary_emb_base=1_000_000,
        lr=5e-5,
        train_iters=12_000,
        micro_batch=2,
        grad_accum=16,
        model_parallel_size=8,
    ),
}


def neox_mlp_width(intermediate_size: int, multiple_of: int) -> tuple[int, int]:
    """GPT-NeoX's SwiGLU widths for ``intermediate_size``: (rows of ``linear1``, columns of ``linear2``)."""
    gated = int(intermediate_size * 2 / 3)
    half = gated // 2
    linear1 = 2 * multiple_of * -(-gated // (2 * multiple_of))
    linear2 = multiple_of * -(-half // multiple_of)
    return linear1, linear2


def neox_mlp_settings(hidden_size: int, llama_intermediate_size: int) -> tuple[int, int]:
    """(``intermediate_size``, ``mlp_multiple_of``) that make GPT-NeoX build Llama's MLP width.

    Tries GPT-NeoX's own Llama convention first (8 x hidden with 256), then 3 x the width with 1,
    which always fits."""
    for candidate in ((8 * hidden_size, 256), (3 * llama_intermediate_size, 1)):
        if neox_mlp_width(*candidate) == (2 * llama_intermediate_size, llama_intermediate_size):
            return candidate
    raise MathlmError(f"no GPT-NeoX intermediate_size gives an MLP width of {llama_intermediate_size}")


def neox_data_paths(mixture: MixtureConfig) -> tuple[list[str], list[float]]:
    """Shard prefixes and their sampling weights (a source's weight split evenly over its shards)."""
    paths, weights = [], []
    for source, proportion in zip(mixture.sources, mixture.proportions().values(), strict=True):
        prefixes = mixture.prefixes(source)
        for prefix in prefixes:
            paths.append(str(prefix))
            weights.append(round(proportion / len(prefixes), 6))
    return paths, weights


def held_out_paths(
    train: MixtureConfig, held_out: MixtureConfig, split: str
) -> tuple[list[str], list[float]]:
    """The data paths and weights of a held-out mixture, refused when it shares a shard with training
    (GPT-NeoX would then report training loss as validation loss)."""
    paths, weights = neox_data_paths(held_out)
    shared = sorted(set(paths) & set(neox_data_paths(train)[0]))
    if shared:
        raise MathlmError(
            f"the {split} mixture {held_out.name!r} uses training shards ({', '.join(shared)}); point it at "
            f"the {split} shards (`mathlm data tokenize --input WORKDIR/SUBSET/{split}`), see docs/gpt-neox.md"
        )
    return paths, weights


def neox_config(
    recipe: NeoxRecipe,
    mixture: MixtureConfig,
    validation: MixtureConfig,
    test: MixtureConfig,
    tokenizer: str,
    checkpoints: str,
    keep_last: int = 3,
) -> dict[str, Any]:
    """The GPT-NeoX config of a recipe, as a mapping of GPT-NeoX argument names to values.

    ``checkpoints`` is the run's folder (``save``); ``load`` and ``finetune`` are in the launch overlays."""
    if keep_last < 1:
        raise MathlmError(f"keep_last is {keep_last}; keep at least the newest checkpoint (1)")
    intermediate, multiple_of = neox_mlp_settings(recipe.hidden_size, recipe.llama_intermediate_size)
    paths, weights = neox_data_paths(mixture)
    valid_paths, valid_weights = held_out_paths(mixture, validation, "validation")
    test_paths, test_weights = held_out_paths(mixture, test, "test")
    return {
        # parallelism
        "pipe_parallel_size": 1,
        "model_parallel_size": recipe.model_parallel_size,
        "make_vocab_size_divisible_by": 1,
        # architecture: Code Llama
        "num_layers": recipe.num_layers,
        "hidden_size": recipe.hidden_size,
        "num_attention_heads": recipe.num_attention_heads,
        "num_kv_heads": recipe.num_kv_heads,
        "seq_length": recipe.seq_length,
        "max_position_embeddings": recipe.seq_length,
        "pos_emb": "rotary",
        "rotary_pct": 1,
        "rotary_emb_base": recipe.rotary_emb_base,
        "no_weight_tying": True,
        "gpt_j_residual": False,
        "output_layer_parallelism": "column",
        "norm": "rmsnorm",
        "rms_norm_epsilon": recipe.rms_norm_epsilon,
        "activation": "swiglu",
        "intermediate_size": intermediate,
        "mlp_multiple_of": multiple_of,
        "use_bias_in_norms": False,
        "use_bias_in_attn_linear": False,
        "use_bias_in_mlp": False,
        "attention_config": [[["flash"], recipe.num_layers]],
        "scaled_upper_triang_masked_softmax_fusion": True,
        "bias_gelu_fusion": False,
        # optimiser and schedule (Llemma)
        "optimizer": {"type": "Adam", "params": {"lr": recipe.lr, "betas": [0.9, 0.95], "eps": 1.0e-8}},
        "min_lr": recipe.lr * recipe.min_lr_fraction,
        "weight_decay": 0.1,
        "gradient_clipping": 1.0,
        "lr_decay_style": "cosine",
        "lr_decay_iters": recipe.train_iters,
        "train_iters": recipe.train_iters,
        "warmup": round(recipe.warmup_iters / recipe.train_iters, 6),
        "zero_optimization": {
            "stage": 1,
            "allgather_partitions": True,
            "allgather_bucket_size": 500_000_000,
            "overlap_comm": True,
            "reduce_scatter": True,
            "reduce_bucket_size": 500_000_000,
            "contiguous_gradients": True,
        },
        # all three, so DeepSpeed refuses a launch on another number of GPUs than the recipe's
        "train_batch_size": recipe.train_batch_size,
        "train_micro_batch_size_per_gpu": recipe.micro_batch,
        "gradient_accumulation_steps": recipe.grad_accum,
        "precision": "bfloat16",
        "bf16": {"enabled": True},
        "fp32_allreduce": True,
        "hidden_dropout": 0,
        "attention_dropout": 0,
        "checkpoint_activations": True,
        "checkpoint_num_layers": 1,
        "partition_activations": True,
        "synchronize_each_layer": True,
        # data: mmap shards from `mathlm data tokenize`; training weights from the mixture config,
        # validation and test from the held-out splits `mathlm data build` writes
        "data_impl": "mmap",
        "train_data_paths": paths,
        "train_data_weights": weights,
        "valid_data_paths": valid_paths,
        "valid_data_weights": valid_weights,
        "test_data_paths": test_paths,
        "test_data_weights": test_weights,
        "tokenizer_type": "SPMTokenizer",
        "vocab_file": tokenizer,
        # checkpoints: saved here; what a launch loads is in NAME.first-launch.yml / NAME.resume.yml
        "save": checkpoints,
        "checkpoint_factor": 500,
        "keep_last_n_checkpoints": keep_last,
        "eval_interval": 500,
        "eval_iters": 10,
        "log_interval": 10,
    }


LAUNCH_OVERLAYS = ("first-launch", "resume")


def neox_launch_overlays(base: str, checkpoints: str) -> dict[str, dict[str, Any]]:
    """The two small configs that choose what a launch loads (module doc): the converted base model,
    weights only, or the run's own newest checkpoint with its optimizer, scheduler and step."""
    if Path(base) == Path(checkpoints):
        raise MathlmError(
            f"the base model folder and the run's checkpoint folder are both {base}: keep the converted base "
            "model in its own folder, GPT-NeoX saves the run's checkpoints into the other"
        )
    return {
        "first-launch": {"load": base, "finetune": True},
        "resume": {"load": checkpoints, "finetune": False},
    }


def launch_command(config: Path, checkpoints: str) -> str:
    """The GPT-NeoX launch line for an exported config: resume when the run folder has a ``latest``."""
    first, resume = (overlay_path(config, name) for name in LAUNCH_OVERLAYS)
    return (
        f"python deepy.py train.py {config} $(test -f {checkpoints}/latest && echo {resume} || echo {first})"
    )


def overlay_path(config: Path, name: str) -> Path:
    """``NAME.first-launch.yml`` / ``NAME.resume.yml`` beside ``NAME.yml`` (GPT-NeoX needs distinct file names)."""
    return config.with_name(f"{config.stem}.{name}{config.suffix or '.yml'}")


def write_neox_config(
    config: dict[str, Any], overlays: dict[str, dict[str, Any]], output: Path, recipe_name: str
) -> list[Path]:
    """Write the run config and its two launch overlays as YAML, each with a header saying where it came
    from and how it is launched; return the paths written."""
    import yaml

    per_rank = config["train_micro_batch_size_per_gpu"] * config["gradient_accumulation_steps"]
    data_parallel, tensor_parallel = config["train_batch_size"] // per_rank, config["model_parallel_size"]
    header = (
        f"# GPT-NeoX config for the {recipe_name} recipe, written by `mathlm export neox-config`.\n"
        f"# Launch (from the GPT-NeoX checkout; every launch, including a requeue, uses this same line):\n"
        f"#   {launch_command(output, config['save'])}\n"
        "# It resumes from the newest checkpoint in the run folder, or starts from the base model\n"
        f"# ({overlays['first-launch']['load']}, from `mathlm convert hf-to-neox --tp {tensor_parallel}`) "
        "when the run has saved none.\n"
        f"# {data_parallel * tensor_parallel} GPUs: {data_parallel} data-parallel x {tensor_parallel} "
        "tensor-parallel (DeepSpeed checks train_batch_size). See docs/gpt-neox.md.\n"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(header + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    written = [output]
    for name in LAUNCH_OVERLAYS:
        path = overlay_path(output, name)
        note = f"# Launch overlay of {output.name} ({name}); see the launch line there.\n"
        path.write_text(note + yaml.safe_dump(overlays[name], sort_keys=False), encoding="utf-8")
        written.append(path)
    return written


def llama_config_from_neox(
    neox: dict[str, Any], vocab_size: int, bos_token_id: int, eos_token_id: int
) -> Any:
    """A HF ``LlamaConfig`` for a model GPT-NeoX trained with the config ``neox`` (keys with ``-`` or ``_``)."""
    from transformers import LlamaConfig

    args = {key.replace("-", "_"): value for key, value in neox.items()}
    missing = [key for key in ("num_layers", "hidden_size", "num_attention_heads") if key not in args]
    if missing:
        raise MathlmError(
            f"GPT-NeoX config lacks {', '.join(missing)}; pass the config the model was trained with"
        )
    if args.get("activation") not in ("swiglu", "silu") or args.get("norm") != "rmsnorm":
        raise MathlmError(
            "GPT-NeoX config is not a Llama architecture (needs activation: swiglu, norm: rmsnorm)"
        )
    hidden = args["hidden_size"]
    _, width = neox_mlp_width(args.get("intermediate_size") or 8 * hidden, args.get("mlp_multiple_of", 256))
    return LlamaConfig(
        vocab_size=vocab_size,
        hidden_size=hidden,
        intermediate_size=width,
        num_hidden_layers=args["num_layers"],
        num_attention_heads=args["num_attention_heads"],
        num_key_value_heads=args.get("num_kv_heads") or args["num_attention_heads"],
        max_position_embeddings=args.get("max_position_embeddings") or args.get("seq_length", 4096),
        rms_norm_eps=args.get("rms_norm_epsilon", 1e-8),
        rope_theta=float(args.get("rotary_emb_base", 10_000)),
        tie_word_embeddings=not args.get("no_weight_tying", False),
        bos_token_id=bos_token_id,
        eos_token_id=eos_token_id,
    )
