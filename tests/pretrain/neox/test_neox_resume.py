"""A GPT-NeoX run that resumes itself: the exported config saves to the run folder, a launch loads the
base model (weights only) until the run has saved a checkpoint and the run's newest checkpoint after;
it evaluates on the held-out split and keeps a bounded number of checkpoints. DeepSpeed's own loader,
called as GPT-NeoX calls it, shows why the first launch must be a ``finetune`` load."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import torch
import yaml
from typer.testing import CliRunner

from mathlm.cli import app
from mathlm.errors import MathlmError
from mathlm.pretrain.neox.checkpoint import convert_hf_to_neox


def _export(tmp_path: Path, *options: str) -> tuple[dict[str, Any], str]:
    """Export llemma_7b into ``tmp_path/cfg``: (the three files as one merged mapping, the launch line)."""
    out = tmp_path / "cfg" / "llemma_7b.yml"
    result = CliRunner().invoke(
        app,
        ["export", "neox-config", "--recipe", "llemma_7b", "--output", str(out), "--set", "root=/data/tokens"]
        + list(options),
    )
    assert result.exit_code == 0, result.output
    merged: dict[str, Any] = {}
    for path in sorted(out.parent.glob("*.yml")):
        for key, value in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            merged.setdefault(path.name, {})[key] = value
    launch = next(line for line in out.read_text(encoding="utf-8").splitlines() if "deepy.py" in line)
    return merged, launch.lstrip("# ")


def _tiny_hf(tmp_path: Path) -> Path:
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(3)
    model = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=96,
            hidden_size=64,
            intermediate_size=96,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=4,
        )
    )
    model.save_pretrained(tmp_path / "hf", safe_serialization=True)
    return tmp_path / "hf"


def _chosen_overlay(launch: str) -> str:
    """Run the launch line's shell with ``echo`` in place of GPT-NeoX: the config files it would pass."""
    shown = launch.replace("python deepy.py train.py", "echo", 1)
    return subprocess.run(["bash", "-c", shown], check=True, capture_output=True, text=True).stdout.split()[
        -1
    ]


def test_exported_config_resumes_validates_on_held_out_shards_and_keeps_the_last_n(tmp_path: Path) -> None:
    run = tmp_path / "run"
    files, launch = _export(
        tmp_path, "--checkpoints", str(run), "--base", "/ckpt/codellama-neox", "--keep-last", "5"
    )
    cfg = files["llemma_7b.yml"]
    assert files["llemma_7b.first-launch.yml"] == {"load": "/ckpt/codellama-neox", "finetune": True}
    assert files["llemma_7b.resume.yml"] == {"load": str(run), "finetune": False}
    # GPT-NeoX refuses a key that two of the merged files set
    assert not cfg.keys() & files["llemma_7b.resume.yml"].keys()
    assert cfg["save"] == str(run) and cfg["keep_last_n_checkpoints"] == 5
    # the same launch line starts from the base model until the run folder has a `latest`, then resumes
    run.mkdir()
    assert _chosen_overlay(launch).endswith("llemma_7b.first-launch.yml")
    (run / "latest").write_text("global_step500")
    assert _chosen_overlay(launch).endswith("llemma_7b.resume.yml")
    # validation and test on the held-out splits, never on training shards
    assert cfg["valid_data_paths"] == [
        f"/data/tokens/validation/{name}" for name in ("arxiv", "open-web-math", "algebraic-stack")
    ]
    assert [path.replace("/test/", "/validation/") for path in cfg["test_data_paths"]] == cfg[
        "valid_data_paths"
    ]
    assert not set(cfg["valid_data_paths"]) & set(cfg["train_data_paths"])
    assert sum(cfg["valid_data_weights"]) == pytest.approx(1.0, abs=1e-5)


