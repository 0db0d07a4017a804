"""Tokenizers for building token shards: a sentencepiece ``.model`` (Code Llama's) or a Hugging Face
``tokenizer.json`` (SmolLM2's), behind one batch interface.

Both encode a batch of documents in one native call (sentencepiece's batch ``encode``, tokenizers'
``encode_batch_fast``, which skips character offsets nobody here needs) and return the batch as one
flat array plus lengths, ready for :meth:`IndexedDatasetWriter.add_documents`. Every document gets
the tokenizer's real end-of-document token appended: ``</s>`` (id 2) for Llama vocabularies, where
GPT-NeoX's own tool appends ``<unk>`` (id 0).

Training data of a sentencepiece model is tokenized with sentencepiece itself, never with a converted
Hugging Face tokenizer: transformers 5 converts such models with a pre-tokenizer that treats leading
whitespace differently. :func:`hf_tokenizer_from_sentencepiece` builds a Hugging Face tokenizer that
does agree with sentencepiece, for checkpoints that must ship one (``mathlm convert neox-to-hf``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from mathlm.errors import MathlmError
from mathlm.proof_pile_2.tokens.indexed import token_dtype


class BatchTokenizer(Protocol):
    """What the tokenize step needs from a tokenizer."""

    path: Path
    eos_id: int
    vocab_size: int

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, without special tokens."""
        ...


def encode_documents(tokenizer: BatchTokenizer, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Encode documents, append the end-of-document token to each: (flat tokens, per-document lengths)."""
    encoded = tokenizer.encode_batch(texts)
    lengths = np.fromiter((len(ids) + 1 for ids in encoded), dtype=np.int64, count=len(encoded))
    flat = np.empty(int(lengths.sum()), dtype=token_dtype(tokenizer.vocab_size))
    ends = np.cumsum(lengths)
    flat[ends - 1] = tokenizer.eos_id
    position = 0
    for ids, end in zip(encoded, ends, strict=True):
        flat[position:end - 1] = ids
        position = int(end)
    return flat, lengths


class SentencePieceTokenizer:
    """A sentencepiece model file; the end-of-document token is the model's own eos (``</s>``)."""

    def __init__(self, path: Path) -> None:
        import sentencepiece

        self.path = path
        try:
            self.model = sentencepiece.SentencePieceProcessor(model_file=str(path))
        except (OSError, RuntimeError) as err:
            raise MathlmError(f"{path}: not a sentencepiece model ({err})") from None
        self.vocab_size = self.model.get_piece_size()
        self.eos_id = self.model.eos_id()
        if self.eos_id < 0:
            raise MathlmError(f"{path}: the sentencepiece model defines no eos token; documents need an end marker")

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        # One thread per process: parallelism comes from the pipeline's tasks, one per core.
        return self.model.encode(list(texts), out_type=int, num_threads=1)


class HFTokenizer:
    """A Hugging Face ``tokenizer.json``; the end-of-document token is ``eos_token`` (given, or read
    from the ``tokenizer_config.json`` beside it)."""

    def __init__(self, path: Path, eos_token: str | None = None) -> None:
        from tokenizers import Tokenizer

        self.path = path
        try:
            self.model = Tokenizer.from_file(str(path))
        except Exception as err:  # tokenizers raises plain Exception on malformed files
            raise MathlmError(f"{path}: not a Hugging Face tokenizer.json ({err})") from None
        self.vocab_size = self.model.get_vocab_size(with_added_tokens=True)
        eos_token = eos_token or _configured_eos(path.parent / "tokenizer_config.json")
        if eos_token is None:
            raise MathlmError(f"{path}: no end-of-document token known; pass --eos-token (e.g. '</s>') or put "
                              "a tokenizer_config.json with `eos_token` next to the tokenizer")
        eos_id = self.model.token_to_id(eos_token)
        if eos_id is None:
            raise MathlmError(f"{path}: eos token {eos_token!r} is not in the vocabulary")
        self.eos_id = eos_id

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        return [encoding.ids for encoding in self.model.encode_batch_fast(list(texts), add_special_tokens=False)]


def _configured_eos(config: Path) -> str | None:
    if not config.is_file():
        return None
    value = json.loads(config.read_text(encoding="utf-8")).get("eos_token")
    return value.get("content") if isinstance(value, dict) else value


def load_tokenizer(path: str | Path, eos_token: str | None = None) -> BatchTokenizer:
    """A sentencepiece ``.model`` file, a ``tokenizer.json``, or a directory holding one of them."""
    path = Path(path)
    if path.is_dir():
        candidates = [path / "tokenizer.json", path / "tokenizer.model"]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise MathlmError(f"{path}: directory holds neither tokenizer.json nor tokenizer.model")
        path = found
    if not path.is_file():
        raise MathlmError(f"tokenizer not found: {path} (expected a sentencepiece .model or a tokenizer.json)")
    if path.suffix == ".json":
        return HFTokenizer(path, eos_token)
    if eos_token is not None:
        raise MathlmError(f"{path}: --eos-token applies to Hugging Face tokenizers; a sentencepiece model "
                          "always ends documents with its own eos")
    return SentencePieceTokenizer(path)


def hf_tokenizer_from_sentencepiece(model_path: str | Path, out_dir: str | Path) -> Path:
    """Write a Hugging Face fast tokenizer (``tokenizer.json`` + config) that encodes and decodes exactly
    like the Llama-style (BPE, byte fallback) sentencepiece model at ``model_path``, BOS included.

    The normaliser reproduces sentencepiece's dummy prefix and whitespace handling (prepend ``▁``,
    every space to ``▁``, no pre-tokenizer splitting), merges are ranked by the merged piece's score
    (sentencepiece's BPE order), and decoding strips only the one dummy-prefix space.
    """
    import sentencepiece
    from tokenizers import AddedToken, Tokenizer, decoders, normalizers, processors
    from tokenizers.models import BPE
    from transformers import PreTrainedTokenizerFast

    sp = sentencepiece.SentencePieceProcessor(model_file=str(model_path))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    special = [i for i in range(len(pieces)) if sp.is_control(i) or sp.is_unknown(i)]
    unk = pieces[sp.unk_id()]
    model = BPE(vocab={piece: i for i, piece in enumerate(pieces)}, merges=_bpe_merges(sp, pieces),
                unk_token=unk, byte_fallback=True, fuse_unk=True)
    tokenizer = Tokenizer(model)
    tokenizer.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tokenizer.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                           decoders.Strip(content=" ", left=1, right=0)])
    tokenizer.add_special_tokens([AddedToken(pieces[i], special=True, normalized=False) for i in special])
    bos, eos = pieces[sp.bos_id()], pieces[sp.eos_id()]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, sp.bos_id())])
    wrapped = PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token=bos, eos_token=eos, unk_token=unk,
                                      clean_up_tokenization_spaces=False)
    out_dir = Path(out_dir)
    wrapped.save_pretrained(out_dir)
    return out_dir


