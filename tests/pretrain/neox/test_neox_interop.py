"""GPT-NeoX interoperability: Llama checkpoints convert both ways with identical logits, the shards
follow GPT-NeoX's tensor-parallel layout, and exported configs carry the keys GPT-NeoX reads."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import yaml
from typer.testing import CliRunner

from mathlm.cli import app
from mathlm.errors import MathlmError
from mathlm.pretrain.neox.checkpoint import convert_hf_to_neox, convert_neox_to_hf, dims_of
from mathlm.pretrain.neox.config import RECIPES, neox_mlp_settings, neox_mlp_width
from mathlm.pretrain.neox.layout import LlamaDims, hf_to_neox, neox_to_hf

VOCAB = 101  # odd: tensor parallelism 2 must pad the vocabulary and the way back must drop the padding


def _tiny_llama(tmp_path: Path, kv_heads: int, tied: bool = False) -> tuple[Path, torch.nn.Module]:
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(kv_heads)
    config = LlamaConfig(
        vocab_size=VOCAB,
        hidden_size=64,
        intermediate_size=96,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=kv_heads,
        max_position_embeddings=64,
        rope_theta=10_000.0,
        tie_word_embeddings=tied,
        bos_token_id=1,
        eos_token_id=2,
    )
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():  # random norms too, so a swapped or dropped tensor changes the logits
        for name, param in model.named_parameters():
            if name.endswith("norm.weight"):
                param.uniform_(0.5, 1.5)
    path = tmp_path / f"hf_kv{kv_heads}"
    model.save_pretrained(path, safe_serialization=True)
    return path, model


def _logits(model: torch.nn.Module) -> torch.Tensor:
    tokens = torch.arange(3, 3 + 24).remainder(VOCAB).unsqueeze(0)
    with torch.no_grad():
        return model(tokens).logits


@pytest.mark.parametrize(
    ("kv_heads", "tp", "layout"),
    [(4, 1, "sequential"), (4, 2, "pipeline"), (2, 2, "sequential"), (2, 1, "pipeline")],
)
def test_round_trip_keeps_logits_identical(tmp_path: Path, kv_heads: int, tp: int, layout: str) -> None:
    from transformers import AutoModelForCausalLM

    source, model = _tiny_llama(tmp_path, kv_heads)
    neox = convert_hf_to_neox(source, tmp_path / "neox", tp=tp, layout=layout)  # type: ignore[arg-type]
    step = neox / "global_step0"
    assert len(list(step.glob("mp_rank_*_model_states.pt"))) == tp
    assert bool(list(step.glob("layer_*-model_*-model_states.pt"))) == (layout == "pipeline")
    back = AutoModelForCausalLM.from_pretrained(convert_neox_to_hf(neox, tmp_path / "back")).eval()
    assert torch.equal(_logits(back), _logits(model))


@pytest.mark.slow  # the first use on a machine converts SmolLM2's GGUF (~25 s); later sessions reuse it
def test_real_smollm2_round_trip(tmp_path: Path, smollm2_checkpoint: Path) -> None:
    """The real model: tied embeddings, grouped-query attention with 9 heads over 3 key/value heads."""
    from transformers import AutoModelForCausalLM

    neox = convert_hf_to_neox(smollm2_checkpoint, tmp_path / "neox", tp=1)
    back = AutoModelForCausalLM.from_pretrained(convert_neox_to_hf(neox, tmp_path / "back")).eval()
    original = AutoModelForCausalLM.from_pretrained(smollm2_checkpoint).eval()
    assert torch.equal(_logits(back), _logits(original))
    assert (tmp_path / "back" / "tokenizer.json").is_file()  # the tokenizer travels with the checkpoint
    with pytest.raises(MathlmError, match="tensor parallel size 2 does not divide the attention heads"):
        convert_hf_to_neox(smollm2_checkpoint, tmp_path / "neox2", tp=2)


def test_shards_compute_what_gpt_neox_computes_per_rank(tmp_path: Path) -> None:
    """Apply each rank's shards the way GPT-NeoX's layers do and compare with the HF modules. The splits
    are those of current GPT-NeoX's megatron/model/transformer.py (read, not imported: GPT-NeoX is not
    installable here): ``ParallelSelfAttention.forward`` views multi-head rows as [heads, 3 * head_dim],
    ``gqa_project`` splits grouped-query rows into [queries | keys | values]; ``ParallelMLP`` computes
    ``act(second half) * first half`` of ``linear1``."""
    from transformers import AutoConfig

    for kv_heads in (4, 2):
        source, model = _tiny_llama(tmp_path, kv_heads)
        dims = dims_of(AutoConfig.from_pretrained(source))
        shards = hf_to_neox(model.state_dict(), dims, tp=2)
        x = torch.randn(5, 64)
        layer, d = model.model.layers[0], dims.head_dim
        q_all, k_all, v_all = (
            proj(x).view(5, -1, d)
            for proj in (layer.self_attn.q_proj, layer.self_attn.k_proj, layer.self_attn.v_proj)
        )
        mlp_sum = torch.zeros(5, 64)
        for rank, shard in enumerate(shards):
            mixed = x @ shard["sequential.2.attention.query_key_value.weight"].T
            heads, kv = dims.num_heads // 2, dims.num_kv_heads // 2
            if kv_heads == dims.num_heads:  # GPT-NeoX MHA: [np, 3 * hn] then split in three
                q, k, v = mixed.view(5, heads, 3 * d).split(d, dim=-1)
            else:  # GPT-NeoX GQA: [np * hn | kvp * hn | kvp * hn]
                q, k, v = (
                    part.reshape(5, -1, d) for part in mixed.split([heads * d, kv * d, kv * d], dim=-1)
                )
            assert torch.allclose(q, q_all[:, rank * heads : (rank + 1) * heads], atol=1e-6)
            assert torch.allclose(k, k_all[:, rank * kv : (rank + 1) * kv], atol=1e-6)
            assert torch.allclose(v, v_all[:, rank * kv : (rank + 1) * kv], atol=1e-6)
            first, second = (x @ shard["sequential.2.mlp.linear1.weight"].T).chunk(2, dim=-1)
            mlp_sum += (torch.nn.functional.silu(second) * first) @ shard["sequential.2.mlp.linear2.weight"].T
        assert torch.allclose(mlp_sum, layer.mlp(x), atol=1e-5)
        assert shards[0]["sequential.0.word_embeddings.weight"].shape == (51, 64)  # 101 padded to 102, halved


def test_cli_round_trip_with_neox_config_and_tokenizer(tmp_path: Path, llama_style_sp_model: Path) -> None:
    """A checkpoint GPT-NeoX trained (no mathlm sidecar) comes back with its config rebuilt from the
    GPT-NeoX YAML and correct special tokens from the tokenizer (GPT-NeoX's own tool writes 0 and 0)."""
    import sentencepiece
    from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM

    sp = sentencepiece.SentencePieceProcessor(model_file=str(llama_style_sp_model))
    torch.manual_seed(0)
    model = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=sp.get_piece_size(),
            hidden_size=64,
            intermediate_size=96,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
        )
    ).eval()
    model.save_pretrained(tmp_path / "hf")
    runner = CliRunner()
    result = runner.invoke(
        app, ["convert", "hf-to-neox", str(tmp_path / "hf"), "--output", str(tmp_path / "neox"), "--tp", "2"]
    )
    assert result.exit_code == 0, result.output
    (tmp_path / "neox" / "mathlm_hf_config.json").unlink()  # as if GPT-NeoX had trained it
    intermediate, multiple_of = neox_mlp_settings(64, 96)
    neox_yaml = {
        "num-layers": 2,
        "hidden-size": 64,
        "num-attention-heads": 4,
        "num_kv_heads": 2,
        "norm": "rmsnorm",
        "activation": "swiglu",
        "intermediate_size": intermediate,
        "mlp_multiple_of": multiple_of,
        "rms_norm_epsilon": model.config.rms_norm_eps,
        "rotary_emb_base": 10000,
        "no_weight_tying": True,
        "seq_length": 2048,
    }
    (tmp_path / "neox.yml").write_text(yaml.safe_dump(neox_yaml), encoding="utf-8")
    result = runner.invoke(
        app,
        [
            "convert",
            "neox-to-hf",
            str(tmp_path / "neox"),
            "--output",
            str(tmp_path / "back"),
            "--neox-config",
            str(tmp_path / "neox.yml"),
            "--tokenizer",
            str(llama_style_sp_model),
        ],
    )
    assert result.exit_code == 0, result.output
    back = AutoModelForCausalLM.from_pretrained(tmp_path / "back").eval()
    assert (back.config.bos_token_id, back.config.eos_token_id) == (1, 2)
    assert torch.equal(_logits(back), _logits(model))
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "back")
    text = "  Let $x^2 = 4$; then x = 2 or x = -2."
    assert tokenizer(text)["input_ids"] == sp.encode(text, add_bos=True)


