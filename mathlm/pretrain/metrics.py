"""Per-step metrics (loss, lr, grad norm, tokens/s, MFU) to JSONL, TensorBoard and optionally W&B; plots.

MFU = achieved model FLOP/s / (peak FLOP/s x ranks). Model FLOPs per token follow the PaLM appendix:
``6 N + 12 L d T`` (N = parameters in matmuls, L layers, d hidden size, T sequence length; the second
term is attention scores and values). Activation recomputation is not counted, so MFU is comparable
across runs with and without activation checkpointing.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from mathlm.errors import MathlmError

METRICS_FILE = "metrics.jsonl"

# Dense (no sparsity) tensor-core peaks in FLOP/s from the vendors' datasheets, keyed by a substring of
# torch.cuda.get_device_name(): (bf16, tf32). Checked in order, so "H100" after "H200" etc.
GPU_PEAKS: tuple[tuple[str, float, float], ...] = (
    ("H200", 989.4e12, 494.7e12),
    ("H100 PCIe", 756.0e12, 378.0e12),
    ("H100", 989.4e12, 494.7e12),
    ("A100", 312.0e12, 156.0e12),
    ("L40S", 362.1e12, 183.0e12),
    ("A10G", 70.0e12, 35.0e12),
)


def flops_per_token(matmul_params: int, num_layers: int, hidden_size: int, seq_len: int) -> float:
    """Training FLOPs per token (forward + backward) of a decoder-only transformer."""
    return 6.0 * matmul_params + 12.0 * num_layers * hidden_size * seq_len


def llama_parameters(config: dict[str, Any]) -> int:
    """Parameters of a Llama of this HF config (counted from the shape; no model needed)."""
    hidden, layers, vocab = config["hidden_size"], config["num_hidden_layers"], config["vocab_size"]
    head_dim = config.get("head_dim") or hidden // config["num_attention_heads"]
    kv = (config.get("num_key_value_heads") or config["num_attention_heads"]) * head_dim
    q = config["num_attention_heads"] * head_dim
    attention = hidden * q + 2 * hidden * kv + q * hidden
    mlp = 3 * hidden * config["intermediate_size"]
    per_layer = attention + mlp + 2 * hidden
    embeddings = vocab * hidden * (1 if config.get("tie_word_embeddings") else 2)
    return layers * per_layer + embeddings + hidden


def matmul_parameters_of(config: dict[str, Any]) -> int:
    """Parameters that take part in matmuls: all but the input embedding (a lookup); a tied head counts."""
    total = llama_parameters(config)
    return (
        total if config.get("tie_word_embeddings") else total - config["vocab_size"] * config["hidden_size"]
    )


def device_peak_flops(device: torch.device, dtype: torch.dtype, override: float | None) -> tuple[float, str]:
    """Peak FLOP/s of one device for ``dtype`` and where the figure comes from (stated in the run log)."""
    if override:
        return override, "logging.device_peak_flops from the config"
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        for key, bf16, tf32 in GPU_PEAKS:
            if key in name:
                peak = bf16 if dtype == torch.bfloat16 else tf32
                return peak, f"{name} datasheet dense {'bf16' if dtype == torch.bfloat16 else 'tf32'} peak"
        return float("nan"), f"{name}: unknown peak (set logging.device_peak_flops)"
    return float("nan"), "no datasheet peak for a CPU: MFU not reported (compare tokens/s instead)"


@dataclass
class Throughput:
    """Turns a step's token count and wall time into tokens/s and MFU."""

    flops_per_token: float
    peak_flops: float
    world_size: int

    def measure(self, tokens: int, seconds: float) -> dict[str, float]:
        tokens_per_s = tokens / max(seconds, 1e-9)
        mfu = tokens_per_s * self.flops_per_token / (self.peak_flops * self.world_size)
        return {
            "tokens_per_s": tokens_per_s,
            "tokens_per_s_per_device": tokens_per_s / self.world_size,
            "mfu": mfu,
        }


class MetricsLogger:
    """Rank 0's sink for metrics: one JSON object per line in ``metrics.jsonl``, TensorBoard, optional W&B."""

    def __init__(
        self, run_dir: Path, tensorboard: bool, wandb: bool, wandb_project: str, run_config: dict[str, Any]
    ) -> None:
        self.path = run_dir / METRICS_FILE
        self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 (open for the run; close() closes it)
        self._tb = None
        self._wandb = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self._tb = SummaryWriter(log_dir=str(run_dir / "tensorboard"))
        if wandb:
            self._wandb = _start_wandb(wandb_project, run_dir, run_config)

    def log(self, step: int, values: dict[str, float]) -> None:
        record = {"step": step, "time": time.time(), **values}
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()
        if self._tb is not None:
            for key, value in values.items():
                self._tb.add_scalar(f"train/{key}" if not key.startswith("eval") else key, value, step)
        if self._wandb is not None:
            self._wandb.log(values, step=step)

    def close(self) -> None:
        self._file.close()
        if self._tb is not None:
            self._tb.close()
        if self._wandb is not None:
            self._wandb.finish()


def _start_wandb(project: str, run_dir: Path, run_config: dict[str, Any]) -> Any:
    try:
        import wandb
    except ImportError:
        raise MathlmError(
            "logging.wandb is true but wandb is not installed: pip install wandb, or set logging.wandb: false"
        ) from None
    return wandb.init(project=project, name=run_dir.name, dir=str(run_dir), config=run_config)


def read_metrics(run_dir: Path) -> list[dict[str, Any]]:
    """The run's metric records, the last one per (step, kind) kept: a resumed run rewrites steps it repeats."""
    path = run_dir / METRICS_FILE
    if not path.is_file():
        raise MathlmError(f"{run_dir} has no {METRICS_FILE}; is it a `mathlm train` run directory?")
    latest: dict[tuple[int, bool], dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            latest[(record["step"], "loss" in record)] = record
    return [latest[key] for key in sorted(latest)]


def plot_metrics(run_dir: Path, output: Path | None = None) -> Path:
    """Draw training loss (with eval loss where logged) and learning rate against step into a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    records = read_metrics(run_dir)
    train = [r for r in records if "loss" in r]
    evals = [r for r in records if "eval_loss" in r]
    if not train:
        raise MathlmError(f"{run_dir / METRICS_FILE} has no training steps yet; nothing to plot")
    output = output or run_dir / "curves.png"
    fig, (ax_loss, ax_lr) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    ax_loss.plot([r["step"] for r in train], [r["loss"] for r in train], label="train loss")
    if evals:
        ax_loss.plot([r["step"] for r in evals], [r["eval_loss"] for r in evals], "o-", label="held-out loss")
    ax_loss.set_ylabel("loss")
    ax_loss.legend()
    ax_loss.set_title(f"{run_dir.name}")
    ax_lr.plot([r["step"] for r in train], [r["lr"] for r in train], color="tab:orange")
    ax_lr.set_ylabel("learning rate")
    ax_lr.set_xlabel("optimizer step")
    fig.tight_layout()
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=100)
    plt.close(fig)
    return output
