"""torchtitan's own Trainer as the peer of ``benchmarks/train_throughput.py``, on CPU (gloo) as on a GPU.

Run under ``torch.distributed.run`` by ``train_throughput.py``; every rank calls :func:`run_torchtitan`.

What is torchtitan's (PyPI ``torchtitan`` 0.3.0, unmodified, imported from site-packages):
``torchtitan.trainer.Trainer`` itself, ``__init__`` and ``train()``: process group and device mesh
(``ParallelDims``), the model built on the meta device, ``parallelize_llama`` (FSDP2 through
``apply_fsdp_to_decoder`` with its mixed-precision policy, activation checkpointing, compile),
``init_weights``, the loss (``ChunkedLossWrapper`` around ``CrossEntropyLoss``, as its Llama 3 recipes
configure it), the optimizer and learning-rate schedule (``OptimizersContainer`` from ``default_adamw``,
``LRSchedulersContainer``), gradient accumulation, ``clip_grad_norm_``, its garbage-collection control,
checkpoint manager (disabled) and metrics processor. The model is ``Llama3Model`` with
``Llama3TransformerBlock`` layers (fused QKV projection, complex RoPE), its configs made by torchtitan's
own ``_build_llama3_layers`` (the function its ``debugmodel`` / ``8B`` flavors use) with the benchmark
preset's shape: the same parameter count as mathlm's Hugging Face Llama of that shape
(``tests/test_train_benchmark.py``). Attention is torchtitan's ``ScaledDotProductAttention`` module, causal
over each sequence (the kernel family mathlm's trainer uses); its Llama 3 default, FlexAttention, has no
backward on a CPU in PyTorch (``--peer-attention flex`` selects it on a GPU).

What is ours (glue), and why:

1. **CPU shim** (only where torch sees no accelerator). torchtitan chooses its device once, when
   ``torchtitan.tools.utils`` is imported: ``device_type = _get_available_device_type() or "cuda"``
   (``get_device_info``), and ``Trainer.__init__`` then runs ``device_module.set_device(self.device)``,
   which on a CPU-only torch is ``torch.cuda.set_device`` and fails (``torch._C`` has no
   ``_cuda_setDevice``). :func:`import_torchtitan` imports torchtitan while torch answers ``"cpu"`` and
   a device module for it, :class:`CpuDeviceModule`: ``torch.cpu`` plus the queries torchtitan's
   ``DeviceMemoryMonitor`` makes of a device (name, total memory, peak memory, which ``torch.cpu``
   lacks). ``torch.distributed`` then maps ``"cpu"`` to gloo by itself.
2. **Data**: a torchtitan ``BaseDataLoader`` (:class:`ShardDataLoader`) that reads mathlm's token shards
   through mathlm's ``BatchPlan``, so both trainers train on the same samples in the same order; and a
   tokenizer (:class:`PretokenizedVocabulary`) that only reports the vocabulary size, because the
   shards are already token ids.
3. **torch version gap**: torchtitan 0.3.0 calls ``torch.distributed.set_timeout`` (after the first
   step, on any device), which torch 2.13 has only under its private name
   ``distributed_c10d._set_pg_timeout``; :func:`import_torchtitan` gives it the public name.
4. **gloo**: on CPU, FSDP's reduce-scatter is told to use a plain SUM (:func:`parallelize_llama_for_gloo`,
   same arithmetic), because torchtitan's divide factor of 1.0 becomes ``PREMUL_SUM``, which gloo lacks;
   and the Trainer runs with ``spmd_backend="partial_dtensor"`` (see :func:`trainer_config`).
5. **Timing**: :class:`TimedTrainer` subclasses ``Trainer`` and records wall and process CPU time after
   each of torchtitan's own ``train_step`` calls; nothing else is overridden.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import torch

TORCHTITAN_VERSION = "0.3.0"


class CpuDeviceModule:
    """``torch.cpu`` plus the device queries torchtitan's memory monitor makes (which ``torch.cpu`` lacks).

    Memory figures are the host's: total physical memory and this process's peak resident set size
    (which cannot be reset, so ``reset_peak_memory_stats`` leaves it as it is).
    """

    set_device = staticmethod(torch.cpu.set_device)
    device_count = staticmethod(torch.cpu.device_count)
    synchronize = staticmethod(torch.cpu.synchronize)
    is_available = staticmethod(torch.cpu.is_available)

    @staticmethod
    def current_device() -> int:
        """An index, as ``torch.cuda.current_device()`` gives (torchtitan passes it to ``barrier(device_ids=)``);
        ``torch.cpu.current_device()`` answers the string ``"cpu"``."""
        return 0

    @staticmethod
    def get_device_name(device: Any = None) -> str:
        return cpu_model_name()

    @staticmethod
    def get_device_properties(device: Any = None) -> SimpleNamespace:
        return SimpleNamespace(total_memory=os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))

    @staticmethod
    def memory_stats(device: Any = None) -> dict[str, int]:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
        return {"active_bytes.all.peak": peak, "reserved_bytes.all.peak": peak}

    @staticmethod
    def reset_peak_memory_stats(device: Any = None) -> None:
        return None

    @staticmethod
    def empty_cache() -> None:
        return None


def cpu_model_name() -> str:
    """The processor's model name as /proc/cpuinfo gives it ("CPU" where there is no such file)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "CPU"


