"""The training mixture: which token shards feed training and in what proportions.

A :class:`MixtureConfig` (``configs/data/proof_pile_2_mixture.yaml``) names sources, each a weight and
the shard prefixes written by ``mathlm data tokenize``. :class:`BlendedDataset` turns it into
fixed-length training samples:

* **which source** sample ``k`` comes from is an error-minimising schedule: source ``s`` owns the
  instants ``(j + 0.5) / w_s`` for ``j = 0, 1, ...`` and samples follow the merged order of all
  instants. After any prefix of ``k`` samples every source has drawn ``round(w_s * k)`` of them, off by
  at most one: exact proportions at every scale, not just on average (the same goal as Megatron's
  blending helper, computed in closed form and vectorised);
* **which tokens** the ``j``-th sample of a source holds: the source's shards are one token stream
  cut into ``seq_len``-token windows (each sample reads ``seq_len + 1`` tokens so inputs and shifted
  labels come from one array, as in GPT-NeoX/Megatron); epoch ``e`` of the source visits its windows in
  a permutation drawn from ``(seed, source, e)``, so a small source repeats in a fresh order.

Every sample is a pure function of ``(seed, k)``: resuming at ``k`` needs no replay of ``0..k-1``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, field_validator

from mathlm.config import ConfigModel
from mathlm.errors import MathlmError
from mathlm.shards.indexed import IndexedDataset


class MixtureSource(ConfigModel):
    """One source of the mixture: a name, a sampling weight and its token shards."""

    name: str
    weight: float = Field(gt=0, description="Relative sampling weight; weights are normalised to sum to 1.")
    paths: list[str] = Field(min_length=1, description="Shard prefixes (PREFIX.idx + PREFIX.bin).")
    tokens: float | None = Field(
        default=None,
        gt=0,
        description="Expected size in tokens, used to plan (`mathlm data mixture`) before the shards exist.",
    )


class MixtureConfig(ConfigModel):
    """A named set of weighted sources. Relative shard prefixes are resolved against ``root``
    (default: the current directory), so one config serves several data locations via ``--set root=...``."""

    name: str = "mixture"
    root: str | None = None
    sources: list[MixtureSource] = Field(min_length=1)

    @field_validator("sources")
    @classmethod
    def _unique_names(cls, sources: list[MixtureSource]) -> list[MixtureSource]:
        names = [source.name for source in sources]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique; repeated: {', '.join(duplicates)}")
        return sources

    def proportions(self) -> dict[str, float]:
        """The normalised sampling proportion of each source."""
        total = sum(source.weight for source in self.sources)
        return {source.name: source.weight / total for source in self.sources}

    def prefixes(self, source: MixtureSource) -> list[Path]:
        """The source's shard prefixes, resolved against ``root``; a path with ``*`` expands to every
        shard whose ``.idx`` matches it (in sorted order)."""
        base = Path(self.root) if self.root else Path()
        found: list[Path] = []
        for path in source.paths:
            prefix = base / path
            if "*" in path:
                matches = sorted(prefix.parent.glob(f"{prefix.name}.idx"))
                found.extend(match.with_suffix("") for match in matches)
            else:
                found.append(prefix)
        return found


def load_mixture(path: str | Path, overrides: Sequence[str] = ()) -> MixtureConfig:
    from mathlm.config import load_config

    return load_config(path, MixtureConfig, overrides)


def blend_schedule(weights: Sequence[float], num_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``num_samples`` samples: (source index, index of the sample within that source).

    Source ``s`` owns the instants ``(j + 0.5) / w_s``; the samples are the first ``num_samples``
    instants in time order (ties go to the earlier source). Computed once, vectorised, O(N log N).
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.size == 0 or np.any(w <= 0):
        raise MathlmError(f"mixture weights must be positive, got {list(weights)}")
    w = w / w.sum()
    times, owners, ranks = [], [], []
    for s, weight in enumerate(w):
        count = int(math.ceil(weight * num_samples)) + 1
        j = np.arange(count, dtype=np.int64)
        times.append((j + 0.5) / weight)
        owners.append(np.full(count, s, dtype=np.int32))
        ranks.append(j)
    order = np.argsort(np.concatenate(times), kind="stable")[:num_samples]
    return np.concatenate(owners)[order], np.concatenate(ranks)[order]


class TokenWindows:
    """A source's shards read as one token sequence, documents in order, cut into ``seq_len`` windows:
    random access by fixed-length sample (``windows[i]``: ``seq_len + 1`` int64 tokens starting at
    token ``i * seq_len``, the last one shared with the next window)."""

    def __init__(self, name: str, datasets: Sequence[IndexedDataset], seq_len: int) -> None:
        self.name = name
        self.datasets = list(datasets)
        sizes = [d.num_tokens for d in self.datasets]
        self.starts = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)])
        self.num_tokens = int(self.starts[-1])
        self.seq_len = seq_len
        # Each window reads seq_len + 1 tokens; the last token of one window starts the next.
        self.num_windows = (self.num_tokens - 1) // seq_len if self.num_tokens else 0
        if self.num_windows == 0:
            shards = ", ".join(str(d.prefix) for d in self.datasets) or "no shards"
            raise MathlmError(
                f"mixture source '{name}' has {self.num_tokens} tokens ({shards}), fewer than one "
                f"sample of {seq_len + 1}; add data or lower seq_len"
            )

    def __len__(self) -> int:
        return self.num_windows

    def __getitem__(self, index: int) -> np.ndarray:
        if not 0 <= index < self.num_windows:
            raise IndexError(
                f"window {index} out of range for source '{self.name}' ({self.num_windows} windows)"
            )
        start = index * self.seq_len
        return self.read(start, start + self.seq_len + 1)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Tokens ``start:stop`` of the concatenated shards, as int64."""
        first = int(np.searchsorted(self.starts, start, side="right")) - 1
        parts = []
        position = start
        for d in range(first, len(self.datasets)):
            if position >= stop:
                break
            offset = int(self.starts[d])
            piece = self.datasets[d].tokens(position - offset, stop - offset)
            parts.append(piece)
            position = offset + self.datasets[d].num_tokens
        return np.concatenate(parts).astype(np.int64)