def test_validation_on_training_shards_and_a_shared_folder_are_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    export = ["export", "neox-config", "--recipe", "llemma_7b", "--output", str(tmp_path / "x.yml")]
    result = runner.invoke(app, [*export, "--valid-mixture", "configs/data/proof_pile_2_mixture.yaml"])
    assert result.exit_code != 0 and "uses training shards" in str(result.exception) + result.output
    result = runner.invoke(app, [*export, "--base", "/ckpt/run", "--checkpoints", "/ckpt/run"])
    assert result.exit_code != 0 and "keep the converted base" in str(result.exception) + result.output
    assert not (tmp_path / "x.yml").exists()


def test_converting_into_a_run_folder_is_refused(tmp_path: Path) -> None:
    """Once GPT-NeoX has saved a step in a folder, pointing its `latest` at the base model would send the
    run's next launch back to Code Llama."""
    source = _tiny_hf(tmp_path)
    run = tmp_path / "run"
    run.mkdir()
    (run / "latest").write_text("global_step500")
    with pytest.raises(MathlmError, match="already holds a run's checkpoints"):
        convert_hf_to_neox(source, run)
    assert (run / "latest").read_text() == "global_step500"


def _module_with(shard: dict[str, torch.Tensor]) -> torch.nn.Module:
    """A module whose parameters have exactly the names and shapes of a GPT-NeoX ``sequential`` shard."""
    root = torch.nn.Module()
    for key, tensor in shard.items():
        *path, leaf = key.split(".")
        node = root
        for part in path:
            if not hasattr(node, part):
                node.add_module(part, torch.nn.Module())
            node = getattr(node, part)
        node.register_parameter(leaf, torch.nn.Parameter(torch.zeros_like(tensor)))
    return root


def test_deepspeed_loads_the_base_model_as_gpt_neox_asks(tmp_path: Path, single_process: None) -> None:
    """DeepSpeed's own ``load_checkpoint`` on ZeRO-1 with bf16 (the exported config's engine), called as
    GPT-NeoX calls it. With ``finetune`` (weights only) the converted base model loads and the optimizer's
    fp32 master weights are built from it. Without ``finetune`` GPT-NeoX asks for optimizer states too, and
    DeepSpeed 0.19 stops on the ZeRO files a base model cannot have: hence the first-launch overlay."""
    import deepspeed

    from mathlm.pretrain.distributed import init_distributed, shutdown_distributed

    base = convert_hf_to_neox(
        _tiny_hf(tmp_path), tmp_path / "base", layout="sequential", dtype=torch.bfloat16
    )
    shard = torch.load(base / "global_step0" / "mp_rank_00_model_states.pt", weights_only=False)["module"]
    init_distributed("gloo")
    try:
        module = _module_with(shard)
        engine, *_ = deepspeed.initialize(
            model=module,
            optimizer=torch.optim.AdamW(module.parameters(), lr=1e-4),
            config={
                "train_micro_batch_size_per_gpu": 1,
                "gradient_accumulation_steps": 1,
                "bf16": {"enabled": True},
                "zero_optimization": {"stage": 1},
                "zero_allow_untested_optimizer": True,
                "steps_per_print": 2**31 - 1,
            },
        )
        # finetune: true -> load_module_only, no optimizer or scheduler states
        path, _ = engine.load_checkpoint(
            str(base), load_optimizer_states=False, load_lr_scheduler_states=False, load_module_only=True
        )
        assert path is not None and Path(path).parent.name == "global_step0"
        loaded = engine.module.state_dict()
        assert all(torch.equal(loaded[key], shard[key]) for key in shard)
        masters = torch.cat(
            [flat.float().flatten() for flat in engine.optimizer.single_partition_of_fp32_groups]
        )
        weights = torch.cat([tensor.float().flatten() for tensor in shard.values()])
        # one rank, no padding: the masters are the loaded weights (ZeRO flattens them in its own order)
        assert masters.numel() == weights.numel() and masters.abs().sum() > 0
        assert torch.equal(masters.sort().values, weights.sort().values)
        # finetune: false -> optimizer states wanted, and a converted base model has none
        with pytest.raises(FileNotFoundError, match="optim_states"):
            engine.load_checkpoint(str(base), load_optimizer_states=True, load_lr_scheduler_states=True)
    finally:
        shutdown_distributed()
