"""``TrainConfig``: everything a continued-pretraining run needs, validated from one YAML file.

Sections: ``model`` (where the weights come from and how the model runs), ``engine`` (FSDP2 or
DeepSpeed ZeRO), ``optim`` and ``schedule`` (the Llemma recipe by default), ``data`` (the token mixture
and batch geometry), ``checkpoint``, ``logging``. Recipes in ``configs/train/`` are data, not code:

    cfg = load_config("configs/train/tiny.yaml", TrainConfig, overrides=["optim.lr=3e-4"])
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from mathlm.config import ConfigModel
from mathlm.shards.mixture import MixtureConfig


class LlamaShape(ConfigModel):
    """A Llama architecture to initialise at random (tests, benchmarks); real runs load a checkpoint."""

    vocab_size: int = Field(gt=0)
    hidden_size: int = Field(gt=0)
    intermediate_size: int = Field(gt=0)
    num_layers: int = Field(gt=0)
    num_heads: int = Field(gt=0)
    num_kv_heads: int | None = Field(
        default=None, gt=0, description="grouped-query attention; None = num_heads"
    )
    max_position_embeddings: int = 4096
    rope_theta: float = 10_000.0
    tie_word_embeddings: bool = False


class ModelConfig(ConfigModel):
    """Where the initial weights come from and how the model computes."""

    checkpoint: Path | None = Field(
        default=None, description="local Hugging Face Llama directory (safetensors)"
    )
    shape: LlamaShape | None = Field(
        default=None,
        description="random init of this shape; with a checkpoint, the "
        "shape the checkpoint must have (and what `mathlm train plan` uses)",
    )
    rope_theta: float | None = Field(
        default=None, description="new RoPE base at init (Llemma 7B: 1e6 -> 1e4)"
    )
    attention: Literal["sdpa", "eager", "flash_attention_2"] = "sdpa"
    activation_checkpointing: bool = False
    dtype: Literal["auto", "float32", "bfloat16"] = Field(
        default="auto", description="compute dtype; auto = bfloat16 on GPU, float32 on CPU"
    )
    compile: bool = Field(default=False, description="torch.compile each decoder layer")
    init_seed: int = 0

    @field_validator("checkpoint")
    @classmethod
    def _expand_home(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @model_validator(mode="after")
    def _a_source(self) -> ModelConfig:
        if self.checkpoint is None and self.shape is None:
            raise ValueError("set model.checkpoint (a HF directory) or model.shape (random init), or both")
        return self


class EngineConfig(ConfigModel):
    """How parameters, gradients and optimizer state are spread over the ranks."""

    kind: Literal["fsdp2", "deepspeed"] = "fsdp2"
    zero_stage: Literal[1, 2, 3] = Field(default=1, description="DeepSpeed only; Llemma used ZeRO-1")
    reshard_after_forward: bool = Field(
        default=True, description="FSDP2 only; False keeps params gathered (ZeRO-2-like)"
    )
    tp: int = Field(
        default=1, ge=1, description="FSDP2 only: tensor (+ sequence) parallel degree, within a node"
    )
    dp_replicate: int = Field(
        default=1,
        ge=1,
        description="FSDP2 only: HSDP replicas; the model is sharded "
        "over world / (tp x dp_replicate) ranks (e.g. the GPUs of a node) and replicated across",
    )
    grad_sync: Literal["every_micro_batch", "last_micro_batch"] = Field(
        default="every_micro_batch",
        description="FSDP2: reduce-scatter gradients after each micro-batch (only "
        "sharded fp32 gradients are kept) or only after the last (fewer collectives, whole gradient kept)",
    )
    backend: Literal["auto", "nccl", "gloo"] = "auto"
    collective_timeout_s: float = Field(
        default=600.0,
        gt=0,
        description="watchdog: a collective not done by then fails the job (a peer died or hangs)",
    )


class OptimConfig(ConfigModel):
    """AdamW with the Llemma hyperparameters as defaults."""

    lr: float = Field(gt=0, description="peak learning rate")
    betas: tuple[float, float] = (0.9, 0.95)
    eps: float = 1e-8
    weight_decay: float = 0.1
    grad_clip: float = Field(default=1.0, gt=0)
    min_lr_ratio: float = Field(default=1 / 30, ge=0, le=1, description="cosine floor as a fraction of peak")
    max_skipped_steps: int = Field(
        default=10, ge=1, description="stop after this many consecutive steps skipped for a non-finite loss"
    )


class ScheduleConfig(ConfigModel):
    """Linear warmup, then cosine decay over ``decay_steps``; a run may stop earlier at ``total_steps``."""

    warmup_steps: int = Field(ge=0)
    decay_steps: int = Field(gt=0, description="steps of the cosine horizon (Llemma 7B: 48,000)")
    total_steps: int | None = Field(
        default=None, gt=0, description="steps to train (Llemma 7B ran 42,000); default decay_steps"
    )

    @property
    def steps(self) -> int:
        return self.total_steps or self.decay_steps


class DataConfig(ConfigModel):
    """The training mixture and the batch geometry; the global batch is counted in tokens."""

    mixture: MixtureConfig
    seq_len: int = Field(gt=0)
    global_batch_tokens: int = Field(gt=0, description="tokens per optimizer step over all ranks")
    micro_batch_size: int = Field(gt=0, description="sequences per forward pass per rank")
    seed: int = 1234
    eval_mixture: MixtureConfig | None = Field(default=None, description="held-out data for eval loss")
    eval_samples: int = Field(default=16, gt=0)

    @model_validator(mode="after")
    def _whole_sequences(self) -> DataConfig:
        if self.global_batch_tokens % self.seq_len:
            raise ValueError(
                f"global_batch_tokens {self.global_batch_tokens} is not a multiple of "
                f"seq_len {self.seq_len}; the batch is made of whole sequences"
            )
        return self

    @property
    def global_batch_samples(self) -> int:
        return self.global_batch_tokens // self.seq_len


class CheckpointConfig(ConfigModel):
    """When to save, how many to keep and where a run starts from."""

    every: int = Field(default=1000, gt=0, description="save every N optimizer steps (and at the end)")
    keep_last: int = Field(default=3, gt=0)
    resume: Literal["auto", "never"] | Path = Field(
        default="auto",
        description="auto = latest complete checkpoint in run_dir if any; or a checkpoint path",
    )
    async_save: bool = Field(
        default=False,
        description="FSDP2 only: periodic saves are written in a background thread (DCP async_save) while "
        "training continues; a save becomes COMPLETE only once every rank's write has finished. The final "
        "and the preemption save are always synchronous",
    )


class LoggingConfig(ConfigModel):
    """Where metrics go; ``device_peak_flops`` overrides the peak used for MFU."""

    every: int = Field(default=1, gt=0)
    eval_every: int | None = Field(
        default=None, gt=0, description="eval loss every N steps (and at start and end)"
    )
    tensorboard: bool = True
    wandb: bool = False
    wandb_project: str = "mathlm"
    device_peak_flops: float | None = Field(default=None, gt=0)
    progress: bool = True


class TrainConfig(ConfigModel):
    """One continued-pretraining run."""

    run_dir: Path
    model: ModelConfig
    engine: EngineConfig = EngineConfig()
    optim: OptimConfig
    schedule: ScheduleConfig
    data: DataConfig
    checkpoint: CheckpointConfig = CheckpointConfig()
    logging: LoggingConfig = LoggingConfig()

    @model_validator(mode="after")
    def _async_save_needs_dcp(self) -> TrainConfig:
        if self.checkpoint.async_save and self.engine.kind != "fsdp2":
            raise ValueError(
                f"checkpoint.async_save needs engine.kind: fsdp2 (PyTorch DCP); the {self.engine.kind} engine "
                "saves synchronously: set checkpoint.async_save: false"
            )
        return self