class BlendedDataset:
    """Fixed-length training samples drawn from several sources in exactly the configured proportions.

    ``sources`` is ``(name, shards, weight)`` per source. ``dataset[k]`` is an int64 array of
    ``seq_len + 1`` tokens, a pure function of ``(seed, k)``; ``source_of(k)`` names its source.
    """

    def __init__(
        self,
        sources: Sequence[tuple[str, Sequence[IndexedDataset], float]],
        seq_len: int,
        num_samples: int,
        seed: int,
    ) -> None:
        if seq_len < 1 or num_samples < 0:
            raise MathlmError(f"seq_len must be >= 1 and num_samples >= 0, got {seq_len} and {num_samples}")
        self.names = [name for name, _, _ in sources]
        self.weights = [float(weight) for _, _, weight in sources]
        self.streams = [TokenWindows(name, shards, seq_len) for name, shards, _ in sources]
        self.seq_len, self.num_samples, self.seed = seq_len, num_samples, seed
        self.source_index, self.sample_index = blend_schedule(self.weights, num_samples)
        # Per source, the permutation of the epoch read last (epochs are long, reads mostly stay in one).
        self._permutations: dict[int, tuple[int, np.ndarray]] = {}

    @classmethod
    def from_config(cls, cfg: MixtureConfig, seq_len: int, num_samples: int, seed: int) -> BlendedDataset:
        """Open every shard the config names (each validated) and blend them."""
        sources = [
            (source.name, [IndexedDataset(p) for p in cfg.prefixes(source)], source.weight)
            for source in cfg.sources
        ]
        return cls(sources, seq_len=seq_len, num_samples=num_samples, seed=seed)

    def __len__(self) -> int:
        return self.num_samples

    def __getitem__(self, k: int) -> np.ndarray:
        if not 0 <= k < self.num_samples:
            raise IndexError(f"sample {k} out of range (the mixture has {self.num_samples} samples)")
        stream = self.streams[self.source_index[k]]
        epoch, position = divmod(int(self.sample_index[k]), stream.num_windows)
        window = self._epoch_permutation(int(self.source_index[k]), epoch)[position]
        return stream[int(window)]

    def source_of(self, k: int) -> str:
        return self.names[int(self.source_index[k])]

    def _epoch_permutation(self, source: int, epoch: int) -> np.ndarray:
        """The order in which epoch ``epoch`` of a source visits its windows."""
        cached = self._permutations.get(source)
        if cached is None or cached[0] != epoch:
            rng = np.random.default_rng([self.seed, source, epoch])
            cached = (epoch, rng.permutation(self.streams[source].num_windows))
            self._permutations[source] = cached
        return cached[1]

    def report(self) -> list[dict[str, Any]]:
        """Per source: configured and realised proportion, samples, tokens and epochs over all samples."""
        counts = np.bincount(self.source_index, minlength=len(self.names))
        usable = [s.num_windows * self.seq_len for s in self.streams]
        return mixture_rows(self.names, self.weights, counts, usable, self.seq_len)


def mixture_rows(
    names: Sequence[str],
    weights: Sequence[float],
    counts: np.ndarray,
    source_tokens: Sequence[float],
    seq_len: int,
) -> list[dict[str, Any]]:
    """The rows of a mixture report (shared by :meth:`BlendedDataset.report` and ``mathlm data mixture``)."""
    total_weight = sum(weights)
    total = max(int(counts.sum()), 1)
    return [
        {
            "source": name,
            "weight": weight / total_weight,
            "realised": int(count) / total,
            "samples": int(count),
            "tokens": int(count) * seq_len,
            "source tokens": int(size),
            "epochs": int(count) * seq_len / size,
        }
        for name, weight, count, size in zip(names, weights, counts, source_tokens, strict=True)
    ]


def plan_mixture(cfg: MixtureConfig, token_budget: float, seq_len: int) -> list[dict[str, Any]]:
    """The mixture report for a token budget, from the shards' sizes (or a source's declared ``tokens``
    where its shards do not exist yet)."""
    num_samples = int(math.ceil(token_budget / seq_len))
    weights = [source.weight for source in cfg.sources]
    owners, _ = blend_schedule(weights, num_samples)
    counts = np.bincount(owners, minlength=len(weights))
    sizes = [_source_tokens(cfg, source) for source in cfg.sources]
    return mixture_rows([s.name for s in cfg.sources], weights, counts, sizes, seq_len)


def _source_tokens(cfg: MixtureConfig, source: MixtureSource) -> float:
    prefixes = cfg.prefixes(source)
    missing = [p for p in prefixes if not Path(f"{p}.idx").is_file()]
    if prefixes and not missing:
        return float(sum(IndexedDataset(p).num_tokens for p in prefixes))
    if source.tokens is not None:
        return source.tokens
    where = f"shard {missing[0]}.idx" if missing else f"no shard matches {source.paths}"
    raise MathlmError(
        f"mixture source '{source.name}': {where} not found and no `tokens:` size "
        "declared; tokenize the source first (`mathlm data tokenize`) or set root/paths"
    )
