"""Train the two models of the open-web-math filters from JSONL corpora (one ``{"text": ...}`` a line).

- ``train_math_classifier``: the fastText math-vs-general classifier behind ``MathScoreFilter``; 10% of
  each class is held out and the held-out accuracy is reported.
- ``train_kenlm``: the n-gram model behind ``PerplexityFilter``, estimated here with interpolated
  modified Kneser-Ney (Chen & Goodman) and written as an ARPA file that ``kenlm.Model`` loads.

Why our own estimator rather than KenLM's ``lmplz``: ``lmplz`` is not packaged anywhere we can install
from (PyPI wheels ship only the query module), and building it needs Boost development packages and a
C++ build on every fresh machine; the estimator below needs nothing and trains the sample corpora in
well under a second. It keeps every n-gram in memory (a few hundred bytes each), which suits corpora
up to some tens of MB; for a larger corpus build ``lmplz`` from KenLM's sources and pass its
ARPA/binary output as ``kenlm_model``: the filter reads both.
"""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from mathlm.console import console
from mathlm.errors import MathlmError
from mathlm.io import BadLines, read_jsonl
from mathlm.proof_pile_2.web.math_score import GENERAL_LABEL, MATH_LABEL, classifier_line
from mathlm.proof_pile_2.web.perplexity import kenlm_tokens

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
# Discounts used when a count-of-counts is zero (tiny corpora), as KenLM's --discount_fallback does.
FALLBACK_DISCOUNTS = (0.5, 1.0, 1.5)
# Hashed word-bigram buckets of the classifier: 2**18 x 16 dims keeps the model at ~17 MB (fastText's
# default, 2M x 100, writes 800 MB for a two-class problem that needs far less).
CLASSIFIER_BUCKETS = 1 << 18
Ngram = tuple[str, ...]


def read_texts(path: str | Path) -> list[str]:
    """The ``text`` field of every record of a JSONL(.gz) file; malformed lines are counted and skipped."""
    path = Path(path)
    if not path.is_file():
        raise MathlmError(
            f'corpus not found: {path} (expected a JSONL file with one {{"text": ...}} per line)'
        )
    bad, without_text = BadLines(), 0
    texts = []
    for record in read_jsonl(path, on_bad="skip", bad=bad):
        text = record.get("text")
        if not isinstance(text, str):
            without_text += 1
        elif text.strip():
            texts.append(text)
    if bad.total:
        console.print(f"[yellow]{path}: {bad.summary()}[/]")
    if without_text:
        console.print(f'[yellow]{path}: skipped {without_text} record(s) without a string "text" field[/]')
    if not texts:
        raise MathlmError(f'{path}: no records with a non-empty "text" field')
    return texts


# --- math classifier -------------------------------------------------------------------------------


@dataclass
class ClassifierReport:
    train_examples: int
    held_out_examples: int
    held_out_accuracy: float
    output: Path


# fastText 0.9.2 with thread=1 fills only the first tenth of its input matrix (its uniform init is split
# into ten per-thread blocks) and allocates the matrix without zeroing it. When glibc serves that
# allocation from reused heap memory, the other nine tenths start as leftover bytes: the trained model
# differs from run to run and sometimes holds NaN ("Encountered NaN" at any learning rate). A fixed mmap
# threshold makes glibc map every large block fresh, i.e. zeroed, so training is deterministic. It must
# be set before the process starts, hence the child process.
_FASTTEXT_ENV = {"MALLOC_MMAP_THRESHOLD_": str(128 * 1024)}
_FASTTEXT_CHILD = (
    "import json, sys, fasttext; a = json.loads(sys.argv[1]); "
    "fasttext.train_supervised(**a['params']).save_model(a['output'])"
)