def import_torchtitan() -> ModuleType:
    """``torchtitan.trainer``, imported so that torchtitan runs on the CPU when torch sees no accelerator.

    torchtitan binds ``device_type`` / ``device_module`` at import time in several modules
    (``tools.utils``, ``distributed.utils``, ``distributed.parallel_dims``, ``components.metrics``), all
    from ``torch._utils._get_available_device_type`` and ``_get_device_module``; those two answer
    ``"cpu"`` and :class:`CpuDeviceModule` while torchtitan is imported, and are restored afterwards.
    On every device, ``torch.distributed.set_timeout`` is provided where torch lacks it (see below).
    """
    import torch._utils as torch_utils

    try:
        installed = version("torchtitan")
    except PackageNotFoundError:
        installed = "no version"
    if installed != TORCHTITAN_VERSION:
        raise RuntimeError(
            f"torchtitan: {installed} installed; the benchmark's glue is written against {TORCHTITAN_VERSION}, "
            "which `make install-test` (scripts/install_extras.sh VENV test) installs"
        )
    if not hasattr(torch.distributed, "set_timeout"):
        # torchtitan 0.3.0 calls ``torch.distributed.set_timeout(timeout, group)`` after the first step
        # (``dist_utils.set_pg_timeouts``), a public name newer than torch 2.13, which has the same function
        # as ``distributed_c10d._set_pg_timeout``.
        torch.distributed.set_timeout = torch.distributed.distributed_c10d._set_pg_timeout
    if torch_utils._get_available_device_type() is not None or "torchtitan.tools.utils" in sys.modules:
        return importlib.import_module("torchtitan.trainer")
    real_type, real_module = torch_utils._get_available_device_type, torch_utils._get_device_module

    def cpu_type() -> str:
        return "cpu"

    def cpu_module(device_type: str = "cpu") -> Any:
        return CpuDeviceModule if device_type == "cpu" else real_module(device_type)

    torch_utils._get_available_device_type, torch_utils._get_device_module = cpu_type, cpu_module
    try:
        return importlib.import_module("torchtitan.trainer")
    finally:
        torch_utils._get_available_device_type, torch_utils._get_device_module = real_type, real_module


