"""Tokenizers for building token shards: a sentencepiece ``.model`` (Code Llama's) or a Hugging Face
``tokenizer.json`` (SmolLM2's), behind one batch interface.

Speed comes from memoisation, not from more threads: where a tokenizer's configuration guarantees
that no token spans a space-delimited chunk (Llama-style sentencepiece models, GPT-2-style byte-level
BPE such as SmolLM2's), documents are cut into chunks, each distinct chunk is encoded once per task by
the library (sentencepiece's batch ``encode``, tokenizers' ``encode_batch_fast``) and reused: the
output is identical to encoding whole documents (tested on adversarial whitespace and special-token
text), several times faster per core. Other tokenizers encode whole documents in batches.
:func:`encode_documents` returns a batch as one flat array plus lengths, ready for
:meth:`IndexedDatasetWriter.add_documents`. Every document gets the tokenizer's real end-of-document
token appended: ``</s>`` (id 2) for Llama vocabularies, where GPT-NeoX's own tool appends ``<unk>`` (id 0).

Training data of a sentencepiece model is tokenized with sentencepiece itself, never with a converted
Hugging Face tokenizer: transformers 5 converts such models with a pre-tokenizer that treats leading
whitespace differently. :func:`hf_tokenizer_from_sentencepiece` builds a Hugging Face tokenizer that
does agree with sentencepiece, for checkpoints that must ship one (``mathlm convert neox-to-hf``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from mathlm.errors import MathlmError
from mathlm.shards.indexed import token_dtype


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
        flat[position : end - 1] = ids
        position = int(end)
    return flat, lengths


# Sentencepiece: cut before a space that follows a non-space (``"a  b c"`` -> ``"a"``, ``"  b"``, ``" c"``;
# a literal "▁" counts as a space, as it does for sentencepiece): pieces hold "▁" only in front, so none
# spans such a cut.
SENTENCEPIECE_CUT = re.compile(r"(?<![ ▁])(?= )")
# GPT-2's byte-level regex: cut before the last space of a whitespace run, when a non-space follows
# (``"x\n    y"`` -> ``"x\n   "``, ``" y"``): that space always starts the next pre-token (`` ?\p{L}+`` etc.)
# and the rest of the run ends the previous one (``\s+(?!\S)``), in context as at the end of a chunk.
BYTE_LEVEL_CUT = re.compile(r"(?= \S)")
# A piece with "▁" after another character would span a sentencepiece cut.
_MIDDLE_SPACE = re.compile(r"[^▁]▁")


class ChunkCache:
    """Memoised encoding of a document's chunks.

    A document is cut where no token of the tokenizer can span the cut (``cut``: one of the patterns
    above, chosen by the tokenizer after checking its configuration), so a document's tokens are its
    chunks' tokens concatenated, and the comparatively few distinct chunks of a corpus (words with their
    leading space, indentation runs) are encoded once by the library and then looked up. ``prefix`` is
    prepended to every non-empty document (sentencepiece's dummy-prefix space). The cache is cleared
    when it would exceed ``max_entries`` chunks, bounding memory. Exactness is tested against the
    plain library call on the sample corpora and on whitespace edge cases.
    """

    def __init__(
        self,
        encode_chunks: Callable[[list[str]], list[list[int]]],
        cut: re.Pattern[str],
        prefix: str = "",
        whole: re.Pattern[str] | None = None,
        max_entries: int = 1 << 20,
    ) -> None:
        self.encode_chunks = encode_chunks
        self.cut = cut
        self.prefix = prefix
        self.whole = whole  # documents matching it are encoded whole (e.g. they hold a special token)
        self.max_entries = max_entries
        self.cache: dict[str, list[int]] = {}

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        texts = [self.prefix + text if text else "" for text in texts]
        whole = [i for i, text in enumerate(texts) if self.whole is not None and self.whole.search(text)]
        split = [self.cut.split(text) if text else [] for text in texts]
        for i in whole:
            split[i] = []
        cache = self.cache
        missing = list({chunk for chunks in split for chunk in chunks if chunk not in cache})
        if len(cache) + len(missing) > self.max_entries:
            cache.clear()
            missing = list({chunk for chunks in split for chunk in chunks})
        if missing:
            cache.update(zip(missing, self.encode_chunks(missing), strict=True))
        lookup = cache.__getitem__
        encoded = [list(chain.from_iterable(map(lookup, chunks))) for chunks in split]
        for i, ids in zip(whole, self.encode_chunks([texts[i] for i in whole]) if whole else [], strict=True):
            encoded[i] = ids
        return encoded


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
            raise MathlmError(
                f"{path}: the sentencepiece model defines no eos token; documents need an end marker"
            )
        self._chunks = self._chunk_cache(path)

    def _chunk_cache(self, path: Path) -> ChunkCache | None:
        """Chunk memoisation when the model keeps every piece inside a chunk (see ChunkCache): whitespace
        kept as is, pieces split at whitespace, ``▁`` only leading a piece. Chunks are encoded by a copy
        of the model without the dummy prefix; the document gets a leading space in its place."""
        import sentencepiece
        from sentencepiece import sentencepiece_model_pb2

        proto = sentencepiece_model_pb2.ModelProto()
        proto.ParseFromString(path.read_bytes())
        normalizer, trainer = proto.normalizer_spec, proto.trainer_spec
        local = (
            not normalizer.remove_extra_whitespaces
            and trainer.split_by_whitespace
            and not trainer.treat_whitespace_as_suffix
            and not any(_MIDDLE_SPACE.search(piece.piece) for piece in proto.pieces)
        )
        if not local:
            return None
        prefix = " " if normalizer.add_dummy_prefix else ""
        normalizer.add_dummy_prefix = False
        chunk_model = sentencepiece.SentencePieceProcessor(model_proto=proto.SerializeToString())
        return ChunkCache(
            lambda chunks: chunk_model.encode(chunks, out_type=int, num_threads=1), SENTENCEPIECE_CUT, prefix
        )

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        if self._chunks is not None:
            return self._chunks.encode_batch(texts)
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
            raise MathlmError(
                f"{path}: no end-of-document token known; pass --eos-token (e.g. '</s>') or put "
                "a tokenizer_config.json with `eos_token` next to the tokenizer"
            )
        eos_id = self.model.token_to_id(eos_token)
        if eos_id is None:
            raise MathlmError(f"{path}: eos token {eos_token!r} is not in the vocabulary")
        self.eos_id = eos_id
        exact = _byte_level_without_normalizer(self.model)
        # Added tokens are matched in the raw text before pre-tokenization and end a pre-token there.
        added = [token.content for token in self.model.get_added_tokens_decoder().values()]
        special = re.compile("|".join(map(re.escape, added))) if added else None
        self._chunks = ChunkCache(self._encode_uncached, BYTE_LEVEL_CUT, whole=special) if exact else None

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        if self._chunks is not None:
            return self._chunks.encode_batch(texts)
        return self._encode_uncached(list(texts))

    def _encode_uncached(self, texts: list[str]) -> list[list[int]]:
        return [encoding.ids for encoding in self.model.encode_batch_fast(texts, add_special_tokens=False)]


def _byte_level_without_normalizer(tokenizer: Any) -> bool:
    """Whether chunk memoisation is exact for this HF tokenizer: no normaliser, a byte-level
    pre-tokenizer (GPT-2's regex, no added prefix space; optionally after a digit split), no added
    token containing a space (see BYTE_LEVEL_CUT for why its cuts are exact). Documents holding an
    added token are encoded whole."""
    spec = json.loads(tokenizer.to_str())
    steps = spec.get("pre_tokenizer") or {}
    steps = steps.get("pretokenizers", [steps]) if steps.get("type") == "Sequence" else [steps]
    byte_level = [s for s in steps if s.get("type") == "ByteLevel"]
    return (
        spec.get("normalizer") is None
        and spec["model"].get("type") == "BPE"
        and len(byte_level) == 1
        and steps[-1] is byte_level[0]
        and byte_level[0].get("use_regex", True)
        and not byte_level[0].get("add_prefix_space", False)
        and all(s.get("type") in ("ByteLevel", "Digits") for s in steps)
        and not any(" " in token["content"] for token in spec.get("added_tokens", []))
    )


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
        raise MathlmError(
            f"tokenizer not found: {path} (expected a sentencepiece .model or a tokenizer.json)"
        )
    if path.suffix == ".json":
        return HFTokenizer(path, eos_token)
    if eos_token is not None:
        raise MathlmError(
            f"{path}: --eos-token applies to Hugging Face tokenizers; a sentencepiece model "
            "always ends documents with its own eos"
        )
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
    model = BPE(
        vocab={piece: i for i, piece in enumerate(pieces)},
        merges=_bpe_merges(sp, pieces),
        unk_token=unk,
        byte_fallback=True,
        fuse_unk=True,
    )
    tokenizer = Tokenizer(model)
    tokenizer.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
    tokenizer.decoder = decoders.Sequence(
        [
            decoders.Replace("▁", " "),
            decoders.ByteFallback(),
            decoders.Fuse(),
            decoders.Strip(content=" ", left=1, right=0),
        ]
    )
    tokenizer.add_special_tokens([AddedToken(pieces[i], special=True, normalized=False) for i in special])
    bos, eos = pieces[sp.bos_id()], pieces[sp.eos_id()]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A", pair=f"{bos} $A {bos} $B", special_tokens=[(bos, sp.bos_id())]
    )
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        bos_token=bos,
        eos_token=eos,
        unk_token=unk,
        clean_up_tokenization_spaces=False,
    )
    out_dir = Path(out_dir)
    wrapped.save_pretrained(out_dir)
    return out_dir


def _bpe_merges(sp: object, pieces: list[str]) -> list[tuple[str, str]]:
    """Every (left, right) pair of ordinary pieces whose concatenation is a piece, ranked like
    sentencepiece ranks merges: by the merged piece's score (its id), then by the split point."""
    ordinary = {
        piece: i
        for i, piece in enumerate(pieces)
        if sp.is_unused(i) is False  # type: ignore[attr-defined]
        and not (sp.is_control(i) or sp.is_unknown(i) or sp.is_byte(i))
    }  # type: ignore[attr-defined]
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
        sentence_iterator=iter(texts),
        model_writer=buffer,
        model_type="bpe",
        vocab_size=vocab_size,
        byte_fallback=True,
        split_digits=True,
        add_dummy_prefix=True,
        remove_extra_whitespaces=False,
        normalization_rule_name="identity",
        allow_whitespace_only_pieces=True,
        character_coverage=0.99995,
        max_sentence_length=1 << 20,
        hard_vocab_limit=False,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
    )
    model_path = Path(model_path)
    model_path.write_bytes(buffer.getvalue())
    return model_path
