"""`mathlm data tokenize` and the tokenizers behind it, on the embedded sample corpora and real tokenizers."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from mathlm.cli import app
from mathlm.errors import MathlmError
from mathlm.proof_pile_2.tokens.pipeline import tokenize_documents
from mathlm.shards.indexed import IndexedDataset
from mathlm.shards.tokenizer import hf_tokenizer_from_sentencepiece, load_tokenizer
from tests.support.tokenizers import sample_texts

EDGE_TEXTS = [
    " leading space",
    "  two leading spaces",
    "\tTab first",
    "trailing  ",
    "a  b   c",
    "line\n\n  indented",
    "x = 2^{10} = 1024",
    "émoji 🤖, ∑ and ∫, 中文",
    "$\\frac{1}{2}$",
]
BAD_LINES = [
    '{"text": ""}',
    '{"text": "   \\n\\t "}',
    '{"title": "no text field"}',
    '{"text": 42}',
    "{not json",
    "[1, 2, 3]",
]


# Characters where tokenizers' whitespace and special-token handling differ: runs of spaces, tabs,
# newlines, Unicode spaces, a literal "▁", special tokens written in the text.
ADVERSARIAL = [
    " ",
    " ",
    " ",
    "\n",
    "\t",
    "\r",
    "a",
    "B",
    "é",
    "1",
    "2",
    ".",
    "'",
    "s",
    "ll",
    "中",
    "🤖",
    "\u00a0",
    "\u2003",
    "\x1c",
    "\x85",
    "▁",
    "<s>",
    "</s>",
    "<|im_end|>",
    "-",
    "$",
    "\\frac",
    " x",
]


def _adversarial_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ADVERSARIAL) for _ in range(rng.randint(0, 40))) for _ in range(count)]


def test_chunk_memoisation_is_exact_for_sentencepiece(llama_style_sp_model: Path) -> None:
    import sentencepiece

    ours = load_tokenizer(llama_style_sp_model)
    assert ours._chunks is not None  # a Llama-style model takes the memoised path
    reference = sentencepiece.SentencePieceProcessor(model_file=str(llama_style_sp_model))
    texts = sample_texts() + EDGE_TEXTS + _adversarial_texts(6000, seed=1)
    assert ours.encode_batch(texts) == reference.encode(texts, out_type=int)


@pytest.mark.slow  # the first use on a machine converts SmolLM2's GGUF (~25 s); later sessions reuse it
def test_chunk_memoisation_is_exact_for_smollm2(smollm2_checkpoint: Path) -> None:
    from tokenizers import Tokenizer

    ours = load_tokenizer(smollm2_checkpoint / "tokenizer.json")
    assert ours._chunks is not None  # GPT-2-style byte-level BPE takes the memoised path
    reference = Tokenizer.from_file(str(smollm2_checkpoint / "tokenizer.json"))
    texts = sample_texts() + EDGE_TEXTS + _adversarial_texts(6000, seed=2)
    assert ours.encode_batch(texts) == [
        e.ids for e in reference.encode_batch(texts, add_special_tokens=False)
    ]


def _write_inputs(folder: Path, texts: list[str]) -> None:
    """The texts spread over a JSONL, a gzipped JSONL and a Parquet file, with bad records mixed in."""
    folder.mkdir()
    thirds = [texts[0::3], texts[1::3], texts[2::3]]
    lines = [json.dumps({"text": t}) for t in thirds[0]] + BAD_LINES
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(folder / "b.jsonl.gz", "wt", encoding="utf-8") as stream:
        stream.write("\n".join(json.dumps({"text": t, "id": i}) for i, t in enumerate(thirds[1])) + "\n")
    pq.write_table(pa.table({"text": thirds[2] + ["", "  "]}), folder / "c.parquet")


def _documents(prefix: Path) -> list[list[int]]:
    return [doc.tolist() for doc in IndexedDataset(prefix)]


def test_hf_tokenizer_built_from_sentencepiece_agrees_with_it(
    tmp_path: Path, llama_style_sp_model: Path
) -> None:
    import sentencepiece
    from transformers import AutoTokenizer

    sp = sentencepiece.SentencePieceProcessor(model_file=str(llama_style_sp_model))
    hf = AutoTokenizer.from_pretrained(hf_tokenizer_from_sentencepiece(llama_style_sp_model, tmp_path / "hf"))
    texts = sample_texts() + EDGE_TEXTS
    disagree = [t for t in texts if hf(t)["input_ids"] != sp.encode(t, add_bos=True)]
    assert not disagree, f"{len(disagree)} texts tokenized differently, e.g. {disagree[0]!r}"
    assert all(hf.decode(sp.encode(t), skip_special_tokens=True) == sp.decode(sp.encode(t)) for t in texts)
    assert (hf.bos_token_id, hf.eos_token_id) == (1, 2)


def test_sentencepiece_shards_hold_every_good_document_with_eos(
    tmp_path: Path, llama_style_sp_model: Path
) -> None:
    import sentencepiece

    texts = sample_texts()[:240] + EDGE_TEXTS
    _write_inputs(tmp_path / "docs", texts)
    result = tokenize_documents(
        tmp_path / "docs", tmp_path / "out" / "sample", llama_style_sp_model, workers=2
    )
    assert result.prefixes == [tmp_path / "out" / "sample"]
    assert not list((tmp_path / "out").glob("sample_0*"))  # task shards merged and removed
    sp = sentencepiece.SentencePieceProcessor(model_file=str(llama_style_sp_model))
    expected = sorted(ids + [2] for ids in sp.encode(texts))  # `</s>` (id 2) ends every document
    assert sorted(_documents(tmp_path / "out" / "sample")) == expected
    assert IndexedDataset(tmp_path / "out" / "sample").dtype == np.uint16
    assert (result.documents, result.tokens) == (len(texts), sum(map(len, expected)))
    assert result.counters["dropped_empty"] == 4  # two blank JSONL texts, two blank Parquet ones
    assert result.counters["dropped_malformed_json"] == 1 and result.counters["dropped_not_an_object"] == 1
    assert result.counters["dropped_no_text"] == 1 and result.counters["dropped_wrong_type"] == 1
    assert result.counters["records"] == len(texts) + len(BAD_LINES) + 2
    assert {(bad["file"], bad["position"]) for bad in result.bad_records} >= {
        ("a.jsonl", f"line {len(texts[0::3]) + 1}")
    }


@pytest.mark.slow  # the first use on a machine converts SmolLM2's GGUF (~25 s); later sessions reuse it
def test_cli_with_smollm2_tokenizer_json_and_no_merge(tmp_path: Path, smollm2_checkpoint: Path) -> None:
    from tokenizers import Tokenizer

    texts = sample_texts()[:90]
    _write_inputs(tmp_path / "docs", texts)
    args = [
        "data",
        "tokenize",
        "--tokenizer",
        str(smollm2_checkpoint / "tokenizer.json"),
        "--input",
        str(tmp_path / "docs"),
        "--output",
        str(tmp_path / "out" / "smol"),
        "--no-merge",
        "--workers",
        "2",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    parts = sorted((tmp_path / "out").glob("smol_*.idx"))
    assert [p.name for p in parts] == ["smol_00000.idx", "smol_00001.idx"]  # one task per JSONL file
    reference = Tokenizer.from_file(str(smollm2_checkpoint / "tokenizer.json"))
    eos = reference.token_to_id("<|im_end|>")  # SmolLM2-Instruct's eos, from its tokenizer_config.json
    expected = sorted(e.ids + [eos] for e in reference.encode_batch(texts, add_special_tokens=False))
    written = _documents(tmp_path / "out" / "smol_00000") + _documents(tmp_path / "out" / "smol_00001")
    assert sorted(written) == expected
    assert IndexedDataset(tmp_path / "out" / "smol_00000").dtype == np.uint16  # 49,152 entries < 65,500


def test_existing_output_needs_overwrite(tmp_path: Path, llama_style_sp_model: Path) -> None:
    _write_inputs(tmp_path / "docs", sample_texts()[:12])
    tokenize_documents(tmp_path / "docs", tmp_path / "s", llama_style_sp_model)
    before = _documents(tmp_path / "s")
    with pytest.raises(MathlmError, match=r"s\.idx exists; pass --overwrite"):
        tokenize_documents(tmp_path / "docs", tmp_path / "s", llama_style_sp_model)
    tokenize_documents(tmp_path / "docs", tmp_path / "s", llama_style_sp_model, overwrite=True)
    assert _documents(tmp_path / "s") == before


def test_bad_tokenizer_or_input_is_a_clear_error(tmp_path: Path, llama_style_sp_model: Path) -> None:
    with pytest.raises(MathlmError, match="tokenizer not found"):
        load_tokenizer(tmp_path / "missing.model")
    (tmp_path / "bad.model").write_bytes(b"not a model")
    with pytest.raises(MathlmError, match="not a sentencepiece model"):
        load_tokenizer(tmp_path / "bad.model")
    (tmp_path / "empty").mkdir()
    with pytest.raises(MathlmError, match="no documents found"):
        tokenize_documents(tmp_path / "empty", tmp_path / "out", llama_style_sp_model)
