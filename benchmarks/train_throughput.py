"""Training throughput: mathlm's trainer against a hand-written FSDP2 loop on the same model, in one run.

The peer. torchtitan (PyPI 0.3.0) is the reference PyTorch-native trainer, but it cannot run without an
accelerator: ``torchtitan.tools.utils.get_device_info()`` falls back to ``"cuda"`` when none is present and
its ``Trainer`` then calls ``torch.cuda.set_device`` (``trainer.py``), which fails on a CPU build of torch
(``torch._C`` has no ``_cuda_setDevice``). The peer here is therefore the strongest loop that runs on
both CPU and GPU: what torchtitan does for a Llama, written out with PyTorch's own APIs on the same Hugging
Face model: ``fully_shard`` per decoder layer and at the root (same mixed-precision policy: compute dtype
weights, fp32 reduction), torch AdamW (fused on GPU, foreach on CPU), clipping, gradient accumulation; no
data pipeline, no logging, no checkpoint bookkeeping. The ratio is mathlm's overhead over that floor.

Both train the same randomly initialised Llama on the same token samples with the same batch geometry
(micro batch x accumulation x seq_len); both report tokens/s over the steps after the first (which pays
for allocation and compilation).

    python -m benchmarks.train_throughput                      # CPU: small model, fp32 (ratio only)
    python -m benchmarks.train_throughput --preset llama-1b --seq-len 2048 --micro-batch 4 --accum 4 \\
        --dtype bfloat16 --activation-checkpointing --compile  # one GPU (bf16, SDPA, torch.compile)

MFU = tokens/s x (6N + 12·L·d·T) / device peak, on GPUs only, with the vendor's datasheet dense bf16/tf32
peak (mathlm.pretrain.metrics.GPU_PEAKS: H100/H200 SXM 989.4 TFLOP/s bf16, A100 312 TFLOP/s). A CPU has
no datasheet figure this code can know, so on CPU only the ratio to the peer is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

# Python puts this script's folder first on the import path; benchmarks/ holds scripts named like
# standard modules (tokenize.py) that would shadow them.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402 (after the path fix above)
import torch  # noqa: E402

PRESETS = {
    # name: (vocab, hidden, intermediate, layers, heads, kv heads)
    "tiny": (512, 64, 176, 2, 4, 2),
    "small": (8192, 256, 704, 4, 8, 4),
    "llama-1b": (32000, 2048, 5632, 22, 32, 4),  # TinyLlama-1.1B shape
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", choices=PRESETS, default="small")
    parser.add_argument("--seq-len", type=int, default=256)
    parser.add_argument("--micro-batch", type=int, default=4)
    parser.add_argument("--accum", type=int, default=2)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternate peer and trainer this many times; best of each"
    )
    parser.add_argument(
        "--dtype",
        choices=["float32", "bfloat16"],
        default=None,
        help="default: bfloat16 on GPU, float32 on CPU",
    )
    parser.add_argument("--engine", choices=["fsdp2", "deepspeed"], default="fsdp2")
    parser.add_argument("--attention", choices=["sdpa", "eager", "flash_attention_2"], default="sdpa")
    parser.add_argument("--activation-checkpointing", action="store_true")
    parser.add_argument(
        "--compile", action="store_true", help="torch.compile each decoder layer (both loops)"
    )
    return parser.parse_args()


def write_tokens(root: Path, vocab: int, num_tokens: int) -> None:
    """One shard of random token ids: throughput does not depend on what the tokens say."""
    from mathlm.shards.indexed import IndexedDatasetWriter, token_dtype

    rng = np.random.default_rng(0)
    with IndexedDatasetWriter(root / "tokens", token_dtype(vocab)) as writer:
        docs = -(-num_tokens // 1000)
        writer.add_documents(rng.integers(0, vocab, size=docs * 1000), np.full(docs, 1000, dtype=np.int64))


def trainer_config(args: argparse.Namespace, root: Path):  # -> TrainConfig
    from mathlm.config import validate_config
    from mathlm.pretrain.config import TrainConfig

    vocab, hidden, inter, layers, heads, kv = PRESETS[args.preset]
    return validate_config(
        {
            "run_dir": str(root / "run"),
            "model": {
                "shape": {
                    "vocab_size": vocab,
                    "hidden_size": hidden,
                    "intermediate_size": inter,
                    "num_layers": layers,
                    "num_heads": heads,
                    "num_kv_heads": kv,
                    "max_position_embeddings": max(args.seq_len, 2048),
                },
                "attention": args.attention,
                "activation_checkpointing": args.activation_checkpointing,
                "compile": args.compile,
                "dtype": args.dtype or "auto",
            },
            "engine": {"kind": args.engine},
            "optim": {"lr": 1e-4},
            "schedule": {"warmup_steps": 1, "decay_steps": args.steps},
            "data": {
                "seq_len": args.seq_len,
                "micro_batch_size": args.micro_batch,
                "global_batch_tokens": args.seq_len * args.micro_batch * args.accum,
                "mixture": {
                    "root": str(root),
                    "sources": [{"name": "random", "weight": 1, "paths": ["tokens"]}],
                },
            },
            "checkpoint": {"every": 10**9, "keep_last": 1, "resume": "never"},
            "logging": {"tensorboard": False, "progress": False},
        },
        TrainConfig,
    )


def fsdp2_loop(cfg, device: torch.device, dtype: torch.dtype, steps: int, accum: int) -> float:
    """tokens/s of a bare FSDP2 loop around the same LlamaForCausalLM (the process group is already up)."""
    import torch.nn.functional as F
    from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard

    from mathlm.pretrain.data import open_mixture
    from mathlm.pretrain.model import build_model, materialize, weight_source

    model = build_model(cfg.model)
    policy = MixedPrecisionPolicy(param_dtype=dtype, reduce_dtype=torch.float32)
    for layer in model.model.layers:
        if cfg.model.compile:
            layer.compile()
        fully_shard(layer, mp_policy=policy)
    fully_shard(model, mp_policy=policy)
    materialize(model, weight_source(cfg.model), device)
    fused = device.type == "cuda"
    optimizer = torch.optim.AdamW(
        model.parameters(),
        lr=1e-4,
        betas=(0.9, 0.95),
        weight_decay=0.1,
        fused=fused or None,
        foreach=None if fused else True,
    )
    samples = open_mixture(cfg.data.mixture, cfg.data, steps * cfg.data.global_batch_samples, cfg.data.seed)
    mb = cfg.data.micro_batch_size
    times = []
    for step in range(steps):
        started = time.perf_counter()
        for micro in range(accum):
            first = (step * accum + micro) * mb
            batch = torch.from_numpy(np.stack([samples[i] for i in range(first, first + mb)])).to(device)
            logits = model(input_ids=batch[:, :-1]).logits
            loss = F.cross_entropy(logits.float().flatten(0, 1), batch[:, 1:].flatten())
            (loss / accum).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - started)
    steady = times[1:] or times
    return cfg.data.global_batch_tokens / (sum(steady) / len(steady))


def model_flops_per_token(cfg, seq_len: int) -> float:
    """FLOPs/token of the preset, counted from its shape."""
    from mathlm.pretrain.metrics import flops_per_token, matmul_parameters_of
    from mathlm.pretrain.model import llama_config

    config = llama_config(cfg.model).to_dict()
    return flops_per_token(
        matmul_parameters_of(config), config["num_hidden_layers"], config["hidden_size"], seq_len
    )


def main() -> None:
    args = parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from mathlm.pretrain.distributed import init_distributed, shutdown_distributed
    from mathlm.pretrain.metrics import device_peak_flops
    from mathlm.pretrain.model import compute_dtype
    from mathlm.pretrain.trainer import train

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cfg = trainer_config(args, root)
        dtype = compute_dtype(cfg.model, device)
        write_tokens(
            root, cfg.model.shape.vocab_size, max(2_000_000, 2 * args.steps * cfg.data.global_batch_tokens)
        )
        fpt = model_flops_per_token(cfg, args.seq_len)
        # Alternate the two, best of --rounds each: the first runs in a process pay for warm-up (allocator,
        # kernels) that a single ordered pair would charge to whichever runs first.
        ours = peer = 0.0
        for _ in range(args.rounds):
            init_distributed()
            try:
                peer = max(peer, fsdp2_loop(cfg, device, dtype, args.steps, args.accum))
            finally:
                shutdown_distributed()
            ours = max(ours, train(cfg).tokens_per_s)
        peak, source = device_peak_flops(device, dtype, None)
    name = (
        torch.cuda.get_device_name() if device.type == "cuda" else f"CPU ({torch.get_num_threads()} threads)"
    )
    print(
        f"\ndevice: {name}; dtype {dtype}; preset {args.preset}; seq_len {args.seq_len}; "
        f"batch {args.micro_batch} x {args.accum} accumulation; {args.steps} steps (first excluded); "
        f"best of {args.rounds} alternating rounds"
    )
    print(f"model FLOPs/token {fpt:.4g}; peak {peak:.4g} FLOP/s ({source})")
    print(f"{'loop':<30}{'tokens/s':>12}{'MFU':>10}")
    for label, rate in ((f"mathlm trainer ({args.engine})", ours), ("plain FSDP2 loop (peer)", peer)):
        mfu = f"{rate * fpt / peak:.2%}" if peak == peak else "n/a"
        print(f"{label:<30}{rate:>12.1f}{mfu:>10}")
    print(f"ratio mathlm / plain FSDP2 loop: {ours / peer:.3f}")


if __name__ == "__main__":
    main()
