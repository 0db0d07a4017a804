"""Llama weights in Hugging Face layout <-> GPT-NeoX layout, tensor-parallel sharded.

The GPT-NeoX layout targeted is the one current GPT-NeoX's model code builds for a Llama config
(``norm: rmsnorm``, ``activation: swiglu``, ``pos_emb: rotary`` with ``rotary_pct: 1``, no biases,
untied output). Layer ``i`` of the ``sequential`` module list holds:

==========  =========================================  ==============================================
index       parameter                                  tensor-parallel split (rank r of T)
==========  =========================================  ==============================================
0           ``word_embeddings.weight`` [V, h]          rows (vocabulary), padded to a multiple of T
2 .. L+1    ``input_layernorm.scale`` [h]              replicated
            ``attention.query_key_value.weight``       rank r holds its heads: see below
            ``attention.dense.weight`` [h, h]          columns (its heads' inputs)
            ``post_attention_layernorm.scale`` [h]     replicated
            ``mlp.linear1.weight`` [2 I, h]            rank r holds ``[up_r; gate_r]`` (I/T rows each)
            ``mlp.linear2.weight`` [h, I]              columns
L+3         ``norm.scale`` [h]                         replicated
L+4         ``final_linear.weight`` [V, h]             rows (vocabulary), padded like the embeddings
==========  =========================================  ==============================================

(1 and L+2 are parameterless.) Query/key/value of rank r, which owns query heads ``n/T`` and
key/value heads ``k/T``: with multi-head attention (k = n) the rows go head by head, each head's
``q, k, v`` together (``[n/T, 3, d]``); with grouped-query attention (k < n) they are all of the rank's
query rows, then its key rows, then its value rows (``[(n/T + 2 k/T) d]``). The MLP's ``linear1`` is
split in two halves inside each rank's shard and NeoX computes ``act(second) * first``, so the first
half is Llama's ``up_proj`` and the second ``gate_proj``. Rotary embeddings in both use the
rotate-half convention, so query and key rows need no permutation.

**GPT-NeoX's own converter scripts use other query/key/value layouts than its attention code** (read
from GPT-NeoX's ``tools/ckpts`` and ``megatron/model/transformer.py``; the latter is what trains):

* ``convert_neox_to_hf.py`` reads every rank's rows as ``[queries | keys | values]``, also for
  multi-head attention. Its attention code (``ParallelSelfAttention.forward``) computes multi-head
  attention head by head from ``[q_h; k_h; v_h]``, which is what this module writes. So on a
  multi-head model (Llemma 7B, Code Llama 7B) its back-converter mixes queries, keys and values of a
  checkpoint GPT-NeoX trained or this module wrote, and the HF model computes other logits (0.37 off
  at most on the tests' tiny model); for grouped-query models (34B) the layouts agree.
* ``convert_hf_llama_to_neox.py`` interleaves per query head (``[q_h; k/n rows; v/n rows]``). For
  multi-head attention that equals the attention code's layout; for grouped-query attention it is the
  layout of an older ``gqa_project``, not of the current one (``[queries | keys | values]``). It also
  names the MLP ``w1/w2/w3`` (current GPT-NeoX: ``linear1/linear2``) and does not pad the vocabulary.
* ``convert_neox_to_hf.py`` takes the GPT-NeoX ``intermediate_size`` (32,768 for Llama 7B, see
  :mod:`mathlm.pretrain.neox.config`) as the HF width and so cannot load the 11,008-wide weights.

Convert with ``mathlm convert hf-to-neox`` / ``neox-to-hf`` in both directions: the round trip is
exact (tests/pretrain/neox), and the shards compute what GPT-NeoX's attention and MLP code computes.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from mathlm.errors import MathlmError


@dataclass(frozen=True)
class LlamaDims:
    """The sizes a conversion needs (read from a HF ``LlamaConfig`` or a GPT-NeoX config)."""

    num_layers: int
    hidden_size: int
    num_heads: int
    num_kv_heads: int
    intermediate_size: int
    vocab_size: int

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    def check_tensor_parallel(self, tp: int) -> None:
        for what, size in (
            ("attention heads", self.num_heads),
            ("key/value heads", self.num_kv_heads),
            ("intermediate size", self.intermediate_size),
        ):
            if size % tp:
                raise MathlmError(
                    f"tensor parallel size {tp} does not divide the {what} ({size}); "
                    f"choose a tensor parallel size that divides it"
                )


def padded_vocab(vocab_size: int, tp: int, divisible_by: int = 1) -> int:
    """GPT-NeoX's padded vocabulary: the next multiple of ``divisible_by * tp``."""
    multiple = divisible_by * tp
    return -(-vocab_size // multiple) * multiple


def layer_index(layer: int) -> int:
    """``sequential`` index of transformer layer ``layer`` (0-based)."""
    return layer + 2


def hf_to_neox(
    state: dict[str, torch.Tensor], dims: LlamaDims, tp: int, divisible_by: int = 1
) -> list[dict[str, torch.Tensor]]:
    """Split a HF Llama state dict into ``tp`` GPT-NeoX ``sequential.*`` state dicts (rank order)."""
    dims.check_tensor_parallel(tp)
    shards: list[dict[str, torch.Tensor]] = [{} for _ in range(tp)]

    def put(index: int, name: str, pieces: list[torch.Tensor]) -> None:
        for rank, piece in enumerate(pieces):
            shards[rank][f"sequential.{index}.{name}"] = piece.contiguous().clone()

    vocab = padded_vocab(dims.vocab_size, tp, divisible_by)
    lm_head = state.get("lm_head.weight", state["model.embed_tokens.weight"])  # tied models share it
    put(0, "word_embeddings.weight", _pad_rows(state["model.embed_tokens.weight"], vocab).chunk(tp, 0))
    for layer in range(dims.num_layers):
        prefix, index = f"model.layers.{layer}.", layer_index(layer)
        put(index, "input_layernorm.scale", [state[prefix + "input_layernorm.weight"]] * tp)
        put(index, "post_attention_layernorm.scale", [state[prefix + "post_attention_layernorm.weight"]] * tp)
        put(index, "attention.query_key_value.weight", _pack_qkv(state, prefix, dims, tp))
        put(index, "attention.dense.weight", state[prefix + "self_attn.o_proj.weight"].chunk(tp, 1))
        up, gate = (state[prefix + f"mlp.{name}.weight"].chunk(tp, 0) for name in ("up_proj", "gate_proj"))
        put(index, "mlp.linear1.weight", [torch.cat([u, g], 0) for u, g in zip(up, gate, strict=True)])
        put(index, "mlp.linear2.weight", state[prefix + "mlp.down_proj.weight"].chunk(tp, 1))
    put(dims.num_layers + 3, "norm.scale", [state["model.norm.weight"]] * tp)
    put(dims.num_layers + 4, "final_linear.weight", _pad_rows(lm_head, vocab).chunk(tp, 0))
    return shards


def neox_to_hf(shards: list[dict[str, torch.Tensor]], dims: LlamaDims) -> dict[str, torch.Tensor]:
    """Merge ``tp`` GPT-NeoX ``sequential.*`` state dicts (rank order) into one HF Llama state dict."""
    tp = len(shards)
    dims.check_tensor_parallel(tp)

    def get(index: int, name: str) -> list[torch.Tensor]:
        key = f"sequential.{index}.{name}"
        missing = [rank for rank, shard in enumerate(shards) if key not in shard]
        if missing:
            raise MathlmError(
                f"GPT-NeoX checkpoint: tensor {key} missing from tensor-parallel rank(s) {missing}; "
                "is the layer count or the layout (sequential vs pipeline) right?"
            )
        return [shard[key] for shard in shards]

    state = {"model.embed_tokens.weight": torch.cat(get(0, "word_embeddings.weight"), 0)[: dims.vocab_size]}
    for layer in range(dims.num_layers):
        prefix, index = f"model.layers.{layer}.", layer_index(layer)
        state[prefix + "input_layernorm.weight"] = get(index, "input_layernorm.scale")[0]
        state[prefix + "post_attention_layernorm.weight"] = get(index, "post_attention_layernorm.scale")[0]
        state.update(_unpack_qkv(get(index, "attention.query_key_value.weight"), prefix, dims))
        state[prefix + "self_attn.o_proj.weight"] = torch.cat(get(index, "attention.dense.weight"), 1)
        halves = [piece.chunk(2, 0) for piece in get(index, "mlp.linear1.weight")]
        state[prefix + "mlp.up_proj.weight"] = torch.cat([up for up, _ in halves], 0)
        state[prefix + "mlp.gate_proj.weight"] = torch.cat([gate for _, gate in halves], 0)
        state[prefix + "mlp.down_proj.weight"] = torch.cat(get(index, "mlp.linear2.weight"), 1)
    state["model.norm.weight"] = get(dims.num_layers + 3, "norm.scale")[0]
    state["lm_head.weight"] = torch.cat(get(dims.num_layers + 4, "final_linear.weight"), 0)[: dims.vocab_size]
    return {name: tensor.contiguous() for name, tensor in state.items()}


def _pad_rows(weight: torch.Tensor, rows: int) -> torch.Tensor:
    """Zero rows appended up to ``rows`` (GPT-NeoX's padded vocabulary)."""
    if weight.shape[0] == rows:
        return weight
    return torch.cat([weight, weight.new_zeros(rows - weight.shape[0], *weight.shape[1:])], 0)


def _pack_qkv(state: dict[str, torch.Tensor], prefix: str, dims: LlamaDims, tp: int) -> list[torch.Tensor]:
    d, h = dims.head_dim, dims.hidden_size
    q, k, v = (state[prefix + f"self_attn.{name}_proj.weight"] for name in ("q", "k", "v"))
    if dims.num_kv_heads == dims.num_heads:
        # [n, d, h] each -> per head [q; k; v] -> ranks take consecutive heads
        per_head = torch.stack([w.reshape(dims.num_heads, d, h) for w in (q, k, v)], 1)
        return [chunk.reshape(-1, h) for chunk in per_head.chunk(tp, 0)]
    return [
        torch.cat([qr, kr, vr], 0)
        for qr, kr, vr in zip(q.chunk(tp, 0), k.chunk(tp, 0), v.chunk(tp, 0), strict=True)
    ]


def _unpack_qkv(pieces: list[torch.Tensor], prefix: str, dims: LlamaDims) -> dict[str, torch.Tensor]:
    d, h, tp = dims.head_dim, dims.hidden_size, len(pieces)
    if dims.num_kv_heads == dims.num_heads:
        per_head = torch.cat([piece.reshape(-1, 3, d, h) for piece in pieces], 0)
        q, k, v = (per_head[:, i].reshape(-1, h) for i in range(3))
    else:
        q_rows, kv_rows = dims.num_heads * d // tp, dims.num_kv_heads * d // tp
        split = [piece.split([q_rows, kv_rows, kv_rows], 0) for piece in pieces]
        q, k, v = (torch.cat([parts[i] for parts in split], 0) for i in range(3))
    return {
        prefix + "self_attn.q_proj.weight": q,
        prefix + "self_attn.k_proj.weight": k,
        prefix + "self_attn.v_proj.weight": v,
    }
