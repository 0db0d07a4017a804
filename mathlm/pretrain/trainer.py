"""The continued-pretraining loop, top to bottom: model, engine, resume, data, steps, checkpoints, metrics.

Every process of a ``torchrun`` launch runs :func:`train` (one CPU process in tests, many GPUs under
Slurm). Rank 0 alone writes logs, metrics and checkpoint markers.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from mathlm.config import dump_config
from mathlm.console import console, progress, summary_table
from mathlm.errors import MathlmError
from mathlm.pretrain import checkpoint as ckpt
from mathlm.pretrain.config import TrainConfig
from mathlm.pretrain.data import BatchPlan, gradient_accumulation, open_mixture
from mathlm.pretrain.distributed import (
    DistributedContext,
    StopSignal,
    abort_distributed,
    all_reduce_mean,
    barrier,
    broadcast_object,
    init_distributed,
    shutdown_distributed,
)
from mathlm.pretrain.engine import Engine, build_engine
from mathlm.pretrain.metrics import (
    MetricsLogger,
    Throughput,
    device_peak_flops,
    flops_per_token,
    matmul_parameters_of,
)
from mathlm.pretrain.model import compute_dtype, llama_config
from mathlm.pretrain.parallel import Layout, build_layout
from mathlm.pretrain.run_lock import RunLock


class NonFiniteLossError(MathlmError):
    """The loss became NaN or infinite: training stops instead of writing a poisoned checkpoint."""


@dataclass
class TrainSummary:
    """What a finished run reports (also returned to the quickstart and the tests)."""

    run_dir: Path
    steps: int
    tokens: int
    final_loss: float
    eval_loss_start: float | None
    eval_loss_end: float | None
    tokens_per_s: float
    mfu: float
    last_checkpoint: Path | None
    resumed_from: Path | None


def train(cfg: TrainConfig) -> TrainSummary:
    """Run (or resume) the training the config describes; every rank of the launch calls this."""
    ctx = init_distributed(cfg.engine.backend, cfg.engine.collective_timeout_s)
    lock = RunLock(cfg.run_dir) if ctx.is_main else None
    try:
        summary = _train(cfg, ctx, lock)
    except BaseException as error:
        abort_distributed(error, ctx.rank)
        raise
    finally:
        if lock:
            lock.release()
    shutdown_distributed()
    return summary


def _train(cfg: TrainConfig, ctx: DistributedContext, lock: RunLock | None) -> TrainSummary:
    layout = build_layout(cfg.engine, ctx.world_size, ctx.rank, ctx.device)
    grad_accum = gradient_accumulation(cfg.data, layout.dp_size)
    total_steps = cfg.schedule.steps
    owner = broadcast_object(lock.acquire() if lock else None)
    if owner is not None:
        raise MathlmError(
            f"run directory {cfg.run_dir} is in use by another training run ({owner}); wait for it "
            "to end or choose another run_dir"
        )
    if ctx.is_main:
        dump_config(cfg, cfg.run_dir / "config.yaml")
        (cfg.run_dir / ckpt.PREEMPTED_MARKER).unlink(missing_ok=True)
    barrier()

    # Model (on the meta device: nothing allocated yet) and engine (shards it, then reads the weights).
    dtype = compute_dtype(cfg.model, ctx.device)
    model_config = llama_config(cfg.model).to_dict()
    throughput = Throughput(
        flops_per_token=flops_per_token(
            matmul_parameters_of(model_config),
            model_config["num_hidden_layers"],
            model_config["hidden_size"],
            cfg.data.seq_len,
        ),
        peak_flops=0.0,
        world_size=ctx.world_size,
    )

    # Resume: model, optimizer, scheduler, data position and RNG.
    state = ckpt.TrainerState(engine=cfg.engine.kind, world_size=ctx.world_size)
    resume_from = broadcast_object(_resume_source(cfg))
    if resume_from is not None:
        state = ckpt.read_state(resume_from)
    if state.step >= total_steps:
        if ctx.is_main:
            console.print(
                f"run {cfg.run_dir} already finished: {resume_from} is at step {state.step} >= "
                f"schedule.total_steps {total_steps}; nothing to do (raise schedule.total_steps to train "
                "further)"
            )
        return _summarise(cfg, state, float("nan"), None, None, [], resume_from, resume_from)
    engine = build_engine(
        cfg.model,
        cfg.engine,
        cfg.optim,
        cfg.schedule,
        layout,
        ctx.device,
        ctx.rank,
        dtype,
        cfg.data.micro_batch_size,
        grad_accum,
    )
    if resume_from is not None:
        state = ckpt.load_checkpoint(engine, resume_from, model_config, cfg.engine.kind, ctx)
        state.world_size = ctx.world_size

    # Data: the samples this run can read, plus held-out batches for eval loss. Ranks of one tensor-parallel
    # group read the same samples.
    vocab = model_config["vocab_size"]
    samples = total_steps * cfg.data.global_batch_samples
    train_data = BatchPlan(
        open_mixture(cfg.data.mixture, cfg.data, samples, cfg.data.seed),
        cfg.data,
        layout.dp_rank,
        layout.dp_size,
        vocab,
        ctx.device,
    )
    eval_data = None
    if cfg.data.eval_mixture is not None:
        eval_data = BatchPlan(
            open_mixture(cfg.data.eval_mixture, cfg.data, cfg.data.eval_samples, cfg.data.seed),
            cfg.data,
            layout.dp_rank,
            layout.dp_size,
            vocab,
            ctx.device,
        )

    throughput.peak_flops, peak_source = device_peak_flops(ctx.device, dtype, cfg.logging.device_peak_flops)
    logger = _start_logging(cfg, ctx, layout, throughput, peak_source, grad_accum, resume_from)

    eval_start = _evaluate(engine, eval_data)
    if logger and eval_start is not None:
        logger.log(state.step, {"eval_loss": eval_start})
    checkpointer = ckpt.Checkpointer(
        engine,
        model_config,
        cfg.run_dir,
        cfg.checkpoint.keep_last,
        ctx,
        cfg.checkpoint.async_save,
        latest=resume_from,
    )
    loss = float("nan")
    skipped_in_a_row = 0
    rates: list[dict[str, float]] = []
    stopped = False  # by a stop request every rank agreed on
    stop = StopSignal(ctx.device, cfg.run_dir / ckpt.PREEMPT_REQUEST)
    bar = progress() if ctx.is_main and cfg.logging.progress else None
    task = bar.add_task("training", total=total_steps, completed=state.step) if bar else None
    try:
        if bar:
            bar.start()
        while state.step < total_steps:
            started = time.perf_counter()
            lr = (
                engine.lr()
            )  # the rate this step's update uses (read before the engine advances its schedule)
            micro_losses = [
                engine.forward_backward(tokens, last_micro_batch=i == grad_accum - 1)
                for i, tokens in enumerate(train_data.micro_batches(state.samples_seen))
            ]
            loss = float(all_reduce_mean(torch.stack(micro_losses).mean()))
            skip = not math.isfinite(
                loss
            )  # the same on every rank: the mean of a non-finite loss is non-finite
            grad_norm = engine.step(skip)
            state.step += 1
            state.samples_seen += cfg.data.global_batch_samples
            state.tokens_seen += cfg.data.global_batch_tokens
            rate = throughput.measure(cfg.data.global_batch_tokens, time.perf_counter() - started)
            rates.append(rate)
            if skip:
                state.skipped_steps += 1
                skipped_in_a_row += 1
                if ctx.is_main:
                    console.print(
                        f"[yellow]step {state.step}: loss is {loss}; update skipped[/] "
                        f"({skipped_in_a_row} in a row, {state.skipped_steps} in the run)"
                    )
                if skipped_in_a_row >= cfg.optim.max_skipped_steps:
                    raise NonFiniteLossError(
                        f"loss is {loss} at step {state.step}, the {skipped_in_a_row}th skipped step in a row; "
                        f"stopped without saving. Last good checkpoint: {checkpointer.latest or 'none'}. Lower "
                        "optim.lr or raise schedule.warmup_steps and resume from it"
                    )
            else:
                skipped_in_a_row = 0

            if logger and state.step % cfg.logging.every == 0:
                logger.log(
                    state.step,
                    {
                        "loss": loss,
                        "lr": lr,
                        "grad_norm": grad_norm,
                        "skipped": skip,
                        "tokens": state.tokens_seen,
                        **rate,
                    },
                )
            checkpointer.poll()  # a background save whose writes all ended becomes the latest checkpoint
            stopping = stop.requested()
            # no checkpoint right after a skipped update: the weights may be what made the loss non-finite
            if (state.step % cfg.checkpoint.every == 0 or state.step == total_steps or stopping) and not skip:
                # The last save of the run and the preemption save block: the process ends right after
                # them, so writing in the background would only add a staging copy to the same wait.
                checkpointer.save(state, blocking=stopping or state.step == total_steps)
            if stopping:
                checkpointer.wait()  # a background save still in flight (when this step saved nothing)
                if ctx.is_main:
                    ckpt.mark_preempted(cfg.run_dir, state.step)
                    console.print(
                        f"[yellow]stopped by {stop.reason} after step {state.step}[/]; saved "
                        f"{checkpointer.latest}; run again (or let Slurm requeue) to resume"
                    )
                stopped = True
                break
            if (
                eval_data
                and cfg.logging.eval_every
                and state.step % cfg.logging.eval_every == 0
                and state.step != total_steps
            ):
                value = _evaluate(engine, eval_data)
                if logger:
                    logger.log(state.step, {"eval_loss": value})
            if bar:
                bar.update(task, completed=state.step, description=f"training loss {loss:.3f}")
    finally:
        stop.restore()
        if bar:
            bar.stop()
    checkpointer.wait()
    # a stopped run ends now: the time before the kill is for the save, not for an eval pass
    eval_end = None if stopped else _evaluate(engine, eval_data)
    if logger:
        if eval_end is not None:
            logger.log(state.step, {"eval_loss": eval_end})
        logger.close()
    summary = _summarise(cfg, state, loss, eval_start, eval_end, rates, checkpointer.latest, resume_from)
    if ctx.is_main:
        _print_summary(summary)
    return summary


def _resume_source(cfg: TrainConfig) -> Path | None:
    """The checkpoint to resume from: a path named in the config, the run's latest, or none."""
    if cfg.checkpoint.resume == "never":
        return None
    if cfg.checkpoint.resume == "auto":
        return ckpt.latest_checkpoint(cfg.run_dir)
    return ckpt.resolve_checkpoint(Path(cfg.checkpoint.resume))