def _bpe_merges(sp: object, pieces: list[str]) -> list[tuple[str, str]]:
    """Every (left, right) pair of ordinary pieces whose concatenation is a piece, ranked like
    sentencepiece ranks merges: by the merged piece's score (its id), then by the split point."""
    ordinary = {piece: i for i, piece in enumerate(pieces) if sp.is_unused(i) is False  # type: ignore[attr-defined]
                and not (sp.is_control(i) or sp.is_unknown(i) or sp.is_byte(i))}  # type: ignore[attr-defined]
    ranked = []
    for piece, piece_id in ordinary.items():
        for cut in range(1, len(piece)):
            left, right = piece[:cut], piece[cut:]
            if left in ordinary and right in ordinary:
                ranked.append((piece_id, ordinary[left], ordinary[right], left, right))
    ranked.sort()
    return [(left, right) for *_, left, right in ranked]


def train_llama_style_sentencepiece(texts: Iterable[str], model_path: str | Path, vocab_size: int) -> Path:
    """Train a sentencepiece BPE model with Llama's settings (byte fallback, split digits, dummy prefix,
    whitespace kept as is, ``<unk>``/``<s>``/``</s>`` = 0/1/2): a small stand-in for the Code Llama
    tokenizer, which cannot be downloaded here, with the same behaviour at the edges."""
    import io

    import sentencepiece

    buffer = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(texts), model_writer=buffer, model_type="bpe", vocab_size=vocab_size,
        byte_fallback=True, split_digits=True, add_dummy_prefix=True, remove_extra_whitespaces=False,
        normalization_rule_name="identity", allow_whitespace_only_pieces=True, character_coverage=0.99995,
        max_sentence_length=1 << 20, hard_vocab_limit=False, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
        num_threads=1, minloglevel=2)
    model_path = Path(model_path)
    model_path.write_bytes(buffer.getvalue())
    return model_path
