"""Train a config and report this rank's peak memory growth (a test program, run in a fresh process).

    [torchrun ...] peak_memory.py CONFIG OUTPUT_JSON [OVERRIDE ...]

The peak resident set (``VmHWM``) is reset just before the engine is built, through
``/proc/self/clear_refs``, and read after training: the difference to the resident set at that moment is
what the model, its optimizer and the steps added (the interpreter and libraries were already loaded).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# Library code is loaded before the baseline: transformers imports its model classes lazily, and with them
# triton when it is installed (the `bench` extra): about 100 MB of resident set that is not the run's.
from transformers import LlamaForCausalLM  # noqa: F401  (imported for its side effect)

from mathlm.config import load_config
from mathlm.pretrain import trainer
from mathlm.pretrain.config import TrainConfig


def status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


config, output, *overrides = sys.argv[1:]
baseline: dict[str, int] = {}
real_build_engine = trainer.build_engine


def measured_build_engine(*args: object, **kwargs: object) -> object:
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current resident set
    baseline["rss_kib"] = status_kib("VmRSS")
    return real_build_engine(*args, **kwargs)


trainer.build_engine = measured_build_engine  # type: ignore[assignment]
trainer.train(load_config(Path(config), TrainConfig, overrides))
rank = int(os.environ.get("RANK", "0"))
Path(f"{output}.{rank}").write_text(
    json.dumps({"rank": rank, "growth_bytes": (status_kib("VmHWM") - baseline["rss_kib"]) * 1024})
)