def _evaluate(engine: Engine, eval_data: BatchPlan | None) -> float | None:
    """Mean loss over the held-out samples (every rank computes all of them, so the value agrees)."""
    if eval_data is None:
        return None
    losses = [engine.eval_loss(tokens) for tokens in eval_data.all_batches()]
    return float(torch.stack(losses).mean())


def _start_logging(
    cfg: TrainConfig,
    ctx: DistributedContext,
    layout: Layout,
    throughput: Throughput,
    peak_source: str,
    grad_accum: int,
    resume_from: Path | None,
) -> MetricsLogger | None:
    """Rank 0 states the run's geometry and the MFU basis, then opens the metric sinks."""
    if not ctx.is_main:
        return None
    console.print(
        f"[bold]train[/] {cfg.run_dir}: engine {cfg.engine.kind}"
        f"{f' ZeRO-{cfg.engine.zero_stage}' if cfg.engine.kind == 'deepspeed' else ''}, {ctx.world_size} rank(s) "
        f"on {ctx.device.type} ({ctx.backend}), {layout.describe()}, global batch {cfg.data.global_batch_tokens:,} "
        f"tokens = {layout.dp_size} data-parallel x {cfg.data.micro_batch_size} x {grad_accum} accumulation x "
        f"{cfg.data.seq_len}" + (f"; resuming from {resume_from}" if resume_from else "")
    )
    console.print(
        f"MFU basis: {throughput.flops_per_token:.4g} FLOPs/token (6N + 12·L·d·T); device peak "
        f"{throughput.peak_flops:.4g} FLOP/s ({peak_source})"
    )
    return MetricsLogger(
        cfg.run_dir,
        cfg.logging.tensorboard,
        cfg.logging.wandb,
        cfg.logging.wandb_project,
        cfg.model_dump(mode="json"),
    )


def _summarise(
    cfg: TrainConfig,
    state: ckpt.TrainerState,
    loss: float,
    eval_start: float | None,
    eval_end: float | None,
    rates: list[dict[str, float]],
    last_checkpoint: Path | None,
    resume_from: Path | None,
) -> TrainSummary:
    # The first step includes warm-up work (allocations, compilation): report the rest when there is a rest.
    steady = rates[1:] or rates
    mean = (
        {key: sum(r[key] for r in steady) / len(steady) for key in ("tokens_per_s", "mfu")}
        if steady
        else {"tokens_per_s": float("nan"), "mfu": float("nan")}
    )
    return TrainSummary(
        run_dir=cfg.run_dir,
        steps=state.step,
        tokens=state.tokens_seen,
        final_loss=loss,
        eval_loss_start=eval_start,
        eval_loss_end=eval_end,
        tokens_per_s=mean["tokens_per_s"],
        mfu=mean["mfu"],
        last_checkpoint=last_checkpoint,
        resumed_from=resume_from,
    )


def _print_summary(summary: TrainSummary) -> None:
    rows: list[dict[str, Any]] = [
        {"metric": key, "value": value} for key, value in asdict(summary).items() if value is not None
    ]
    console.print(summary_table("training summary", rows))
