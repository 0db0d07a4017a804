"""How the model is spread over the GPUs: one device mesh, one ``parallelize`` function.

The world is a 3-D mesh ``(dp_replicate, dp_shard, tp)`` built with PyTorch's own distributed APIs:

- ``tp``: tensor parallelism with sequence parallelism inside each Llama block (Megatron layout:
  q/k/v and gate/up split by columns, o/down by rows; norms and residuals run on sequence shards).
  Ranks of one TP group are adjacent, so a TP group sits inside a node (NVLink).
- ``dp_shard``: FSDP2 ``fully_shard`` over these ranks (parameters, gradients, optimizer state).
- ``dp_replicate``: HSDP, whole replicas of the sharded model (shard within a node or a few nodes,
  replicate across them), so all-gathers stay on the fast links.

Data parallel degree = ``dp_replicate x dp_shard``; ranks of one TP group read the same batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from mathlm.errors import MathlmError
from mathlm.pretrain.config import EngineConfig, ModelConfig
from mathlm.pretrain.model import decoder_layers


@dataclass(frozen=True)
class Layout:
    """Parallel degrees of a run and this rank's place in the data-parallel dimension."""

    tp: int
    dp_replicate: int
    dp_shard: int
    dp_rank: int
    mesh: Any  # torch.distributed.DeviceMesh, None for DeepSpeed

    @property
    def dp_size(self) -> int:
        """How many different batches one step reads in parallel (the TP group shares one)."""
        return self.dp_replicate * self.dp_shard

    def describe(self) -> str:
        return f"dp_replicate {self.dp_replicate} x dp_shard {self.dp_shard} x tp {self.tp}"


def degrees(engine: EngineConfig, world_size: int) -> tuple[int, int, int]:
    """(dp_replicate, dp_shard, tp) for ``world_size`` ranks; ``dp_shard`` takes what TP and HSDP leave."""
    per_replica = engine.tp * engine.dp_replicate
    if world_size % per_replica:
        raise MathlmError(
            f"world size {world_size} is not divisible by engine.tp {engine.tp} x engine.dp_replicate "
            f"{engine.dp_replicate}; change them or the number of processes"
        )
    if engine.kind == "deepspeed" and per_replica != 1:
        raise MathlmError(
            "engine.tp and engine.dp_replicate need engine.kind: fsdp2 (DeepSpeed ZeRO here is "
            "data parallel only)"
        )
    return engine.dp_replicate, world_size // per_replica, engine.tp


def check_tensor_parallel(config: Any, tp: int) -> None:
    """Heads, KV heads and the MLP must split evenly over the TP ranks."""
    sizes = {
        "num_attention_heads": config.num_attention_heads,
        "num_key_value_heads": config.num_key_value_heads,
        "intermediate_size": config.intermediate_size,
    }
    bad = [f"{name} {value}" for name, value in sizes.items() if value % tp]
    if bad:
        raise MathlmError(
            f"engine.tp {tp} does not divide {', '.join(bad)}; choose a TP degree that divides them"
        )


def build_layout(engine: EngineConfig, world_size: int, rank: int, device: torch.device) -> Layout:
    """The device mesh of an FSDP2 run (DeepSpeed: data parallel only, no mesh)."""
    dp_replicate, dp_shard, tp = degrees(engine, world_size)
    if engine.kind == "deepspeed":
        return Layout(tp=1, dp_replicate=1, dp_shard=world_size, dp_rank=rank, mesh=None)
    from torch.distributed.device_mesh import init_device_mesh

    mesh = init_device_mesh(
        device.type, (dp_replicate, dp_shard, tp), mesh_dim_names=("dp_replicate", "dp_shard", "tp")
    )
    dp_rank = mesh["dp_replicate"].get_local_rank() * dp_shard + mesh["dp_shard"].get_local_rank()
    return Layout(tp=tp, dp_replicate=dp_replicate, dp_shard=dp_shard, dp_rank=dp_rank, mesh=mesh)


def apply_tensor_parallel(model: nn.Module, tp_mesh: Any) -> None:
    """Megatron-style TP with sequence parallelism on a Hugging Face ``LlamaForCausalLM``.

    Between blocks the hidden states are DTensors sharded on the sequence dimension (the norms and
    residual adds run on 1/tp of the tokens); each attention and MLP gathers the sequence, computes
    on its share of the heads / intermediate features and reduce-scatters back. Outputs stay DTensors
    so that Hugging Face's code sees the global sequence length when it builds positions and masks.
    The head returns replicated logits (the loss is computed on whole logits).
    """
    from torch.distributed.tensor import Replicate, Shard
    from torch.distributed.tensor.parallel import (
        ColwiseParallel,
        PrepareModuleInput,
        RowwiseParallel,
        SequenceParallel,
        parallelize_module,
    )

    parallelize_module(
        model,
        tp_mesh,
        {
            "model.embed_tokens": RowwiseParallel(
                input_layouts=Replicate(), output_layouts=Shard(1), use_local_output=False
            ),
            "model.norm": SequenceParallel(),
            "lm_head": ColwiseParallel(
                input_layouts=Shard(1), output_layouts=Replicate(), use_local_output=True
            ),
        },
    )
    for layer in decoder_layers(model):
        parallelize_module(
            layer,
            tp_mesh,
            {
                "input_layernorm": SequenceParallel(),
                "self_attn": PrepareModuleInput(
                    input_kwarg_layouts={"hidden_states": Shard(1)},
                    desired_input_kwarg_layouts={"hidden_states": Replicate()},
                ),
                "self_attn.q_proj": ColwiseParallel(),
                "self_attn.k_proj": ColwiseParallel(),
                "self_attn.v_proj": ColwiseParallel(),
                "self_attn.o_proj": RowwiseParallel(output_layouts=Shard(1), use_local_output=False),
                "post_attention_layernorm": SequenceParallel(),
                "mlp": PrepareModuleInput(input_layouts=(Shard(1),), desired_input_layouts=(Replicate(),)),
                "mlp.gate_proj": ColwiseParallel(),
                "mlp.up_proj": ColwiseParallel(),
                "mlp.down_proj": RowwiseParallel(output_layouts=Shard(1), use_local_output=False),
            },
        )


def parallelize(
    model: nn.Module, layout: Layout, model_cfg: ModelConfig, engine_cfg: EngineConfig, dtype: torch.dtype
) -> nn.Module:
    """TP (when ``tp > 1``), then FSDP2 per decoder layer and at the root over the data-parallel mesh.

    Parameters stay fp32 (the master copy); ``dtype`` is the compute dtype of the all-gathered
    weights, and gradients are reduced in fp32, as in the Llemma recipe. Works on a meta-device model:
    nothing is allocated until :func:`mathlm.pretrain.model.materialize`.
    """
    from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard

    if layout.tp > 1:
        check_tensor_parallel(model.config, layout.tp)
        apply_tensor_parallel(model, layout.mesh["tp"])
    dp_mesh = layout.mesh["dp_replicate", "dp_shard"] if layout.dp_replicate > 1 else layout.mesh["dp_shard"]
    policy = MixedPrecisionPolicy(param_dtype=dtype, reduce_dtype=torch.float32)
    for layer in decoder_layers(model):
        if model_cfg.compile:
            layer.compile()
        fully_shard(
            layer, mesh=dp_mesh, mp_policy=policy, reshard_after_forward=engine_cfg.reshard_after_forward
        )
    fully_shard(model, mesh=dp_mesh, mp_policy=policy, reshard_after_forward=engine_cfg.reshard_after_forward)
    return model
