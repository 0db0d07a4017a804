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


def init_distributed(backend: str = "auto") -> DistributedContext:
    """Join (or create) the default process group: NCCL on GPUs, gloo on CPU unless ``backend`` says."""
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
        dist.init_process_group(backend=backend, timeout=timedelta(minutes=30))
    return DistributedContext(rank=dist.get_rank(), world_size=dist.get_world_size(), local_rank=local_rank,
                              device=device, backend=backend)


def shutdown_distributed() -> None:
    """Leave the process group so that a later run in the same process can form a new one.

    When DeepSpeed joined the group it keeps its own references to sub-groups; its teardown drops them,
    otherwise the next run in this process would reuse groups of a destroyed world.
    """
    if not dist.is_initialized():
        return
    dist.barrier()
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
    """SIGTERM (Slurm preemption or time limit, torchrun shutting down) asks the loop to checkpoint and stop.

    Ranks may get the signal at different moments, so :meth:`requested` is a collective that agrees.
    """

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.received = False
        self._previous = None
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGTERM, self._on_signal)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.received = True

    def requested(self) -> bool:
        return any_rank(self.received, self.device)

    def restore(self) -> None:
        """Put back the handler that was there before (runs in the same process keep theirs)."""
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)