def run_torchtitan(cfg: Any, dtype: torch.dtype, attention: str, out: Path) -> None:
    """Train ``cfg``'s model, data and schedule with torchtitan's Trainer; write this rank's step stamps to ``out``.

    ``cfg`` is mathlm's ``TrainConfig`` of the same run (the shape, batch geometry, steps and learning rate
    are read from it); ``attention`` as in :func:`trainer_config`. The process group is torchtitan's to
    create (``Trainer.init_distributed``).
    """
    titan = import_torchtitan()
    from torchtitan.components.dataloader import BaseDataLoader
    from torchtitan.components.tokenizer import BaseTokenizer

    from mathlm.pretrain.data import BatchPlan, open_mixture

    class PretokenizedVocabulary(BaseTokenizer):
        """The data is token ids already: the Trainer only asks its tokenizer for the vocabulary size."""

        @dataclass(kw_only=True, slots=True)
        class Config(BaseTokenizer.Config):
            vocab_size: int = 0

        def __init__(self, config: Config, *, tokenizer_path: str | None = None) -> None:
            super().__init__()
            self.vocab_size = config.vocab_size

        def encode(self, *args: Any, **kwargs: Any) -> list[int]:
            raise NotImplementedError("the benchmark's shards are token ids already; nothing is encoded")

        def decode(self, *args: Any, **kwargs: Any) -> str:
            raise NotImplementedError("the benchmark's shards are random token ids; there is no text")

        def get_vocab_size(self) -> int:
            return self.vocab_size

    class ShardDataLoader(BaseDataLoader):
        """This rank's micro-batches from mathlm's ``BatchPlan`` (the samples mathlm's trainer reads at each
        step), as torchtitan's (``{"input": tokens, "positions": ...}``, labels) pairs."""

        @dataclass(kw_only=True, slots=True)
        class Config(BaseDataLoader.Config):
            pass

        def __init__(
            self, config: Config, *, dp_world_size: int, dp_rank: int, local_batch_size: int, **_: Any
        ) -> None:
            if local_batch_size != cfg.data.micro_batch_size:
                raise ValueError(
                    f"torchtitan asks for micro batch {local_batch_size}, not {cfg.data.micro_batch_size}"
                )
            samples = open_mixture(
                cfg.data.mixture, cfg.data, cfg.schedule.steps * cfg.data.global_batch_samples, cfg.data.seed
            )
            self.plan = BatchPlan(
                samples, cfg.data, dp_rank, dp_world_size, cfg.model.shape.vocab_size, torch.device("cpu")
            )
            self.step = 0

        def __iter__(self) -> Iterator[tuple[dict[str, torch.Tensor], torch.Tensor]]:
            while True:
                for tokens in self.plan.micro_batches(self.step * cfg.data.global_batch_samples):
                    inputs = tokens[:, :-1]
                    # torchtitan's Llama attention masks by document from these positions; one sequence is
                    # attended causally as a whole, as mathlm's trainer does
                    positions = torch.arange(inputs.shape[1]).expand_as(inputs)
                    yield {"input": inputs, "positions": positions}, tokens[:, 1:]
                self.step += 1

        def state_dict(self) -> dict[str, Any]:
            return {"step": self.step}

        def load_state_dict(self, state_dict: dict[str, Any]) -> None:
            self.step = state_dict.get("step", 0)

    stamps: list[tuple[float, float]] = []

    class TimedTrainer(titan.Trainer):
        """torchtitan's Trainer; after each of its own steps, the wall and process CPU clocks are read."""

        def train_step(self, data_iterator: Any) -> None:
            super().train_step(data_iterator)
            if self.device.type == "cuda":
                torch.cuda.synchronize()
            stamps.append((time.perf_counter(), time.process_time()))

    config = trainer_config(cfg, dtype, cfg.run_dir / "torchtitan", attention)
    config.tokenizer = PretokenizedVocabulary.Config(vocab_size=cfg.model.shape.vocab_size)
    config.dataloader = ShardDataLoader.Config()
    trainer = TimedTrainer(config)
    try:
        trainer.train()
    finally:
        trainer.close()
    out.write_text(json.dumps({"stamps": stamps, "device": str(trainer.device)}))
    torch.distributed.destroy_process_group()


def parallelize_llama_for_gloo(model: Any, **kwargs: Any) -> Any:
    """torchtitan's ``parallelize_llama``, then FSDP told to reduce gradients with a plain SUM.

    torchtitan scales gradients by the global token count itself and sets FSDP's gradient divide factor
    to 1.0 (``disable_fsdp_gradient_division``); FSDP turns that factor into ``ReduceOp.PREMUL_SUM(1.0)``,
    which gloo rejects ("Cannot use ReduceOp.PREMUL_SUM with Gloo"). ``set_force_sum_reduction_for_comms``
    makes FSDP reduce with SUM and divide by the same factor afterwards: the same arithmetic.
    """
    from torch.distributed.fsdp import FSDPModule
    from torchtitan.models.llama3 import parallelize_llama

    model = parallelize_llama(model, **kwargs)
    for module in model.modules():
        if isinstance(module, FSDPModule):
            module.set_force_sum_reduction_for_comms(True)
    return model


