"""The one description of a pipeline stage in the data build: a datatrove executor run.

Every source's pipeline (arXiv, web with its MinHash dedup, code) and the final decontamination are
lists of :class:`Stage`; the build hands each to datatrove's local or Slurm executor in order, chaining
``depends_on``. The stages never know which executor runs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datatrove.pipeline.base import PipelineStep


@dataclass
class Stage:
    """One executor run: its steps, task count, local parallelism and the stages that must finish first."""

    name: str
    steps: list[PipelineStep]
    tasks: int
    workers: int = -1
    depends_on: tuple[str, ...] = ()

    def logging_dir(self, workdir: Path) -> Path:
        return workdir / "logs" / self.name
