"""``mathlm train`` under torchrun with one rank made faulty at a chosen step (a test program, not a test).

    torchrun ... faulty_rank.py {raise|hang} RANK STEP -- train CONFIG --set ...

``raise``: that rank's forward pass raises at that optimizer step, as a bug or a bad node would.
``hang``: that rank blocks in a receive that no peer ever matches, as a stuck collective would.
"""

from __future__ import annotations

import os
import sys

import torch
import torch.distributed as dist

from mathlm.cli import main
from mathlm.pretrain import engine

mode, faulty_rank, faulty_step = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sys.argv = [sys.argv[0], *sys.argv[sys.argv.index("--") + 1 :]]
original = engine.FSDP2Engine.forward_backward
calls = {"micro_batches": 0}


def faulty_forward_backward(
    self: engine.FSDP2Engine, tokens: torch.Tensor, last_micro_batch: bool
) -> torch.Tensor:
    calls["micro_batches"] += 1
    step = (calls["micro_batches"] - 1) // self.grad_accum + 1
    if int(os.environ["RANK"]) == faulty_rank and step == faulty_step:
        if mode == "raise":
            raise RuntimeError(f"injected failure on rank {faulty_rank} at step {faulty_step}")
        dist.recv(torch.zeros(1), src=(faulty_rank + 1) % dist.get_world_size())  # never sent
    return original(self, tokens, last_micro_batch)


engine.FSDP2Engine.forward_backward = faulty_forward_backward  # type: ignore[method-assign]
main()