def trainer_config(cfg: Any, dtype: torch.dtype, dump_folder: Path, attention: str) -> Any:
    """torchtitan's ``Trainer.Config`` for mathlm's ``TrainConfig`` ``cfg``, built from torchtitan's own classes.

    ``attention``: ``"flex"`` (torchtitan's default for Llama 3, CUDA only for training: PyTorch's
    FlexAttention has no backward on CPU) or ``"sdpa"`` (torchtitan's ``ScaledDotProductAttention``, the
    kernel family mathlm's trainer uses; its ``varlen`` backend is flash/cuDNN, CUDA only). Tokenizer and
    data loader are left at torchtitan's defaults; :func:`run_torchtitan` sets its own.
    """
    titan = import_torchtitan()
    import torchtitan.models.llama3 as llama3
    from torchtitan.components.checkpoint import CheckpointManager
    from torchtitan.components.loss import ChunkedLossWrapper, CrossEntropyLoss
    from torchtitan.components.metrics import MetricsProcessor
    from torchtitan.components.optimizer import LRSchedulersContainer, default_adamw
    from torchtitan.config import CompileConfig, ParallelismConfig, TrainingConfig
    from torchtitan.distributed.activation_checkpoint import FullAC
    from torchtitan.distributed.pipeline_parallel import pipeline_llm
    from torchtitan.models.common import ComplexRoPE, Embedding, Linear, RMSNorm
    from torchtitan.models.common.attention import ScaledDotProductAttention
    from torchtitan.protocols.model_spec import ModelSpec

    shape, data = cfg.model.shape, cfg.data
    model = llama3.Llama3Model.Config(
        dim=shape.hidden_size,
        vocab_size=shape.vocab_size,
        enable_weight_tying=shape.tie_word_embeddings,
        tok_embeddings=Embedding.Config(
            num_embeddings=shape.vocab_size,
            embedding_dim=shape.hidden_size,
            param_init=llama3._EMBEDDING_INIT,
        ),
        norm=RMSNorm.Config(normalized_shape=shape.hidden_size, param_init=llama3._NORM_INIT),
        lm_head=Linear.Config(
            in_features=shape.hidden_size,
            out_features=shape.vocab_size,
            param_init=llama3._output_linear_init(shape.hidden_size),
        ),
        layers=llama3._build_llama3_layers(
            n_layers=shape.num_layers,
            dim=shape.hidden_size,
            n_heads=shape.num_heads,
            n_kv_heads=shape.num_kv_heads,
            hidden_dim=shape.intermediate_size,
            rope=ComplexRoPE.Config(
                dim=shape.hidden_size // shape.num_heads,
                max_seq_len=shape.max_position_embeddings,
                theta=shape.rope_theta,
            ),
            attn_backend="flex",
        ),
    )
    if attention == "sdpa":
        # torchtitan's own SDPA inner attention (causal over the whole sequence, as mathlm's trainer attends;
        # the Trainer then builds no document masks, which is its path for mask-less backends).
        for layer in model.layers:
            layer.attention.inner_attention = ScaledDotProductAttention.Config()
    spec = ModelSpec(
        name="llama3",
        flavor=f"mathlm-benchmark-{shape.num_layers}x{shape.hidden_size}",
        model=model,
        parallelize_fn=llama3.parallelize_llama if torch.cuda.is_available() else parallelize_llama_for_gloo,
        pipelining_fn=pipeline_llm,
        post_optimizer_build_fn=None,
        state_dict_adapter=None,
    )
    return titan.Trainer.Config(
        model_spec=spec,
        dump_folder=str(dump_folder),
        loss=ChunkedLossWrapper.Config(loss_fn=CrossEntropyLoss.Config(global_vocab_size=shape.vocab_size)),
        optimizer=default_adamw(lr=cfg.optim.lr),
        lr_scheduler=LRSchedulersContainer.Config(
            warmup_steps=cfg.schedule.warmup_steps, decay_type="cosine", min_lr_factor=0.0
        ),
        training=TrainingConfig(
            local_batch_size=data.micro_batch_size,
            global_batch_size=data.global_batch_samples,
            seq_len=data.seq_len,
            steps=cfg.schedule.steps,
            max_norm=1.0,
            mixed_precision_param="bfloat16" if dtype == torch.bfloat16 else "float32",
        ),
        # FSDP over every rank (data_parallel_shard_degree -1). "partial_dtensor": FSDP2 as torchtitan applied it
        # before its SPMD-types backend (the 0.3.0 default, "spmd_types", stops in fully_shard on 2 CPU ranks:
        # "all parameters must be DTensors on the full SPMD mesh ... Got plain tensor for parameter 'weight'").
        parallelism=ParallelismConfig(spmd_backend="partial_dtensor"),
        checkpoint=CheckpointManager.Config(enable=False),
        activation_checkpoint=FullAC.Config() if cfg.model.activation_checkpointing else None,
        compile=CompileConfig(enable=cfg.model.compile, components=["model"]),
        metrics=MetricsProcessor.Config(log_freq=1, disable_color_printing=True),
    )
