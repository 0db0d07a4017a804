"""Training the filter models on the embedded corpora: the math classifier and the KenLM model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import kenlm
import pytest

from mathlm.assets import SAMPLE_DATA_DIR
from mathlm.errors import MathlmError
from mathlm.proof_pile_2.web.math_score import FastTextMathScorer
from mathlm.proof_pile_2.web.train import BOS, EOS, UNK, read_texts, train_kenlm, train_math_classifier

CORPORA = SAMPLE_DATA_DIR / "corpora"
MATHLM = [sys.executable, "-m", "mathlm.cli"]


@pytest.fixture(scope="module")
def arpa(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kenlm") / "math.arpa"
    train_kenlm(CORPORA / "math.jsonl", path, order=4)
    return path


def test_classifier_is_accurate_on_held_out_documents(tmp_path: Path) -> None:
    report = train_math_classifier(CORPORA / "math.jsonl", CORPORA / "general.jsonl", tmp_path / "clf.bin")
    assert report.held_out_examples >= 10
    assert report.held_out_accuracy >= 0.9
    scorer = FastTextMathScorer(report.output)
    math_text = read_texts(CORPORA / "math.jsonl")[0]
    general_text = read_texts(CORPORA / "general.jsonl")[0]
    assert scorer.score(math_text) > 0.5 > scorer.score(general_text)


def test_classifier_training_is_deterministic_after_heap_churn(tmp_path: Path) -> None:
    # fastText leaves most of its input matrix uninitialised; freed large blocks in this process used to
    # leak into it, so two trainings with the same seed gave different (sometimes NaN) models.
    first = train_math_classifier(
        CORPORA / "math.jsonl", CORPORA / "general.jsonl", tmp_path / "a.bin", epochs=5
    )
    churn = [bytearray(8 << 20) for _ in range(4)]
    del churn
    second = train_math_classifier(
        CORPORA / "math.jsonl", CORPORA / "general.jsonl", tmp_path / "b.bin", epochs=5
    )
    assert first.output.read_bytes() == second.output.read_bytes()
    assert not list(tmp_path.glob("*.partial"))


def test_kenlm_model_loads_and_every_distribution_sums_to_one(arpa: Path) -> None:
    model = kenlm.Model(str(arpa))
    assert model.order == 4
    vocabulary = {
        line.split("\t")[1]
        for line in arpa.read_text(encoding="utf-8").split("\\2-grams:")[0].splitlines()
        if line.count("\t") >= 1
    } - {BOS}
    assert {EOS, UNK} <= vocabulary
    first_line = read_texts(CORPORA / "math.jsonl")[0].lower().split()
    for context in ([], first_line[:1], first_line[:3], ["never-seen-word"]):
        state, scratch = kenlm.State(), kenlm.State()
        model.BeginSentenceWrite(state)
        for word in context:
            model.BaseScore(state, word, scratch)
            state, scratch = scratch, state
        total = sum(10 ** model.BaseScore(state, word, kenlm.State()) for word in vocabulary)
        assert total == pytest.approx(1.0, abs=1e-4)


def test_kenlm_model_prefers_math_text(arpa: Path) -> None:
    model = kenlm.Model(str(arpa))
    math_line = read_texts(CORPORA / "math.jsonl")[-1].splitlines()[-1].lower()
    general_line = read_texts(CORPORA / "general.jsonl")[-1].splitlines()[-1].lower()
    assert model.perplexity(math_line) < model.perplexity(general_line)


def test_malformed_lines_are_skipped_and_an_empty_corpus_is_a_clear_error(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        json.dumps({"text": "a b c"}) + "\n{broken\n" + json.dumps({"txt": 1}) + "\n", encoding="utf-8"
    )
    assert read_texts(corpus) == ["a b c"]
    (tmp_path / "empty.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(MathlmError, match="no records"):
        read_texts(tmp_path / "empty.jsonl")
    with pytest.raises(MathlmError, match="corpus not found"):
        read_texts(tmp_path / "missing.jsonl")


def test_cli_commands_train_both_models(tmp_path: Path) -> None:
    clf = subprocess.run(
        [
            *MATHLM,
            "data",
            "train-classifier",
            "--math",
            str(CORPORA / "math.jsonl"),
            "--general",
            str(CORPORA / "general.jsonl"),
            "--output",
            str(tmp_path / "m.bin"),
            "--epochs",
            "5",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "held-out accuracy" in clf.stderr and (tmp_path / "m.bin").is_file()
    lm = subprocess.run(
        [
            *MATHLM,
            "data",
            "train-kenlm",
            "--corpus",
            str(CORPORA / "math.jsonl"),
            "--output",
            str(tmp_path / "m.arpa"),
            "--order",
            "3",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "3-grams" in lm.stderr and kenlm.Model(str(tmp_path / "m.arpa")).order == 3
    bad = subprocess.run(
        [
            *MATHLM,
            "data",
            "train-kenlm",
            "--corpus",
            str(tmp_path / "nope.jsonl"),
            "--output",
            str(tmp_path / "x.arpa"),
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "corpus not found" in bad.stderr


def test_pipeline_says_what_each_model_was_trained_on(arpa: Path, tmp_path: Path) -> None:
    from mathlm.proof_pile_2.web.pipeline import WebPipelineConfig, build_web_pipeline

    untracked = tmp_path / "copied.arpa"
    untracked.write_bytes(arpa.read_bytes())
    cfg = WebPipelineConfig(kenlm_model=str(arpa), dedup={"enabled": False})
    models = build_web_pipeline(cfg, tmp_path, tmp_path / "out", tmp_path / "work").models
    corpus = str((CORPORA / "math.jsonl").resolve())
    assert models[0].startswith(
        f"perplexity: {arpa}: KenLM 4-gram model trained on corpus={corpus} (sentences "
    )
    assert models[1].startswith("math score: rule-based")
    copied = build_web_pipeline(
        WebPipelineConfig(kenlm_model=str(untracked)), tmp_path, tmp_path / "o", tmp_path / "w"
    )
    assert "no training record" in copied.models[0]
