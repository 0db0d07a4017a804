"""How long a checkpoint save holds up the training loop: ``checkpoint.async_save`` against DCP's own
synchronous ``save`` (the peer), on the same FSDP2 model and optimizer state, in one run.

Both go through mathlm's Checkpointer (staging directory, RNG and trainer state, ``COMPLETE`` marker), so
the difference is the engine's write: ``torch.distributed.checkpoint.save`` blocks until the files are
written; ``async_save`` blocks only for the copy of the shards to host memory and writes in a thread.
Printed per round: the time the loop was blocked (wall, and CPU of this process) and the time until the
checkpoint was complete; then the ratio of the blocked times (async / sync, best of the rounds).

    python -m benchmarks.checkpoint_save                     # 58 M parameters, 0.7 GB of fp32 state
    python -m benchmarks.checkpoint_save --layers 16 --rounds 3
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

# Python puts this script's folder first on the import path; benchmarks/ holds scripts named like
# standard modules (tokenize.py) that would shadow them.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import torch  # noqa: E402 (after the path fix above)

from mathlm.assets import CONFIGS_DIR  # noqa: E402
from mathlm.config import load_config  # noqa: E402
from mathlm.pretrain import checkpoint as ckpt  # noqa: E402
from mathlm.pretrain.config import TrainConfig  # noqa: E402
from mathlm.pretrain.distributed import init_distributed, shutdown_distributed  # noqa: E402
from mathlm.pretrain.engine import build_engine  # noqa: E402
from mathlm.pretrain.model import compute_dtype, llama_config  # noqa: E402
from mathlm.pretrain.parallel import build_layout  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--vocab", type=int, default=32000)
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument(
        "--rounds", type=int, default=2, help="alternate sync and async saves this many times"
    )
    return parser.parse_args()


def timed_save(checkpointer: ckpt.Checkpointer, step: int) -> tuple[float, float, float]:
    """(loop blocked wall s, loop blocked CPU s of this process, s until the checkpoint is complete)."""
    wall, cpu = time.perf_counter(), time.process_time()
    checkpointer.save(ckpt.TrainerState(step=step), blocking=False)
    blocked_wall, blocked_cpu = time.perf_counter() - wall, time.process_time() - cpu
    checkpointer.wait()
    return blocked_wall, blocked_cpu, time.perf_counter() - wall


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="mathlm-ckpt-bench-") as tmp:
        run_dir = Path(tmp) / "run"
        heads = max(1, args.hidden // 64)
        cfg = load_config(
            CONFIGS_DIR / "train" / "tiny.yaml",
            TrainConfig,
            [
                f"run_dir={run_dir}",
                f"model.shape.vocab_size={args.vocab}",
                f"model.shape.hidden_size={args.hidden}",
                f"model.shape.intermediate_size={args.hidden * 11 // 4}",
                f"model.shape.num_layers={args.layers}",
                f"model.shape.num_heads={heads}",
                f"model.shape.num_kv_heads={heads}",
            ],
        )
        ctx = init_distributed(cfg.engine.backend)
        dtype = compute_dtype(cfg.model, ctx.device)
        layout = build_layout(cfg.engine, ctx.world_size, ctx.rank, ctx.device)
        engine = build_engine(
            cfg.model, cfg.engine, cfg.optim, cfg.schedule, layout, ctx.device, ctx.rank, dtype, 2, 1
        )
        # one real step, so that the optimizer state (AdamW moments) exists and is saved
        engine.forward_backward(
            torch.randint(0, args.vocab, (2, 33), device=ctx.device), last_micro_batch=True
        )
        engine.step(skip=False)
        params = sum(p.numel() for p in engine.model.parameters())
        print(
            f"{params / 1e6:.1f} M parameters, {3 * params * 4 / 1e9:.2f} GB of fp32 weights + AdamW state, "
            f"{ctx.world_size} process(es) on {ctx.device.type}"
        )
        model_config = llama_config(cfg.model).to_dict()
        blocked: dict[str, list[float]] = {"sync": [], "async": []}
        step = 0
        for _ in range(args.rounds):
            for mode in ("sync", "async"):
                step += 1
                saver = ckpt.Checkpointer(engine, model_config, run_dir, 1, ctx, mode == "async", None)
                wall, cpu, complete = timed_save(saver, step)
                blocked[mode].append(wall)
                print(
                    f"{mode:>5}: loop blocked {wall:6.2f} s wall ({cpu:5.2f} s CPU of this process); "
                    f"complete after {complete:6.2f} s"
                )
        print(
            f"ratio blocked async / sync (best of {args.rounds}): {min(blocked['async']) / min(blocked['sync']):.2f}"
        )
        shutdown_distributed()


if __name__ == "__main__":
    main()
