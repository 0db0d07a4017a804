"""The quickstart's training stage: continue pretraining the real SmolLM2-135M on the sample mixture.

Success is measured on held-out math text the model never trains on: MATH test problems with their
solutions (evaluation data, used here only to measure loss), tokenized with the model's tokenizer. The
stage reports the held-out loss before and after training.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mathlm.assets import BENCHMARKS_DIR, CONFIGS_DIR
from mathlm.config import load_config
from mathlm.io import read_jsonl
from mathlm.pretrain.config import TrainConfig
from mathlm.shards.mixture import load_mixture

QUICKSTART_CONFIG = CONFIGS_DIR / "train" / "smollm2_135m_cpu.yaml"
HELDOUT_PROBLEMS = 200


def write_heldout_math(tokenizer: Path, prefix: Path, problems: int = HELDOUT_PROBLEMS) -> int:
    """Tokenize the first ``problems`` MATH test problems + solutions into a shard; returns its tokens."""
    from mathlm.shards.indexed import IndexedDatasetWriter, token_dtype
    from mathlm.shards.tokenizer import encode_documents, load_tokenizer

    rows = list(read_jsonl(BENCHMARKS_DIR / "math" / "test.jsonl"))
    texts = [f"Problem: {row['problem']}\nSolution: {row['solution']}" for row in rows[:problems]]
    model = load_tokenizer(tokenizer)
    flat, lengths = encode_documents(model, texts)
    with IndexedDatasetWriter(prefix, token_dtype(model.vocab_size)) as writer:
        writer.add_documents(flat, lengths)
    return int(flat.size)


def train_quickstart(mixture: Path, workdir: Path, overrides: list[str] = ()) -> dict[str, Any]:
    """Train SmolLM2-135M on ``mixture`` under ``workdir`` and return the held-out losses and throughput."""
    from mathlm.inference.pretrained import smollm2_hf_checkpoint
    from mathlm.pretrain.trainer import train

    model_dir = smollm2_hf_checkpoint()
    heldout_tokens = write_heldout_math(model_dir / "tokenizer.json", workdir / "heldout" / "math_test")
    cfg = load_config(
        QUICKSTART_CONFIG,
        TrainConfig,
        [
            f"run_dir={workdir / 'run'}",
            f"model.checkpoint={model_dir}",
            f"data.eval_mixture.root={workdir / 'heldout'}",
            "checkpoint.resume=never",
            *overrides,
        ],
    )
    cfg.data.mixture = load_mixture(mixture)  # the tokenize stage's mixture, its root set to its shards
    summary = train(cfg)
    return {
        "model": "SmolLM2-135M",
        "steps": summary.steps,
        "tokens": summary.tokens,
        "heldout tokens": heldout_tokens,
        "heldout loss before": round(summary.eval_loss_start, 4),
        "heldout loss after": round(summary.eval_loss_end, 4),
        "tokens/s": round(summary.tokens_per_s, 1),
        "checkpoint": str(summary.last_checkpoint),
    }
