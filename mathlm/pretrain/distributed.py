"""The process's place in a ``torchrun`` launch: rank, world size, device and the process group.

One entry point serves every scale: under ``torchrun`` (one CPU process in tests, many GPU nodes under
Slurm) the launcher sets RANK/WORLD_SIZE/LOCAL_RANK/MASTER_ADDR/MASTER_PORT; a plain ``mathlm train``
gets the same variables for a world of one, so the rest of the code never asks which case it is in.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist

LAUNCH_VARIABLES = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


@dataclass(frozen=True)
class DistributedContext:
    """Where this process sits: global rank, world size, rank on its node, and the device it drives."""

    rank: int
    world_size: int
    local_rank: int
    device: torch.device
    backend: str

    @property
    def is_main(self) -> bool:
        """Rank 0 writes logs, metrics and checkpoint markers; the others stay quiet."""
        return self.rank == 0


def free_port() -> int:
    """A TCP port on loopback that is free now (for a single-process rendezvous)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_launch_environment() -> None:
    """Fill in a world of one when not started by ``torchrun`` (DeepSpeed otherwise goes looking for MPI)."""
    if all(name in os.environ for name in LAUNCH_VARIABLES):
        return
    os.environ.setdefault("RANK", "0")
    os.environ.setdefault("WORLD_SIZE", "1")
    os.environ.setdefault("LOCAL_RANK", "0")
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", str(free_port()))


def init_distributed(backend: str = "auto", collective_timeout_s: float = 600.0) -> DistributedContext:
    """Join (or create) the default process group: NCCL on GPUs, gloo on CPU unless ``backend`` says.

    ``collective_timeout_s`` is the watchdog: a collective that has not completed by then (a peer that
    died or hangs) raises on gloo and aborts the communicator on NCCL (with
    ``TORCH_NCCL_ASYNC_ERROR_HANDLING=1``), so the job ends instead of holding its GPUs idle.
    """
    ensure_launch_environment()
    local_rank = int(os.environ["LOCAL_RANK"])
    if torch.cuda.is_available():
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if backend == "auto":
        backend = "nccl" if device.type == "cuda" else "gloo"
    if not dist.is_initialized():
        dist.init_process_group(backend=backend, timeout=timedelta(seconds=collective_timeout_s))
    return DistributedContext(
        rank=dist.get_rank(),
        world_size=dist.get_world_size(),
        local_rank=local_rank,
        device=device,
        backend=backend,
    )


def shutdown_distributed() -> None:
    """After a successful run: wait for every rank, then leave the process group.

    Only for the success path: after an exception use :func:`abort_distributed`, because a barrier
    there waits for ranks that are themselves stuck in a collective with the failed one (the job hangs
    until the watchdog fires and the traceback is never seen).
    """
    if not dist.is_initialized():
        return
    dist.barrier()
    _destroy_groups()


def abort_distributed(error: BaseException, rank: int) -> None:
    """A rank failed: say which and why, then drop the process group without waiting for peers.

    Peers blocked in a collective with this rank see its connections close (gloo) or the communicator
    aborted (NCCL) and fail within seconds; ``torchrun`` then ends the remaining workers. The error
    itself propagates: its traceback is printed when it leaves the process (the CLI prints a
    :class:`~mathlm.errors.MathlmError`'s message instead).
    """
    from mathlm.errors import MathlmError

    if not isinstance(error, MathlmError):
        print(
            f"[rank {rank}] training failed ({type(error).__name__}: {error}); aborting the process group so "
            "that every rank stops",
            file=sys.stderr,
            flush=True,
        )
    if not dist.is_initialized():
        return
    try:
        if dist.get_backend() == "nccl":
            dist.distributed_c10d._abort_process_group()
        else:
            _destroy_groups()
    except Exception as teardown:  # noqa: BLE001 (the original error is the one to report)
        print(
            f"[rank {rank}] process group teardown after the failure also failed: {teardown}",
            file=sys.stderr,
            flush=True,
        )


def _destroy_groups() -> None:
    """Destroy the default group; when DeepSpeed joined it, through DeepSpeed so its sub-groups go too
    (otherwise a later run in this process would reuse groups of a destroyed world)."""
    deepspeed_comm = sys.modules.get("deepspeed.comm.comm")
    if deepspeed_comm is not None and getattr(deepspeed_comm, "cdb", None) is not None:
        deepspeed_comm.destroy_process_group()
    else:
        dist.destroy_process_group()


def barrier() -> None:
    """Wait for every rank (a no-op outside a process group)."""
    if dist.is_initialized():
        dist.barrier()


def broadcast_object(value: object) -> object:
    """Rank 0's value on every rank (for decisions that must agree, e.g. which checkpoint to resume)."""
    if not dist.is_initialized() or dist.get_world_size() == 1:
        return value
    holder = [value]
    dist.broadcast_object_list(holder, src=0)
    return holder[0]


def all_reduce_mean(value: torch.Tensor) -> torch.Tensor:
    """Average a tensor over ranks (the step's loss as every rank reports it)."""
    if dist.is_initialized() and dist.get_world_size() > 1:
        value = value.clone()
        dist.all_reduce(value, op=dist.ReduceOp.SUM)
        value /= dist.get_world_size()
    return value


def any_rank(flag: bool, device: torch.device) -> bool:
    """True on every rank when ``flag`` is true on at least one."""
    if not dist.is_initialized() or dist.get_world_size() == 1:
        return flag
    value = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


class StopSignal:
    """Asks the loop to checkpoint and stop: SIGTERM (torchrun or Slurm ending the job), SIGUSR1, or a
    request file (the Slurm job's preemption warning, written by its shell; checked by rank 0).

    Ranks may learn of it at different moments, so :meth:`requested` is a collective that agrees.
    """

    def __init__(self, device: torch.device, request_file: Path | None = None) -> None:
        self.device = device
        self.request_file = request_file
        self.reason: str | None = None
        self._previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGUSR1):
                self._previous[signum] = signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.reason = signal.Signals(signum).name
        if signum == signal.SIGTERM:
            # A second SIGTERM (an impatient user, or a launcher ending a rank stuck outside a
            # collective) ends the process: put the old handler back.
            signal.signal(signum, self._previous.pop(signum))

    def requested(self) -> bool:
        self._check_request_file()
        stop = any_rank(self.reason is not None, self.device)
        if stop and self.reason is None:
            # the request file may have appeared just after this rank looked: name it when it is there
            self._check_request_file()
            self.reason = self.reason or "a stop request on another rank"
        return stop

    def _check_request_file(self) -> None:
        if self.reason is None and self.request_file is not None and self.request_file.exists():
            self.reason = "the preemption warning"

    def restore(self) -> None:
        """Put back the handlers that were there before (runs in the same process keep theirs)."""
        for signum, previous in self._previous.items():
            signal.signal(signum, previous)
        self._previous = {}
