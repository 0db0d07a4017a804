"""``mathlm train plan``: what one GPU holds for a run on N nodes x G GPUs, and whether it fits.

The model is arithmetic on the model shape and the run's layout, written out term by term so that a
reader can check it (bytes per GPU):

- parameters: fp32 master weights, split by TP and sharded by FSDP over ``dp_shard`` (DeepSpeed: the
  module's weights in the compute dtype, partitioned only by ZeRO-3, plus the fp32 master partition);
- gradients: fp32 (the recipe accumulates and reduces in fp32), sharded when they are reduce-scattered
  every micro-batch, whole otherwise (and always whole on ZeRO-1);
- optimizer: AdamW's two fp32 moments, sharded like the master weights;
- working set: the all-gathered compute-dtype weights of the root (embeddings, head) and of two
  decoder layers (one computing, one prefetched), and one layer's unsharded gradient before its
  reduce-scatter;
- activations: what autograd saves per token in a Hugging Face Llama block (listed in
  :func:`layer_activation_bytes`), for every layer, or with activation checkpointing each layer's input
  plus one recomputed layer; plus the logits and their fp32 loss intermediates.

On GPU a fixed allowance covers the CUDA context, NCCL buffers and allocator fragmentation. On CPU
the same arithmetic (without the allowance) is compared with measured peak memory in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mathlm.errors import MathlmError
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.metrics import llama_parameters
from mathlm.pretrain.parallel import degrees

GIB = 1024**3
# CUDA context, NCCL communicators and buffers, caching-allocator fragmentation (a round figure: 10% of
# an 80 GB GPU is typical for FSDP runs).
GPU_OVERHEAD_BYTES = 6 * GIB


@dataclass(frozen=True)
class MemoryPlan:
    """Bytes per GPU by category, the layout they were computed for, and the verdict."""

    layout: str
    grad_accum: int
    terms: dict[str, float]
    capacity: float | None

    @property
    def total(self) -> float:
        return sum(self.terms.values())

    @property
    def fits(self) -> bool:
        return self.capacity is None or self.total <= self.capacity


def layer_parameters(config: dict[str, Any]) -> int:
    hidden = config["hidden_size"]
    head_dim = config.get("head_dim") or hidden // config["num_attention_heads"]
    q = config["num_attention_heads"] * head_dim
    kv = config["num_key_value_heads"] * head_dim
    return hidden * (q + 2 * kv) + q * hidden + 3 * hidden * config["intermediate_size"] + 2 * hidden


def layer_activation_bytes(config: dict[str, Any], tokens: int, elem: int, tp: int) -> float:
    """Bytes autograd keeps for one decoder layer's backward, on one TP rank (``tokens`` = micro batch x seq).

    Per token: RMSNorm keeps its input and its normalised output (plus an fp32 copy of the input when
    computing in 16 bits), for each of its two norms; q/k/v and gate/up keep the all-gathered normalised
    input (replicated over TP); RoPE keeps q, k and their rotated halves; SDPA (flash kernels, native GQA)
    keeps q, k, v and its output; o_proj its (contiguous) input; the MLP keeps gate, silu(gate), up and
    their product. Sequence-sharded tensors count 1/tp, head- or feature-sharded ones 1/tp.
    """
    hidden, inter = config["hidden_size"], config["intermediate_size"]
    head_dim = config.get("head_dim") or hidden // config["num_attention_heads"]
    q = config["num_attention_heads"] * head_dim
    kv = config["num_key_value_heads"] * head_dim
    fp32_copy = 4 if elem != 4 else 0
    norms = (
        2 * (hidden * (elem + fp32_copy) + hidden * elem) / tp
    )  # input (+ fp32 copy) and output, seq-sharded
    gathered = 2 * hidden * elem if tp > 1 else 0  # the attention's and the MLP's all-gathered input
    attention = (2 * (q + kv) + (q + 2 * kv) + 2 * q) * elem / tp  # rope, sdpa inputs, output, o_proj input
    mlp = 4 * inter * elem / tp
    return tokens * (norms + gathered + attention + mlp)


def logits_bytes(config: dict[str, Any], tokens: int, elem: int) -> float:
    """Logits (compute dtype) and their fp32 copy, the saved log-softmax, and at the start of backward its
    fp32 incoming and outgoing gradients (all replicated over TP)."""
    vocab = config["vocab_size"]
    return tokens * vocab * (elem + (4 if elem != 4 else 0) + 4 + 4 + 4)


def plan_memory(
    cfg: TrainConfig, config: dict[str, Any], world_size: int, gpu_bytes: float | None, compute_bytes: int
) -> MemoryPlan:
    """Per-rank memory of ``cfg`` on ``world_size`` ranks; ``gpu_bytes`` None = CPU (no capacity, no allowance)."""
    from mathlm.pretrain.data import gradient_accumulation

    dp_replicate, dp_shard, tp = degrees(cfg.engine, world_size)
    grad_accum = gradient_accumulation(cfg.data, dp_replicate * dp_shard)
    params = llama_parameters(config)
    layer = layer_parameters(config)
    root = params - config["num_hidden_layers"] * layer
    tokens = cfg.data.micro_batch_size * cfg.data.seq_len
    elem = compute_bytes
    layers = config["num_hidden_layers"]
    one_layer = layer_activation_bytes(config, tokens, elem, tp)
    if cfg.model.activation_checkpointing:
        activations = layers * tokens * config["hidden_size"] * elem / tp + one_layer
    else:
        activations = layers * one_layer
    terms: dict[str, float]
    if cfg.engine.kind == "fsdp2":
        shard = dp_shard * tp
        whole_grads = cfg.engine.grad_sync == "last_micro_batch"
        gathered_layers = layers if not cfg.engine.reshard_after_forward else 2
        terms = {
            "parameters (fp32 master, sharded)": 4 * params / shard,
            "gradients (fp32" + (", whole)" if whole_grads else ", sharded)"): 4
            * params
            / (tp if whole_grads else shard),
            "optimizer (AdamW, fp32, sharded)": 8 * params / shard,
            "working set (gathered weights, one layer's gradient)": (root + gathered_layers * layer)
            * elem
            / tp
            + layer * 4 / tp,
        }
    else:
        stage = cfg.engine.zero_stage
        shard = world_size
        module = elem * params / (shard if stage == 3 else 1)
        master = 4 * params / shard if elem != 4 or stage != 3 else 0
        terms = {
            "parameters (module"
            + (", partitioned" if stage == 3 else "")
            + " + fp32 master partition)": module + master,
            "gradients (fp32" + (", whole)" if stage == 1 else ", partitioned)"): 4
            * params
            / (1 if stage == 1 else shard)
            + (elem * params if stage < 3 and elem != 4 else 0),
            "optimizer (AdamW, fp32, partitioned)": 8 * params / shard,
            "working set (gathered layers)": 2 * layer * elem if stage == 3 else 0.0,
        }
    terms["activations" + (" (checkpointed)" if cfg.model.activation_checkpointing else "")] = activations
    terms["logits and loss"] = logits_bytes(config, tokens, elem)
    if gpu_bytes is not None:
        terms["CUDA context, NCCL, fragmentation (allowance)"] = GPU_OVERHEAD_BYTES
    layout = (
        f"dp_replicate {dp_replicate} x dp_shard {dp_shard} x tp {tp}"
        if cfg.engine.kind == "fsdp2"
        else f"DeepSpeed ZeRO-{cfg.engine.zero_stage} over {world_size}"
    )
    return MemoryPlan(layout=layout, grad_accum=grad_accum, terms=terms, capacity=gpu_bytes)


def model_config_for_plan(cfg: TrainConfig) -> dict[str, Any]:
    """The HF config of the run's model: from ``model.shape`` when given (recipes pin Code Llama's shape, so
    a plan needs no checkpoint on this machine), else from the checkpoint's config.json."""
    from mathlm.pretrain.model import llama_config

    if cfg.model.shape is None and (cfg.model.checkpoint is None or not cfg.model.checkpoint.is_dir()):
        raise MathlmError(
            f"model.checkpoint {cfg.model.checkpoint} is not here and the config has no model.shape; "
            "add model.shape (the checkpoint's architecture) to plan without the checkpoint"
        )
    return llama_config(cfg.model, prefer_shape=True).to_dict()


def format_plan(plan: MemoryPlan, nodes: int, gpus_per_node: int) -> list[dict[str, str]]:
    rows = [{"term": name, "GiB per GPU": f"{value / GIB:.2f}"} for name, value in plan.terms.items()]
    rows.append({"term": "total", "GiB per GPU": f"{plan.total / GIB:.2f}"})
    if plan.capacity is not None:
        rows.append(
            {
                "term": f"capacity ({nodes} x {gpus_per_node} GPUs)",
                "GiB per GPU": f"{plan.capacity / GIB:.2f}",
            }
        )
    return rows
