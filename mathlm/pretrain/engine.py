"""One small training-engine interface, two implementations: PyTorch FSDP2 and DeepSpeed ZeRO 1-3.

The loop only ever calls ``forward_backward`` per micro-batch, ``step`` per optimizer step, and
``save``/``load`` for checkpoints; how parameters, gradients and optimizer state are spread over the
ranks is decided once, in :func:`mathlm.pretrain.parallel.parallelize` or the DeepSpeed config built in
:func:`deepspeed_config`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from mathlm.console import console
from mathlm.errors import MathlmError
from mathlm.pretrain.config import EngineConfig, ModelConfig, OptimConfig, ScheduleConfig
from mathlm.pretrain.distributed import broadcast_object
from mathlm.pretrain.model import WeightSource, build_model, materialize, weight_source
from mathlm.pretrain.optim import build_optimizer, build_scheduler, parameter_groups, reset_peak_lr
from mathlm.pretrain.parallel import Layout, parallelize
from mathlm.pretrain.reshard import (
    DEEPSPEED_TAG,
    UNIVERSAL_TAG,
    deepspeed_root,
    saved_world_size,
    universal_checkpoint,
)
from mathlm.registry import Registry


def causal_lm_loss(model: nn.Module, tokens: torch.Tensor) -> torch.Tensor:
    """Mean next-token cross-entropy of ``tokens`` (batch, seq_len + 1), computed in fp32."""
    inputs, targets = tokens[:, :-1], tokens[:, 1:]
    logits = model(input_ids=inputs).logits
    return F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), targets.reshape(-1))


class Engine(ABC):
    """Owns the (wrapped) model, the optimizer and the LR scheduler of a run."""

    model: nn.Module

    @abstractmethod
    def forward_backward(self, tokens: torch.Tensor, last_micro_batch: bool) -> torch.Tensor:
        """Loss of one micro-batch (detached), gradients accumulated for the coming ``step``."""

    @abstractmethod
    def step(self, skip: bool) -> float:
        """Clip, apply the optimizer and advance the schedule; returns the global grad norm before clipping.

        ``skip`` (the step's loss was not finite on some rank): drop the gradients and leave weights,
        optimizer state and schedule untouched, on every rank.
        """

    @abstractmethod
    def lr(self) -> float:
        """The learning rate the next step will use."""

    @abstractmethod
    def save(self, directory: Path) -> None:
        """Write model, optimizer and scheduler state under ``directory`` (every rank calls this)."""

    def save_async(self, directory: Path) -> Future[object]:
        """Start writing what :meth:`save` writes and return at once; the future completes when this rank's
        part is on disk. Only engines with a background writer have it (``checkpoint.async_save``)."""
        raise NotImplementedError(f"{type(self).__name__} has no asynchronous save")

    @abstractmethod
    def load(self, directory: Path) -> None:
        """Restore what :meth:`save` wrote (every rank calls this)."""

    @torch.no_grad()
    def eval_loss(self, tokens: torch.Tensor) -> torch.Tensor:
        """Loss without gradients (held-out data)."""
        self.model.eval()
        try:
            return causal_lm_loss(self.model, tokens).detach()
        finally:
            self.model.train()


class FSDP2Engine(Engine):
    """FSDP2 (+ TP, HSDP) on a device mesh, torch AdamW on the shards, DCP checkpoints.

    The model arrives on the meta device, is sharded by :func:`~mathlm.pretrain.parallel.parallelize`
    and only then allocated and filled, each rank reading its own slices of the weights.
    """

    def __init__(
        self,
        model: nn.Module,
        source: WeightSource,
        layout: Layout,
        device: torch.device,
        model_cfg: ModelConfig,
        engine_cfg: EngineConfig,
        optim: OptimConfig,
        schedule: ScheduleConfig,
        dtype: torch.dtype,
        grad_accum: int,
    ) -> None:
        self.model = parallelize(model, layout, model_cfg, engine_cfg, dtype)
        materialize(self.model, source, device)
        self.optimizer = build_optimizer(parameter_groups(self.model, optim.weight_decay), optim)
        self.scheduler = build_scheduler(self.optimizer, optim, schedule)
        self.grad_clip = optim.grad_clip
        self.grad_accum = grad_accum
        self.peak_lr = optim.lr
        self.hsdp = layout.dp_replicate > 1
        self.sync_every_micro_batch = engine_cfg.grad_sync == "every_micro_batch"
        self._save_group: torch.distributed.ProcessGroup | None = (
            None  # the async writer's, made at first use
        )
        self._collective_timeout = timedelta(seconds=engine_cfg.collective_timeout_s)

    def forward_backward(self, tokens: torch.Tensor, last_micro_batch: bool) -> torch.Tensor:
        if self.sync_every_micro_batch:
            # Reduce-scatter every micro-batch: only the 1/dp_shard gradient shard (fp32) is kept between
            # micro-batches; HSDP all-reduces across replicas once, at the last one.
            if self.hsdp:
                self.model.set_requires_all_reduce(last_micro_batch)  # type: ignore[operator]
        else:
            # Trade-off: one reduce-scatter per step, but the whole unsharded gradient stays allocated.
            self.model.set_requires_gradient_sync(last_micro_batch)  # type: ignore[operator]
        loss = causal_lm_loss(self.model, tokens)
        (loss / self.grad_accum).backward()
        return loss.detach()

    def step(self, skip: bool) -> float:
        if skip:
            self.optimizer.zero_grad(set_to_none=True)
            return float("nan")
        norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.grad_clip)
        norm = norm.full_tensor() if hasattr(norm, "full_tensor") else norm
        self.optimizer.step()
        self.scheduler.step()
        self.optimizer.zero_grad(set_to_none=True)
        return float(norm)

    def lr(self) -> float:
        return self.scheduler.get_last_lr()[0]

    def save(self, directory: Path) -> None:
        import torch.distributed.checkpoint as dcp

        dcp.save(self._state_to_save(directory), checkpoint_id=str(directory / "dcp"))

    def save_async(self, directory: Path) -> Future[object]:
        """DCP's ``async_save``: this call copies the rank's shards to host memory (the staging copy, so
        the next optimizer steps cannot change what is written) and a thread writes them.

        The writer's collectives (planning, the metadata gather) run on a gloo group of their own,
        created once: on the default group they would interleave with the training loop's collectives,
        which run at the same time from the main thread.
        """
        import torch.distributed as dist
        import torch.distributed.checkpoint as dcp

        if self._save_group is None:
            self._save_group = dist.new_group(backend="gloo", timeout=self._collective_timeout)
        return dcp.async_save(  # type: ignore[return-value]  (a Future without an async stager)
            self._state_to_save(directory),
            checkpoint_id=str(directory / "dcp"),
            process_group=self._save_group,
        )

    def _state_to_save(self, directory: Path) -> dict[str, Any]:
        """The sharded model and optimizer state for DCP; rank 0 writes the (small) scheduler state."""
        from torch.distributed.checkpoint.state_dict import get_state_dict

        model_state, optim_state = get_state_dict(self.model, self.optimizer)
        if torch.distributed.get_rank() == 0:
            torch.save(self.scheduler.state_dict(), directory / "scheduler.pt")
        return {"model": model_state, "optim": optim_state}

    def load(self, directory: Path) -> None:
        import torch.distributed.checkpoint as dcp
        from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict

        model_state, optim_state = get_state_dict(self.model, self.optimizer)
        state = {"model": model_state, "optim": optim_state}
        dcp.load(state, checkpoint_id=str(directory / "dcp"))
        set_state_dict(
            self.model, self.optimizer, model_state_dict=state["model"], optim_state_dict=state["optim"]
        )
        self.scheduler.load_state_dict(torch.load(directory / "scheduler.pt", weights_only=True))
        reset_peak_lr(self.scheduler, self.peak_lr)


def deepspeed_config(
    engine_cfg: EngineConfig, optim: OptimConfig, dtype: torch.dtype, micro_batch: int, grad_accum: int
) -> dict[str, Any]:
    """The DeepSpeed JSON config for a run: ZeRO stage, bf16 compute with fp32 master weights, clipping.

    Gradients are accumulated and reduced in fp32 (the Llemma recipe: "bf16 with fp32 gradient
    accumulation and all-reduce"); DeepSpeed's default would do both in the compute dtype. A step whose
    gradient norm is not finite is skipped by DeepSpeed itself (``check_grad_overflow``).
    """
    return {
        "train_micro_batch_size_per_gpu": micro_batch,
        "gradient_accumulation_steps": grad_accum,
        "gradient_clipping": optim.grad_clip,
        "zero_optimization": {"stage": engine_cfg.zero_stage},
        "bf16": {"enabled": dtype == torch.bfloat16, "check_grad_overflow": True},
        "data_types": {"grad_accum_dtype": "fp32"},
        "communication_data_type": "fp32",
        # a torch AdamW is not on DeepSpeed's list of tested optimizers; it is what we want on CPU and GPU
        "zero_allow_untested_optimizer": True,
        "steps_per_print": 2**31 - 1,
        "wall_clock_breakdown": False,
    }


def skip_deepspeed_shm_build() -> None:
    """Tell DeepSpeed its shared-memory CPU collective is unavailable, so it uses gloo instead of
    JIT-compiling a C++ extension (~50 s) on first use. The compatibility table is a module-level dict
    that DeepSpeed documents as editable; GPUs use NCCL and never consult this op."""
    import deepspeed.ops

    deepspeed.ops.__compatible_ops__["deepspeed_shm_comm"] = False


def build_deepspeed_module(
    model_cfg: ModelConfig, ds_config: dict[str, Any], source: WeightSource, device: torch.device, rank: int
) -> nn.Module:
    """The model for DeepSpeed, never whole in fp32 on every rank.

    ZeRO-3: built inside ``deepspeed.zero.Init`` (each parameter partitioned as it is created), then
    filled tensor by tensor: rank 0 reads it and DeepSpeed scatters it to its owners. ZeRO-1/2 keep full
    parameters on every GPU anyway: built on the meta device, allocated on the device and read there.
    """
    import deepspeed
    from transformers import LlamaForCausalLM

    from mathlm.pretrain.model import build_model, llama_config, recompute_rope_buffers

    if ds_config["zero_optimization"]["stage"] != 3:
        model = build_model(model_cfg)
        materialize(model, source, device)
        return model
    config = llama_config(model_cfg)
    config._attn_implementation = model_cfg.attention
    # dtype from the config (bf16 when enabled, else fp32): an explicit dtype=torch.float32 is ignored on
    # accelerators without fp16 (DeepSpeed 0.19's operator precedence in Init._set_dtype gives bf16 on CPU)
    with deepspeed.zero.Init(config_dict_or_path=ds_config):
        model = LlamaForCausalLM(config)
    recompute_rope_buffers(model, device)
    if model_cfg.activation_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    with torch.no_grad():
        for name, param in model.named_parameters():
            with deepspeed.zero.GatheredParameters([param], modifier_rank=0):
                if rank == 0:
                    shape = tuple(param.ds_shape)  # type: ignore[attr-defined]
                    param.copy_(source.read(name, shape, tuple(slice(0, n) for n in shape)))
    return model


class DeepSpeedEngine(Engine):
    """DeepSpeed ZeRO stage 1-3 around the same model and a torch AdamW; DeepSpeed's own checkpoints."""

    def __init__(
        self,
        model_cfg: ModelConfig,
        source: WeightSource,
        device: torch.device,
        rank: int,
        engine_cfg: EngineConfig,
        optim: OptimConfig,
        schedule: ScheduleConfig,
        dtype: torch.dtype,
        micro_batch: int,
        grad_accum: int,
    ) -> None:
        import deepspeed

        if not torch.cuda.is_available():
            skip_deepspeed_shm_build()
        self.optim_cfg = optim
        ds_config = deepspeed_config(engine_cfg, optim, dtype, micro_batch, grad_accum)
        model = build_deepspeed_module(model_cfg, ds_config, source, device, rank)
        if model_cfg.compile:
            model.compile()
        self.model, self.optimizer, _, self.scheduler = deepspeed.initialize(
            model=model,
            model_parameters=parameter_groups(model, optim.weight_decay),
            optimizer=lambda params: build_optimizer(params, optim),
            lr_scheduler=lambda opt: build_scheduler(opt, optim, schedule),
            config=ds_config,
        )

    def forward_backward(self, tokens: torch.Tensor, last_micro_batch: bool) -> torch.Tensor:
        # DeepSpeed divides by the accumulation steps itself; the step of the last micro-batch (the one
        # that updates) waits for `step`, after the trainer has seen every rank's loss.
        loss = causal_lm_loss(self.model, tokens)
        self.model.backward(loss)  # type: ignore[operator]
        if not last_micro_batch:
            self.model.step()  # type: ignore[operator]
        return loss.detach()

    def step(self, skip: bool) -> float:
        self.model.step()  # type: ignore[operator]
        applied = self.model.was_step_applied()  # type: ignore[operator]
        if skip and applied:
            raise MathlmError(
                "the loss was not finite but DeepSpeed applied the update (its gradient check found "
                "finite gradients); stopping before the weights drift further"
            )
        if not applied:
            return float("nan")
        norm = self.model.get_global_grad_norm()  # type: ignore[operator]
        return float(norm) if norm is not None else float("nan")

    def lr(self) -> float:
        return self.scheduler.get_last_lr()[0]

    def save(self, directory: Path) -> None:
        self.model.save_checkpoint(str(deepspeed_root(directory)), tag=DEEPSPEED_TAG)  # type: ignore[operator]

    def load(self, directory: Path) -> None:
        """Restore a checkpoint; one saved on another number of ranks goes through its universal form
        (converted by rank 0 on first use, see :mod:`mathlm.pretrain.reshard`)."""
        world_size = torch.distributed.get_world_size()
        saved = saved_world_size(directory)
        tag = DEEPSPEED_TAG
        if saved != world_size:
            failure = None
            if torch.distributed.get_rank() == 0:
                console.print(
                    f"{directory} was saved on {saved} rank(s), this run has {world_size}: loading it "
                    "through DeepSpeed's universal checkpoint (converted once, kept next to it)"
                )
                try:
                    universal_checkpoint(directory)
                except MathlmError as error:
                    failure = str(error)
            # every rank learns whether the conversion worked, so none waits for a load that never comes
            failure = broadcast_object(failure)
            if failure is not None:
                raise MathlmError(
                    f"cannot resume {directory} (saved on {saved} rank(s)) on {world_size}: {failure}"
                )
            tag = UNIVERSAL_TAG
        # DeepSpeed reads this switch only inside load_checkpoint; set it for this load alone so that a
        # later load of a same-size checkpoint takes the ordinary path
        self.model._config.load_universal_checkpoint = tag == UNIVERSAL_TAG  # type: ignore[union-attr]
        try:
            path, _ = self.model.load_checkpoint(  # type: ignore[operator]
                str(deepspeed_root(directory)),
                tag=tag,
                load_optimizer_states=True,
                load_lr_scheduler_states=True,
            )
        finally:
            self.model._config.load_universal_checkpoint = False  # type: ignore[union-attr]
        if path is None:
            raise FileNotFoundError(f"no DeepSpeed checkpoint under {deepspeed_root(directory)}")
        reset_peak_lr(self.scheduler, self.optim_cfg.lr)


@dataclass(frozen=True)
class EngineParts:
    """Everything an engine is built from: the run's configs, its layout and where it runs."""

    model_cfg: ModelConfig
    engine_cfg: EngineConfig
    optim: OptimConfig
    schedule: ScheduleConfig
    layout: Layout
    device: torch.device
    rank: int
    dtype: torch.dtype
    micro_batch: int
    grad_accum: int


# Engines by the name ``engine.kind`` gives; a new engine registers a builder here.
ENGINES: Registry[Callable[[EngineParts, WeightSource], Engine]] = Registry("engine")


@ENGINES.register("fsdp2")
def _fsdp2(parts: EngineParts, source: WeightSource) -> Engine:
    p = parts
    return FSDP2Engine(
        build_model(p.model_cfg),
        source,
        p.layout,
        p.device,
        p.model_cfg,
        p.engine_cfg,
        p.optim,
        p.schedule,
        p.dtype,
        p.grad_accum,
    )


@ENGINES.register("deepspeed")
def _deepspeed(parts: EngineParts, source: WeightSource) -> Engine:
    p = parts
    return DeepSpeedEngine(
        p.model_cfg,
        source,
        p.device,
        p.rank,
        p.engine_cfg,
        p.optim,
        p.schedule,
        p.dtype,
        p.micro_batch,
        p.grad_accum,
    )


def build_engine(
    model_cfg: ModelConfig,
    engine_cfg: EngineConfig,
    optim: OptimConfig,
    schedule: ScheduleConfig,
    layout: Layout,
    device: torch.device,
    rank: int,
    dtype: torch.dtype,
    micro_batch: int,
    grad_accum: int,
) -> Engine:
    """The engine the config names; the model is built and its weights read inside it, sharded."""
    parts = EngineParts(
        model_cfg, engine_cfg, optim, schedule, layout, device, rank, dtype, micro_batch, grad_accum
    )
    return ENGINES.get(engine_cfg.kind)(parts, weight_source(model_cfg))