def test_mlp_width_quirk_matches_code_llama() -> None:
    assert neox_mlp_settings(4096, 11008) == (32768, 256)
    assert neox_mlp_width(32768, 256) == (2 * 11008, 11008)
    assert neox_mlp_width(11008, 256)[1] != 11008  # passing the HF width would build the wrong MLP
    for recipe in RECIPES.values():
        size, multiple = neox_mlp_settings(recipe.hidden_size, recipe.llama_intermediate_size)
        assert neox_mlp_width(size, multiple)[1] == recipe.llama_intermediate_size


def test_export_neox_config_for_llemma_recipes(tmp_path: Path) -> None:
    runner = CliRunner()
    for recipe, tp, base, kv in (("llemma_7b", 2, 10_000, 32), ("llemma_34b", 8, 1_000_000, 8)):
        out = tmp_path / f"{recipe}.yml"
        result = runner.invoke(
            app,
            ["export", "neox-config", "--recipe", recipe, "--output", str(out), "--set", "root=/data/tokens"],
        )
        assert result.exit_code == 0, result.output
        cfg = yaml.safe_load(out.read_text(encoding="utf-8"))
        assert (cfg["model_parallel_size"], cfg["rotary_emb_base"], cfg["num_kv_heads"]) == (tp, base, kv)
        assert (cfg["intermediate_size"], cfg["mlp_multiple_of"]) == (8 * cfg["hidden_size"], 256)
        assert cfg["activation"] == "swiglu" and cfg["norm"] == "rmsnorm" and cfg["pos_emb"] == "rotary"
        assert cfg["train_data_paths"][0] == "/data/tokens/arxiv"
        assert sum(cfg["train_data_weights"]) == pytest.approx(1.0)
        assert cfg["zero_optimization"]["stage"] == 1
        # 256 GPUs: DeepSpeed checks train_batch_size = micro batch x accumulation x data-parallel ranks
        per_rank = cfg["train_micro_batch_size_per_gpu"] * cfg["gradient_accumulation_steps"]
        assert cfg["train_batch_size"] == per_rank * (256 // tp)
        assert cfg["train_batch_size"] * cfg["seq_length"] == 4_194_304
    result = runner.invoke(app, ["export", "neox-config", "--recipe", "llemma_70b", "--output", str(out)])
    assert result.exit_code != 0


@pytest.mark.parametrize("kv_heads", [4, 2])
def test_neox_to_hf_to_neox_gives_back_the_same_shards(tmp_path: Path, kv_heads: int) -> None:
    """The other direction: a GPT-NeoX checkpoint (2 tensor-parallel ranks) through HF and back is the
    same tensors, bit for bit, in the same files."""
    source, _ = _tiny_llama(tmp_path, kv_heads)
    first = convert_hf_to_neox(source, tmp_path / "neox", tp=2)
    hf = convert_neox_to_hf(first, tmp_path / "hf_back")
    second = convert_hf_to_neox(hf, tmp_path / "neox_again", tp=2)
    files = sorted(p.name for p in (first / "global_step0").glob("layer_*.pt"))
    assert files == sorted(p.name for p in (second / "global_step0").glob("layer_*.pt"))
    for name in files:
        before = torch.load(first / "global_step0" / name, weights_only=True)
        after = torch.load(second / "global_step0" / name, weights_only=True)
        assert before.keys() == after.keys()
        assert all(torch.equal(before[key], after[key]) for key in before)


def _read_qkv_as_rank_blocks(pieces: list[torch.Tensor], dims: LlamaDims) -> list[torch.Tensor]:
    """Query/key/value as GPT-NeoX's tools/ckpts/convert_neox_to_hf.py reads them, for any attention:
    each rank's rows taken as [its query rows | its key rows | its value rows]."""
    d, tp = dims.head_dim, len(pieces)
    sizes = [dims.num_heads * d // tp, dims.num_kv_heads * d // tp, dims.num_kv_heads * d // tp]
    blocks = [piece.split(sizes, 0) for piece in pieces]
    return [torch.cat([block[i] for block in blocks], 0) for i in range(3)]


@pytest.mark.parametrize("kv_heads", [4, 2])
def test_gpt_neox_back_converter_reads_multi_head_attention_wrongly(tmp_path: Path, kv_heads: int) -> None:
    """The caveat in layout.py, shown: GPT-NeoX's back-converter reading of query/key/value agrees with
    GPT-NeoX's attention code (and ours) for grouped-query attention only. On a multi-head model it
    mixes queries, keys and values, so its HF model computes other logits."""
    from transformers import AutoConfig, LlamaForCausalLM

    source, model = _tiny_llama(tmp_path, kv_heads)
    dims = dims_of(AutoConfig.from_pretrained(source))
    shards = hf_to_neox(model.state_dict(), dims, tp=2)
    state = neox_to_hf(shards, dims)
    for layer in range(dims.num_layers):
        pieces = [shard[f"sequential.{layer + 2}.attention.query_key_value.weight"] for shard in shards]
        for name, weight in zip("qkv", _read_qkv_as_rank_blocks(pieces, dims), strict=True):
            state[f"model.layers.{layer}.self_attn.{name}_proj.weight"] = weight
    theirs = LlamaForCausalLM(model.config).eval()
    theirs.load_state_dict(state)
    difference = (_logits(theirs) - _logits(model)).abs().max().item()
    print(f"kv_heads={kv_heads}: max |logit difference| {difference:.3f}")
    if kv_heads == dims.num_heads:
        assert difference > 0.05, difference
    else:
        assert difference == 0.0


def test_exported_configs_give_back_code_llama_shapes(tmp_path: Path) -> None:
    """The YAML a run trained with rebuilds the HF config that GPT-NeoX's back-converter gets wrong: the
    MLP width from GPT-NeoX's `intermediate_size` arithmetic (32,768 -> 11,008), not the YAML value."""
    from mathlm.pretrain.neox.config import llama_config_from_neox

    for recipe, width, kv_heads, rope in (("llemma_7b", 11008, 32, 10_000.0), ("llemma_34b", 22016, 8, 1e6)):
        out = tmp_path / f"{recipe}.yml"
        result = CliRunner().invoke(app, ["export", "neox-config", "--recipe", recipe, "--output", str(out)])
        assert result.exit_code == 0, result.output
        config = llama_config_from_neox(yaml.safe_load(out.read_text(encoding="utf-8")), 32016, 1, 2)
        assert (
            config.intermediate_size,
            config.num_key_value_heads,
            config.rope_parameters["rope_theta"],
        ) == (
            width,
            kv_heads,
            rope,
        )
        assert not config.tie_word_embeddings and config.max_position_embeddings == 4096
