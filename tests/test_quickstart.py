"""The quickstart's data path end to end (the model stages have their own tests: they take minutes)."""

from __future__ import annotations

import json
from pathlib import Path

from mathlm.quickstart.run import run_quickstart


def test_data_tokens_and_memorization_stages(tmp_path: Path) -> None:
    outputs = run_quickstart(tmp_path, only=["sample", "data", "tokenize", "memorization"])
    assert outputs["sample"]["corrupt_records"] == 1
    data = outputs["data"]
    assert data["arxiv"] > 0 and data["open-web-math"] > 0 and data["algebraic-stack"] > 0
    assert data["classifier held-out accuracy"] >= 0.9
    stats = json.loads((tmp_path / "data" / "stats.json").read_text())
    assert "KenLM perplexity" in json.dumps(stats)  # the trained KenLM model really filtered
    assert outputs["tokenize"]["tokens"] > 100_000
    # Decontamination removed the sample's copies of MATH test items; the kept corpus has none left.
    assert outputs["memorization"]["kept: MATH items hit"] == 0
    assert outputs["memorization"]["removed: MATH items hit"] > 0
    assert json.loads((tmp_path / "summary.json").read_text()).keys() == outputs.keys()
