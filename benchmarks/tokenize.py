"""Tokenization throughput: ``mathlm data tokenize`` against datatrove's ``MegatronDocumentTokenizer``.

Both run on the same JSONL documents, one process and one tokenizer thread each
(``TOKENIZERS_PARALLELISM=false``), so tokens per CPU-second is tokens/s per core. Two tokenizers:

* **Llama-style sentencepiece** (a BPE model trained here with Code Llama's settings; the Code Llama
  file itself cannot be downloaded): mathlm encodes with sentencepiece from the ``.model``; datatrove
  only takes a Hugging Face ``tokenizer.json``, so it gets the equivalent one mathlm builds
  (``hf_tokenizer_from_sentencepiece``). This is the Llemma setting.
* **SmolLM2** (``tokenizer.json``, byte-level BPE): both tools use the same file.

The shards of both tools are compared token for token, so the speed-up is for identical output.

Every document is distinct (nothing is repeated to pad the corpus, which would flatter mathlm's
chunk memoisation): by default the embedded sample corpora (math and general prose) followed by
SymPy's source files (math code, as in AlgebraicStack), up to ``--megabytes``.

    python benchmarks/tokenize.py                      # sample corpora + SymPy sources, 24 MB
    python benchmarks/tokenize.py --input DOCS_DIR --megabytes 100
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

# This file's name shadows the standard library's `tokenize` (used by inspect, linecache, transformers)
# while its folder leads sys.path: take the folder out before anything imports it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402

from mathlm.assets import SAMPLE_DATA_DIR  # noqa: E402
from mathlm.console import console, summary_table  # noqa: E402

NUM_FILES = 4


def read_texts(source: Path) -> list[str]:
    """Non-blank ``text`` fields of every JSONL file under ``source``."""
    files = [source] if source.is_file() else sorted(source.rglob("*.jsonl"))
    texts = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            text = json.loads(line).get("text") if line.strip() else None
            if isinstance(text, str) and text.strip():
                texts.append(text)
    return texts


def default_texts() -> list[str]:
    """The embedded sample corpora, then SymPy's Python sources (one document per file)."""
    import importlib.util

    spec = importlib.util.find_spec("sympy")
    sources = sorted(Path(next(iter(spec.submodule_search_locations))).rglob("*.py")) if spec else []
    code = [path.read_text(encoding="utf-8", errors="replace") for path in sources]
    return read_texts(SAMPLE_DATA_DIR / "corpora") + [text for text in code if text.strip()]


def write_corpus(texts: list[str], megabytes: float, out_dir: Path) -> tuple[int, int]:
    """Distinct texts up to ``megabytes`` of UTF-8, spread over NUM_FILES JSONL files: (documents, bytes)."""
    target = int(megabytes * 1e6)
    streams = [open(out_dir / f"part{i}.jsonl", "w", encoding="utf-8") for i in range(NUM_FILES)]  # noqa: SIM115
    written = count = 0
    for text in texts:
        if written >= target:
            break
        streams[count % NUM_FILES].write(json.dumps({"text": text}) + "\n")
        written += len(text.encode("utf-8"))
        count += 1
    for stream in streams:
        stream.close()
    return count, written


