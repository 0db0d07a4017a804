"""Training throughput: mathlm's trainer against torchtitan's own Trainer on the same Llama, data and batch.

The peer is torchtitan (PyPI ``torchtitan`` 0.3.0, installed by ``make test`` through
``scripts/install_extras.sh``): its ``Trainer`` runs unmodified, with its own Llama 3 model, its own
``parallelize_llama`` (FSDP2), optimizer and learning-rate schedule builders. ``benchmarks/torchtitan_peer.py``
says exactly which parts are torchtitan's and which are our glue: on a machine without an accelerator a
shim lets torchtitan pick the CPU (it falls back to ``"cuda"`` and its ``Trainer`` calls
``torch.cuda.set_device``), a data loader reads our token shards, a tokenizer reports the vocabulary.

Each contender runs in its own launch of ``torch.distributed.run`` (gloo on CPU, NCCL on GPU) on 1 and on 2
processes (``--nproc``), in alternating order, ``--rounds`` times; both train the same randomly initialised
Llama shape on the same token samples with the same batch geometry (micro batch x accumulation x seq_len
= global batch, split over the ranks), dtype, learning rate and number of steps. Every rank reads the wall
and CPU clocks after each optimizer step; the first step (allocation, compilation) is excluded. Reported:
tokens/s (wall time of the slowest rank), CPU seconds per token (summed over ranks: on a shared machine
the fairer figure), MFU against the device's datasheet peak, and the ratios mathlm / torchtitan.

    python -m benchmarks.train_throughput                      # CPU: the 40M preset, fp32, 1 and 2 processes
    python -m benchmarks.train_throughput --preset llama-1b --seq-len 2048 --micro-batch 4 --accum 4 \\
        --dtype bfloat16 --nproc 1                             # one GPU (bf16)

MFU = tokens/s x (6N + 12·L·d·T) / (processes x device peak), with the vendor's datasheet dense bf16/tf32
peak on GPUs (mathlm.pretrain.metrics.GPU_PEAKS: H100/H200 SXM 989.4 TFLOP/s bf16, A100 312 TFLOP/s). A
CPU has no datasheet figure this code can know: give one with ``--peak-flops`` (FLOP/s of one process),
otherwise only the ratios are meaningful and MFU prints as n/a.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

# Python puts this script's folder first on the import path; benchmarks/ holds scripts named like
# standard modules (tokenize.py) that would shadow them.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import numpy as np  # noqa: E402 (after the path fix above)
import torch  # noqa: E402

PRESETS = {
    # name: (vocab, hidden, intermediate, layers, heads, kv heads)
    "tiny": (512, 64, 176, 2, 4, 2),
    "llama-40m": (16384, 512, 1408, 8, 8, 4),  # 40.4M parameters (16.8M of them embeddings)
    "llama-1b": (32000, 2048, 5632, 22, 32, 4),  # TinyLlama-1.1B shape
}
CONTENDERS = ("torchtitan", "mathlm")
REPO = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", choices=PRESETS, default="llama-40m")
    parser.add_argument("--seq-len", type=int, default=256)
    parser.add_argument("--micro-batch", type=int, default=2)
    parser.add_argument("--accum", type=int, default=2, help="micro-batches per step on one process")
    parser.add_argument("--steps", type=int, default=4, help="optimizer steps per run; the first is excluded")
    parser.add_argument("--nproc", type=int, nargs="+", default=[1, 2], help="process counts to run")
    parser.add_argument(
        "--rounds", type=int, default=1, help="run every contender this many times; best of each"
    )
    parser.add_argument(
        "--dtype",
        choices=["float32", "bfloat16"],
        default=None,
        help="default: bfloat16 on GPU, float32 on CPU",
    )
    parser.add_argument("--activation-checkpointing", action="store_true")
    parser.add_argument(
        "--compile", action="store_true", help="torch.compile each decoder layer (both trainers)"
    )
    parser.add_argument(
        "--peer-attention",
        choices=["sdpa", "flex"],
        default="sdpa",
        help="torchtitan's attention: its SDPA module (the kernel mathlm uses) or FlexAttention (CUDA only)",
    )
    parser.add_argument("--peak-flops", type=float, default=None, help="datasheet peak FLOP/s of one process")
    # set by the parent for the processes it launches
    parser.add_argument("--worker", choices=CONTENDERS, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def write_tokens(root: Path, vocab: int, num_tokens: int) -> None:
    """One shard of random token ids: throughput does not depend on what the tokens say."""
    from mathlm.shards.indexed import IndexedDatasetWriter, token_dtype

    rng = np.random.default_rng(0)
    with IndexedDatasetWriter(root / "tokens", token_dtype(vocab)) as writer:
        docs = -(-num_tokens // 1000)
        writer.add_documents(rng.integers(0, vocab, size=docs * 1000), np.full(docs, 1000, dtype=np.int64))


def trainer_config(args: argparse.Namespace, root: Path, run_dir: Path):  # -> TrainConfig
    """mathlm's config of the run; torchtitan's is derived from it (benchmarks/torchtitan_peer.py)."""
    from mathlm.config import validate_config
    from mathlm.pretrain.config import TrainConfig

    vocab, hidden, inter, layers, heads, kv = PRESETS[args.preset]
    return validate_config(
        {
            "run_dir": str(run_dir),
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
                "attention": "sdpa",
                "activation_checkpointing": args.activation_checkpointing,
                "compile": args.compile,
                "dtype": args.dtype or "auto",
            },
            "engine": {"kind": "fsdp2"},
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


def run_worker(args: argparse.Namespace) -> None:
    """One rank of one contender's launch: train, then write this rank's (wall, CPU) clock after each step."""
    from mathlm.pretrain.model import compute_dtype

    rank = int(os.environ.get("RANK", "0"))
    cfg = trainer_config(args, args.root, args.out.parent / f"{args.out.name}-run")
    out = args.out.parent / f"{args.out.name}-rank{rank}.json"
    if args.worker == "torchtitan":
        from benchmarks.torchtitan_peer import run_torchtitan

        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        run_torchtitan(cfg, compute_dtype(cfg.model, device), args.peer_attention, out)
        return

    from mathlm.pretrain import trainer

    stamps: list[tuple[float, float]] = []
    measure = trainer.Throughput.measure

    def stamped(self, tokens: int, seconds: float) -> dict[str, float]:
        # the trainer measures each step right after it (a GPU step has synchronised: the loss was read)
        stamps.append((time.perf_counter(), time.process_time()))
        return measure(self, tokens, seconds)

    trainer.Throughput.measure = stamped
    trainer.train(cfg)
    out.write_text(json.dumps({"stamps": stamps}))


@dataclass
class Measurement:
    tokens_per_s: float
    cpu_s_per_token: float


def launch(contender: str, nproc: int, args: argparse.Namespace, root: Path, name: str) -> Measurement:
    """Run one contender on ``nproc`` processes under torch.distributed.run; its steady-state figures."""
    passed = [
        *("--preset", args.preset, "--seq-len", str(args.seq_len), "--micro-batch", str(args.micro_batch)),
        *("--accum", str(args.accum), "--steps", str(args.steps)),
        *(["--dtype", args.dtype] if args.dtype else []),
        *(["--activation-checkpointing"] if args.activation_checkpointing else []),
        *(["--compile"] if args.compile else []),
        *("--peer-attention", args.peer_attention),
    ]
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc-per-node={nproc}",
        "-m",
        "benchmarks.train_throughput",
        *passed,
        *("--worker", contender, "--root", str(root), "--out", str(root / name)),
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    env.setdefault("HF_HUB_OFFLINE", "1")
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{contender} on {nproc} process(es) failed:\n{done.stdout[-4000:]}\n{done.stderr[-8000:]}")
    stamps = [json.loads((root / f"{name}-rank{r}.json").read_text())["stamps"] for r in range(nproc)]
    steady_steps = len(stamps[0]) - 1
    if steady_steps < 1:
        sys.exit(
            f"{contender} ran {len(stamps[0])} step(s); --steps must be at least 2 (the first is excluded)"
        )
    tokens = steady_steps * args.seq_len * args.micro_batch * args.accum
    wall = max(s[-1][0] - s[0][0] for s in stamps)
    cpu = sum(s[-1][1] - s[0][1] for s in stamps)
    return Measurement(tokens / wall, cpu / tokens)


def model_flops_per_token(cfg, seq_len: int) -> float:
    """FLOPs/token of the preset, counted from its shape."""
    from mathlm.pretrain.metrics import flops_per_token, matmul_parameters_of
    from mathlm.pretrain.model import llama_config

    config = llama_config(cfg.model).to_dict()
    return flops_per_token(
        matmul_parameters_of(config), config["num_hidden_layers"], config["hidden_size"], seq_len
    )


def machine() -> str:
    """What the figures were measured on."""
    if torch.cuda.is_available():
        return torch.cuda.get_device_name()
    from benchmarks.torchtitan_peer import cpu_model_name

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{cpu_model_name()}, {os.cpu_count()} logical CPUs, load average {load}"


def main() -> None:
    args = parse_args()
    if args.worker:
        run_worker(args)
        return
    from mathlm.pretrain.metrics import device_peak_flops
    from mathlm.pretrain.model import compute_dtype

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cfg = trainer_config(args, root, root / "run")
        dtype = compute_dtype(cfg.model, device)
        write_tokens(
            root, cfg.model.shape.vocab_size, max(200_000, 2 * args.steps * cfg.data.global_batch_tokens)
        )
        fpt = model_flops_per_token(cfg, args.seq_len)
        best: dict[tuple[str, int], Measurement] = {}
        for round_ in range(args.rounds):
            for nproc in args.nproc:
                # alternate who goes first, so neither is always the one that runs on a cold page cache
                order = CONTENDERS if round_ % 2 == 0 else CONTENDERS[::-1]
                for contender in order:
                    got = launch(contender, nproc, args, root, f"{contender}-n{nproc}-r{round_}")
                    print(
                        f"round {round_ + 1}: {contender} on {nproc} process(es): {got.tokens_per_s:.1f} tokens/s, "
                        f"{got.cpu_s_per_token * 1e3:.2f} CPU ms/token",
                        flush=True,
                    )
                    seen = best.get((contender, nproc))
                    best[(contender, nproc)] = Measurement(
                        max(got.tokens_per_s, seen.tokens_per_s if seen else 0.0),
                        min(got.cpu_s_per_token, seen.cpu_s_per_token if seen else float("inf")),
                    )
        peak, source = device_peak_flops(device, dtype, args.peak_flops)
    vocab, hidden, inter, layers, heads, kv = PRESETS[args.preset]
    print(
        f"\nmachine: {machine()}; torch {torch.__version__}, torchtitan {version('torchtitan')}\n"
        f"model: preset {args.preset} (vocab {vocab}, hidden {hidden}, intermediate {inter}, {layers} layers, "
        f"{heads} heads, {kv} kv heads); dtype {dtype}; seq_len {args.seq_len}; global batch "
        f"{args.micro_batch} x {args.accum} x {args.seq_len} tokens; {args.steps} steps (first excluded); "
        f"best of {args.rounds} round(s)\n"
        f"model FLOPs/token {fpt:.4g}; peak {peak:.4g} FLOP/s per process ({source})\n"
    )
    print(f"{'trainer':<12}{'procs':>6}{'tokens/s':>11}{'CPU ms/token':>14}{'MFU':>8}")
    for nproc in args.nproc:
        for contender in CONTENDERS:
            got = best[(contender, nproc)]
            mfu = got.tokens_per_s * fpt / (peak * nproc)
            print(
                f"{contender:<12}{nproc:>6}{got.tokens_per_s:>11.1f}{got.cpu_s_per_token * 1e3:>14.2f}"
                f"{(f'{mfu:.2%}' if mfu == mfu else 'n/a'):>8}"
            )
    print()
    for nproc in args.nproc:
        ours, peer = best[("mathlm", nproc)], best[("torchtitan", nproc)]
        print(
            f"mathlm / torchtitan on {nproc} process(es): tokens/s {ours.tokens_per_s / peer.tokens_per_s:.3f}, "
            f"CPU time per token {ours.cpu_s_per_token / peer.cpu_s_per_token:.3f} (below 1: mathlm spends less)"
        )


if __name__ == "__main__":
    main()
