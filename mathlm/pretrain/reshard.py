"""Resume a DeepSpeed run on another number of ranks, through DeepSpeed's universal checkpoint.

A ZeRO checkpoint stores the fp32 master weights and Adam moments as one flat partition per
data-parallel rank, so DeepSpeed refuses to load it on another world size. Its universal format
holds the same state per parameter (``zero/<name>/{fp32,exp_avg,exp_avg_sq,step}.pt``), and any
world size can load that. The conversion (DeepSpeed's own ``ds_to_universal``) runs once per
checkpoint, next to the original files (``<checkpoint>/deepspeed/universal``); a checkpoint saved by
the resumed run is an ordinary ZeRO checkpoint of the new world size again.

FSDP2 needs none of this: torch DCP checkpoints are stored per parameter and load on any layout.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
from pathlib import Path

from mathlm.errors import MathlmError

# Layout of a DeepSpeed checkpoint inside one of our checkpoint directories.
DEEPSPEED_DIR = "deepspeed"
DEEPSPEED_TAG = "deepspeed"
UNIVERSAL_TAG = "universal"
CONVERSION_LOG = "conversion.log"


def deepspeed_root(checkpoint: Path) -> Path:
    """The directory DeepSpeed's ``save_checkpoint``/``load_checkpoint`` are given (tags live under it)."""
    return checkpoint / DEEPSPEED_DIR


def saved_world_size(checkpoint: Path) -> int:
    """Data-parallel ranks the checkpoint was saved with: DeepSpeed writes one optimizer partition per
    rank (``[bf16_]zero_pp_rank_R_mp_rank_00_optim_states.pt``, ZeRO-1/2/3 alike)."""
    tag_dir = deepspeed_root(checkpoint) / DEEPSPEED_TAG
    partitions = list(tag_dir.glob("*zero_pp_rank_*_mp_rank_*_optim_states.pt"))
    if not partitions:
        raise MathlmError(
            f"{tag_dir} holds no ZeRO optimizer partitions (*zero_pp_rank_*_optim_states.pt); "
            "it is not a complete DeepSpeed checkpoint of this trainer"
        )
    return len(partitions)


def universal_checkpoint(checkpoint: Path, workers: int = 1) -> Path:
    """The universal form of a DeepSpeed checkpoint, converted now unless an earlier call did.

    Runs on one process (rank 0, or ``mathlm train reshard``). The conversion writes into a hidden
    directory that is renamed into place only when complete, so an interrupted conversion is redone
    and never loaded. ``workers`` > 1 extracts and merges the partitions in that many processes.
    """
    root = deepspeed_root(checkpoint)
    final = root / UNIVERSAL_TAG
    if final.is_dir():  # only a finished conversion is ever renamed into place
        return final
    source = root / DEEPSPEED_TAG
    if not source.is_dir():
        raise MathlmError(f"{checkpoint} holds no DeepSpeed checkpoint ({source} is missing)")
    staging = root / f".tmp-{UNIVERSAL_TAG}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        _run_ds_to_universal(source, staging, workers)
    except Exception as error:
        raise MathlmError(
            f"converting the DeepSpeed checkpoint {source} to a universal checkpoint failed "
            f"({type(error).__name__}: {error}); DeepSpeed's output is in {staging / CONVERSION_LOG}. "
            "Resume on the world size the checkpoint was saved with instead"
        ) from error
    # DeepSpeed points `latest_universal` at the folder it wrote; we load by tag, but keep the pointer
    # right for DeepSpeed's own tools.
    os.replace(staging, final)
    (root / "latest_universal").write_text(UNIVERSAL_TAG)
    return final


def _run_ds_to_universal(source: Path, output: Path, workers: int) -> None:
    """DeepSpeed's converter with its chatter (prints, progress bars) sent to a log file."""
    from deepspeed.checkpoint.ds_to_universal import main

    args = argparse.Namespace(
        input_folder=str(source),
        output_folder=str(output),
        num_extract_workers=workers,
        num_merge_workers=workers,
        keep_temp_folder=False,
        strict=True,
        # our checkpoints of plain data parallelism carry no `universal_checkpoint_info` (it describes
        # tensor/pipeline-parallel layouts); the converter adds the version-only record
        inject_missing_state=True,
    )
    with (
        open(output / CONVERSION_LOG, "w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log),
        contextlib.redirect_stderr(log),
    ):
        main(args)
