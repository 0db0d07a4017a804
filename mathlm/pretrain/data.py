"""Batches for the loop: which samples of the blended mixture each rank reads at each step.

The global batch of a step is the next ``global_batch_samples`` samples of the mixture, starting at the
data position (samples consumed so far, stored in every checkpoint). Rank ``r`` reads its contiguous
share and cuts it into micro-batches, so the set of samples in a step does not depend on the world
size and a resumed run reads exactly what the uninterrupted run would have read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

from mathlm.errors import MathlmError
from mathlm.pretrain.config import DataConfig
from mathlm.shards.mixture import BlendedDataset, MixtureConfig


def gradient_accumulation(data: DataConfig, world_size: int) -> int:
    """Micro-batches per rank per step so that world x micro x accumulation = the global batch."""
    per_pass = world_size * data.micro_batch_size
    if data.global_batch_samples % per_pass:
        raise MathlmError(
            f"global batch of {data.global_batch_samples} sequences ({data.global_batch_tokens:,} tokens / seq_len "
            f"{data.seq_len}) is not divisible by world size {world_size} x micro_batch_size "
            f"{data.micro_batch_size} = {per_pass}; change data.global_batch_tokens, data.micro_batch_size or the "
            "number of processes"
        )
    return data.global_batch_samples // per_pass


def open_mixture(mixture: MixtureConfig, data: DataConfig, num_samples: int, seed: int) -> BlendedDataset:
    return BlendedDataset.from_config(mixture, seq_len=data.seq_len, num_samples=num_samples, seed=seed)


@dataclass
class BatchPlan:
    """Reads micro-batches for one rank from a blended dataset."""

    dataset: BlendedDataset
    data: DataConfig
    rank: int
    world_size: int
    vocab_size: int
    device: torch.device

    def micro_batches(self, first_sample: int) -> Iterator[torch.Tensor]:
        """This rank's micro-batches of the step whose global batch starts at sample ``first_sample``."""
        share = self.data.global_batch_samples // self.world_size
        start = first_sample + self.rank * share
        for offset in range(0, share, self.data.micro_batch_size):
            yield self.read(range(start + offset, start + offset + self.data.micro_batch_size))

    def read(self, indices: range) -> torch.Tensor:
        """Samples ``indices`` stacked as a (batch, seq_len + 1) int64 tensor on the device."""
        tokens = np.stack([self.dataset[i] for i in indices])
        top = int(tokens.max())
        if top >= self.vocab_size:
            raise MathlmError(
                f"the data holds token id {top} but the model's vocabulary has {self.vocab_size} "
                f"entries (samples {indices.start}-{indices.stop - 1}); tokenize with the model's "
                "tokenizer or use a model with a matching vocabulary"
            )
        return torch.from_numpy(tokens).to(self.device)

    def all_batches(self) -> Iterator[torch.Tensor]:
        """Every sample of the dataset in micro-batches (held-out evaluation: each rank sees all of them)."""
        for start in range(0, len(self.dataset), self.data.micro_batch_size):
            yield self.read(range(start, min(start + self.data.micro_batch_size, len(self.dataset))))
