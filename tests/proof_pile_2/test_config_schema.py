"""The data-build schema (mathlm.proof_pile_2.config) loads and validates a config without importing
datatrove or any pipeline step: tools that only read or check configs stay light."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from mathlm.config import load_config
from mathlm.proof_pile_2.config import DataBuildConfig
cfg = load_config("configs/data/sample.yaml", DataBuildConfig)
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("datatrove", "fasttext", "kenlm", "resiliparse")
               or m.startswith(("mathlm.proof_pile_2.web.pipeline", "mathlm.proof_pile_2.code.steps",
                                "mathlm.proof_pile_2.decontamination.filter", "mathlm.proof_pile_2.build")))
print(json.dumps({"heavy": heavy, "web_tasks": cfg.web.tasks, "targets": cfg.decontamination.targets()}))
"""


def test_loading_the_schema_imports_no_pipeline_step() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.splitlines()[-1])
    assert loaded["heavy"] == []
    assert loaded["web_tasks"] == 2 and "math" in loaded["targets"]  # the sample config really was validated