def texts_up_to(texts: list[str], characters: int) -> Iterator[str]:
    """The first texts holding about ``characters`` characters (enough to train a small vocabulary)."""
    total = 0
    for text in texts:
        if total >= characters:
            return
        total += len(text)
        yield text


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (user + system)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(run: Callable[[], None]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one run (libraries imported beforehand, see warm_up)."""
    cpu, wall = cpu_seconds(), time.perf_counter()
    run()
    return cpu_seconds() - cpu, time.perf_counter() - wall


def warm_up() -> None:
    """Import both tools' code before timing, so neither run pays the other's imports."""
    import datatrove.executor  # noqa: F401
    import datatrove.pipeline.readers  # noqa: F401
    import datatrove.pipeline.tokens  # noqa: F401

    import mathlm.proof_pile_2.tokens.pipeline  # noqa: F401
    import mathlm.proof_pile_2.tokens.step  # noqa: F401


def run_mathlm(docs: Path, tokenizer: Path, out: Path) -> None:
    from mathlm.proof_pile_2.tokens.pipeline import tokenize_documents

    tokenize_documents(docs, out / "mathlm", tokenizer, workers=1, merge=False)


def run_datatrove(docs: Path, tokenizer_json: Path, eos_token: str, out: Path) -> None:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.tokens import MegatronDocumentTokenizer

    pipeline = [
        JsonlReader(str(docs)),
        MegatronDocumentTokenizer(
            str(out / "datatrove"), tokenizer_name_or_path=str(tokenizer_json), eos_token=eos_token
        ),
    ]
    LocalPipelineExecutor(pipeline, tasks=NUM_FILES, workers=1, logging_dir=str(out / "datatrove.logs")).run()


def shard_tokens(prefixes: list[Path]) -> Iterator[np.ndarray]:
    from mathlm.shards.indexed import IndexedDataset

    for prefix in prefixes:
        yield from IndexedDataset(prefix)


def compare(tag: str, docs: Path, ours: Path, theirs: Path, eos_token: str, work: Path) -> list[dict]:
    """Time both tools on ``docs`` and check their shards hold the same documents and tokens."""
    out = work / tag
    out.mkdir()
    our_cpu, our_wall = measure(lambda: run_mathlm(docs, ours, out))
    their_cpu, their_wall = measure(lambda: run_datatrove(docs, theirs, eos_token, out))
    our_shards = [out / f"mathlm_{rank:05d}" for rank in range(NUM_FILES)]
    their_shards = [out / "datatrove" / f"{rank:05d}_tokens" for rank in range(NUM_FILES)]
    tokens = sum(len(doc) for doc in shard_tokens(our_shards))
    identical = all(
        np.array_equal(a, b)
        for a, b in zip(shard_tokens(our_shards), shard_tokens(their_shards), strict=True)
    )
    ratio = (tokens / our_cpu) / (tokens / their_cpu)
    return [
        {
            "tokenizer": tag,
            "tool": "mathlm",
            "tokens": tokens,
            "CPU s": our_cpu,
            "wall s": our_wall,
            "tokens/s/core": round(tokens / our_cpu),
            "ratio": f"{ratio:.2f}x",
            "same tokens": "yes" if identical else "NO",
        },
        {
            "tokenizer": tag,
            "tool": "datatrove",
            "tokens": tokens,
            "CPU s": their_cpu,
            "wall s": their_wall,
            "tokens/s/core": round(tokens / their_cpu),
            "ratio": "1.00x",
            "same tokens": "",
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--input",
        type=Path,
        default=None,
        help="JSONL documents (file or folder); default: sample corpora + SymPy sources",
    )
    parser.add_argument("--megabytes", type=float, default=24.0, help="at most this much text to tokenize")
    parser.add_argument(
        "--sp-vocab", type=int, default=8000, help="vocabulary of the Llama-style sentencepiece"
    )
    args = parser.parse_args()

    from mathlm.inference.pretrained import smollm2_hf_checkpoint
    from mathlm.shards.tokenizer import hf_tokenizer_from_sentencepiece, train_llama_style_sentencepiece

    texts = read_texts(args.input) if args.input else default_texts()
    if not texts:
        raise SystemExit(f"no documents with text under {args.input}")
    work = Path(tempfile.mkdtemp(prefix="mathlm-tokenize-bench-"))
    try:
        docs = work / "docs"
        docs.mkdir()
        count, size = write_corpus(texts, args.megabytes, docs)
        source = args.input or "the sample corpora + SymPy sources"
        console.print(f"{count:,} distinct documents, {size / 1e6:.1f} MB, {NUM_FILES} files, from {source}")
        sp_model = train_llama_style_sentencepiece(
            texts_up_to(texts, 4_000_000), work / "llama_style.model", args.sp_vocab
        )
        sp_json = hf_tokenizer_from_sentencepiece(sp_model, work / "llama_style_hf") / "tokenizer.json"
        smollm2_json = smollm2_hf_checkpoint() / "tokenizer.json"
        warm_up()
        rows = compare("Llama-style .model", docs, sp_model, sp_json, "</s>", work)
        rows += compare("SmolLM2 .json", docs, smollm2_json, smollm2_json, "<|im_end|>", work)
        console.print(
            summary_table(
                "tokenization throughput, 1 process, 1 tokenizer thread (datatrove = its "
                "MegatronDocumentTokenizer; ratio = tokens/s/core vs datatrove)",
                rows,
            )
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