def _train_fasttext(path: str, output: Path, epochs: int, seed: int) -> None:
    """fastText's supervised training in a child process, retried at half the learning rate if it diverges.

    On small corpora fastText's SGD can blow up ("Encountered NaN"); a smaller step fixes that without
    changing what a successful run computes.
    """
    lr = 0.2
    for _ in range(3):
        params = {
            "input": path,
            "epoch": epochs,
            "lr": lr,
            "wordNgrams": 2,
            "dim": 16,
            "bucket": CLASSIFIER_BUCKETS,
            "minCount": 1,
            "thread": 1,
            "seed": seed,
            "verbose": 0,
        }
        child = subprocess.run(
            [sys.executable, "-c", _FASTTEXT_CHILD, json.dumps({"params": params, "output": str(output)})],
            env=os.environ | _FASTTEXT_ENV,
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode == 0:
            return
        if "NaN" not in child.stderr:
            raise MathlmError(f"fastText training failed:\n{child.stderr.strip()[-2000:]}")
        console.print(f"[yellow]fastText diverged at lr={lr}; retrying at lr={lr / 2}[/]")
        lr /= 2
    raise MathlmError("fastText training diverged three times (NaN); check the corpora for degenerate lines")


def train_math_classifier(
    math_path: str | Path,
    general_path: str | Path,
    output: str | Path,
    held_out: float = 0.1,
    epochs: int = 25,
    seed: int = 0,
) -> ClassifierReport:
    """Train P(math) on the two corpora, report accuracy on ``held_out`` of each, save the model."""

    rng = random.Random(seed)
    train: list[str] = []
    test: list[tuple[str, str]] = []
    for label, path in ((MATH_LABEL, math_path), (GENERAL_LABEL, general_path)):
        texts = read_texts(path)
        rng.shuffle(texts)
        n_test = max(1, round(len(texts) * held_out)) if len(texts) > 1 else 0
        test += [(label, text) for text in texts[:n_test]]
        train += [f"{label} {classifier_line(text)}" for text in texts[n_test:]]
    rng.shuffle(train)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as train_file:
        train_file.write("\n".join(train) + "\n")
        train_file.flush()
        _train_fasttext(train_file.name, partial, epochs, seed)
    import fasttext

    model = fasttext.load_model(str(partial))
    partial.replace(output)
    correct = sum(model.predict(classifier_line(text))[0][0] == label for label, text in test)
    write_training_record(
        output,
        "fastText math classifier",
        {"math": math_path, "general": general_path},
        {"train_lines": len(train), "held_out": len(test)},
    )
    return ClassifierReport(len(train), len(test), correct / len(test) if test else float("nan"), output)


def training_record_path(model: str | Path) -> Path:
    """Where the record of what a model was trained on lives: next to it, ``MODEL.trained_on.json``."""
    model = Path(model)
    return model.with_name(model.name + ".trained_on.json")


def write_training_record(
    model: Path, kind: str, inputs: dict[str, str | Path], counts: dict[str, int]
) -> None:
    """Record the training inputs of a model, so a pipeline using it can say what it was trained on."""
    record = {
        "model": kind,
        "inputs": {name: str(Path(path).resolve()) for name, path in inputs.items()},
        **counts,
    }
    training_record_path(model).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def describe_training(model: str | Path) -> str:
    """One line saying what a model was trained on (or that nothing says so)."""
    path = training_record_path(model)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{model}: no training record ({path.name} missing), training data unknown"
    inputs = ", ".join(f"{name}={value}" for name, value in record.get("inputs", {}).items())
    counts = ", ".join(
        f"{key} {value:,}"
        for key, value in record.items()
        if key not in ("model", "inputs") and isinstance(value, int)
    )
    return f"{model}: {record.get('model', 'model')} trained on {inputs} ({counts})"


# --- KenLM model -----------------------------------------------------------------------------------


@dataclass
class KenlmReport:
    sentences: int
    tokens: int
    ngrams: list[int]
    output: Path


def corpus_sentences(texts: Sequence[str]) -> Iterator[list[str]]:
    """Each non-empty line of each text as a list of tokens (the same tokenization as scoring)."""
    for text in texts:
        for line in text.splitlines():
            if tokens := kenlm_tokens(line):
                yield tokens


def train_kenlm(corpus_path: str | Path, output: str | Path, order: int = 5) -> KenlmReport:
    """Estimate an interpolated modified Kneser-Ney model of ``order`` and write it as ARPA."""
    if order < 2:
        raise MathlmError(f"--order must be at least 2, got {order}")
    sentences = list(corpus_sentences(read_texts(corpus_path)))
    model = KneserNeyEstimator(order).estimate(sentences)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    write_arpa(model, output)
    write_training_record(
        output, f"KenLM {order}-gram model", {"corpus": corpus_path}, {"sentences": len(sentences)}
    )
    return KenlmReport(
        len(sentences), sum(len(s) for s in sentences), [len(level) for level in model], output
    )


# One dict per order: n-gram -> (log10 probability, log10 backoff or None).
ArpaModel = list[dict[Ngram, tuple[float, float | None]]]


class KneserNeyEstimator:
    """Interpolated modified Kneser-Ney with three discounts per order, estimated from adjusted counts.

    Adjusted counts: the highest order and n-grams starting with ``<s>`` use raw counts; every other
    n-gram counts the distinct words seen before it (its continuation count). For a context ``h``:

        p(w | h) = (a(hw) - D(a(hw))) / sum_x a(hx)  +  gamma(h) * p(w | h minus its first word)
        gamma(h) = (D1 N1(h.) + D2 N2(h.) + D3 N3+(h.)) / sum_x a(hx)

    and the unigram level interpolates with the uniform distribution over the vocabulary (plus
    ``<unk>``). ``gamma(h)`` is the ARPA backoff weight of ``h``.
    """

    def __init__(self, order: int):
        self.order = order

    def estimate(self, sentences: Sequence[Sequence[str]]) -> ArpaModel:
        adjusted = self._adjusted_counts(self._raw_counts(sentences))
        model: ArpaModel = []
        for counts in adjusted:
            discounts = self._discounts(counts)
            model.append(self._interpolate(counts, discounts, model[-1] if model else None))
        return model

    def _raw_counts(self, sentences: Sequence[Sequence[str]]) -> list[Counter[Ngram]]:
        raw: list[Counter[Ngram]] = [Counter() for _ in range(self.order)]
        for tokens in sentences:
            padded = (BOS, *tokens, EOS)
            for start in range(len(padded)):
                for n in range(1, min(self.order, len(padded) - start) + 1):
                    raw[n - 1][padded[start : start + n]] += 1
        return raw

    def _adjusted_counts(self, raw: list[Counter[Ngram]]) -> list[dict[Ngram, int]]:
        adjusted: list[dict[Ngram, int]] = []
        for n in range(1, self.order + 1):
            if n == self.order:
                adjusted.append(dict(raw[n - 1]))
                continue
            left_extensions: Counter[Ngram] = Counter(ngram[1:] for ngram in raw[n])
            adjusted.append(
                {
                    ngram: count if ngram[0] == BOS else left_extensions[ngram]
                    for ngram, count in raw[n - 1].items()
                }
            )
        del adjusted[0][(BOS,)]  # <s> is only ever a context, never predicted
        return adjusted

    @staticmethod
    def _discounts(counts: dict[Ngram, int]) -> tuple[float, float, float]:
        count_of_counts = Counter(min(count, 4) for count in counts.values())
        t1, t2, t3, t4 = (count_of_counts[k] for k in (1, 2, 3, 4))
        if min(t1, t2, t3, t4) == 0:
            return FALLBACK_DISCOUNTS
        y = t1 / (t1 + 2 * t2)
        discounts = (1 - 2 * y * t2 / t1, 2 - 3 * y * t3 / t2, 3 - 4 * y * t4 / t3)
        if not all(0 < d <= k for k, d in enumerate(discounts, start=1)):
            return FALLBACK_DISCOUNTS
        return discounts

    def _interpolate(
        self,
        counts: dict[Ngram, int],
        discounts: tuple[float, float, float],
        lower: dict[Ngram, tuple[float, float | None]] | None,
    ) -> dict[Ngram, tuple[float, float | None]]:
        """Interpolated probabilities of one order; sets the backoff weights of the order below."""
        by_context: dict[Ngram, list[Ngram]] = defaultdict(list)
        for ngram in counts:
            by_context[ngram[:-1]].append(ngram)
        vocabulary_size = len(counts) + 1  # used at the unigram level only: the words, </s> and <unk>
        probs: dict[Ngram, tuple[float, float | None]] = {}
        for context, ngrams in by_context.items():
            total = sum(counts[ngram] for ngram in ngrams)
            gamma = sum(discounts[min(counts[ngram], 3) - 1] for ngram in ngrams) / total
            for ngram in ngrams:
                count = counts[ngram]
                lower_prob = 1 / vocabulary_size if lower is None else 10 ** lower[ngram[1:]][0]
                prob = (count - discounts[min(count, 3) - 1]) / total + gamma * lower_prob
                probs[ngram] = (math.log10(prob), None)
            if lower is None:
                probs[(UNK,)] = (math.log10(gamma / vocabulary_size), None)
                probs[(BOS,)] = (-99.0, None)
            else:
                lower[context] = (lower[context][0], math.log10(gamma))
        return probs


def write_arpa(model: ArpaModel, path: Path) -> None:
    """Write the model in ARPA format (what ``lmplz`` writes and ``kenlm.Model`` reads)."""
    with path.open("w", encoding="utf-8") as out:
        out.write("\\data\\\n")
        for n, level in enumerate(model, start=1):
            out.write(f"ngram {n}={len(level)}\n")
        for n, level in enumerate(model, start=1):
            out.write(f"\n\\{n}-grams:\n")
            for ngram, (log_prob, log_backoff) in level.items():
                backoff = f"\t{log_backoff:.7g}" if log_backoff is not None else ""
                out.write(f"{log_prob:.7g}\t{' '.join(ngram)}{backoff}\n")
        out.write("\n\\end\\\n")
