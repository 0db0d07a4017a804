"""``mathlm quickstart``: the whole mathlm path on the embedded sample data, offline.

Stages run in order, each a small function that calls the same code as the corresponding CLI
command and returns a few numbers for the closing summary. A stage writes under ``WORKDIR/<stage>``
and can be re-run alone with ``--stages``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mathlm.console import console, stage, summary_table
from mathlm.errors import MathlmError


@dataclass
class QuickstartContext:
    """What stages share: the work directory and the outputs of earlier stages."""

    workdir: Path
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def dir(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=True)
        return path


StageFn = Callable[[QuickstartContext], dict[str, Any]]


def _stage_sample(ctx: QuickstartContext) -> dict[str, Any]:
    """Inventory of the embedded sample corpus every later stage reads."""
    from mathlm.sample_data import describe_sample

    return describe_sample()


def _stage_data(ctx: QuickstartContext) -> dict[str, Any]:
    """Proof-Pile-2 from the sample: `mathlm data build configs/data/sample.yaml`, with the math-score
    classifier and KenLM model OpenWebMath never released trained first on the sample's own corpora
    (`mathlm data train-classifier`, `mathlm data train-kenlm`), so every web stage runs."""
    from mathlm.assets import CONFIGS_DIR
    from mathlm.config import load_config
    from mathlm.proof_pile_2.build import run_build
    from mathlm.proof_pile_2.config import DataBuildConfig
    from mathlm.proof_pile_2.web.train import train_kenlm, train_math_classifier
    from mathlm.sample_data import sample_paths

    models, corpora = ctx.dir("models"), sample_paths()
    classifier = train_math_classifier(corpora.math_corpus, corpora.general_corpus, models / "math_score.bin")
    kenlm = train_kenlm(corpora.math_corpus, models / "math.arpa")
    overrides = [
        f"web.pipeline.math_classifier={classifier.output}",
        f"web.pipeline.kenlm_model={kenlm.output}",
    ]
    cfg = load_config(CONFIGS_DIR / "data" / "sample.yaml", DataBuildConfig, overrides=overrides)
    result = run_build(cfg, ctx.dir("data"))
    return {subset: sum(splits.values()) for subset, splits in result.stats["outputs"].items()} | {
        "classifier held-out accuracy": round(classifier.held_out_accuracy, 3),
        "workdir": str(result.workdir),
        "outputs": result.stats["outputs"],
    }


def _stage_tokenize(ctx: QuickstartContext) -> dict[str, Any]:
    """Each subset's training documents -> GPT-NeoX/Megatron token shards with SmolLM2's tokenizer (the
    model the quickstart trains), plus the mixture config that points at them."""
    from mathlm.inference.pretrained import smollm2_hf_checkpoint
    from mathlm.proof_pile_2.tokens.pipeline import tokenize_subsets

    documents = Path(ctx.outputs["data"]["workdir"]) if "data" in ctx.outputs else ctx.workdir / "data"
    return tokenize_subsets(
        documents, ctx.dir("tokenize"), smollm2_hf_checkpoint() / "tokenizer.json", workers=2
    )


def _stage_train(ctx: QuickstartContext) -> dict[str, Any]:
    """Continued pretraining of the real SmolLM2-135M on the tokenized sample (FSDP2, CPU), held-out
    loss on MATH test text measured before and after."""
    from mathlm.quickstart.train import train_quickstart

    tokens = ctx.outputs.get("tokenize", {}).get("mixture") or ctx.workdir / "tokenize" / "mixture.yaml"
    return train_quickstart(Path(tokens), ctx.dir("train"))


def _stage_eval(ctx: QuickstartContext) -> dict[str, Any]:
    """The train stage's model (else the original SmolLM2) on a few real GSM8k and MATH test problems and one
    GSM8k+Python problem run in the sandbox: `mathlm eval run configs/eval/smollm2_cpu.yaml`."""
    from mathlm.quickstart.eval import eval_quickstart

    return eval_quickstart(ctx.outputs.get("train", {}).get("checkpoint"), ctx.dir("eval"))


def _stage_memorization(ctx: QuickstartContext) -> dict[str, Any]:
    """Llemma's memorization analysis (`mathlm eval overlap`): 30-gram overlap of MATH test problems and
    solutions with the corpus the data stage kept, and with the documents decontamination removed;
    with the eval stage's MATH results, accuracy is split by hit / no hit."""
    from mathlm.eval.overlap import OverlapSettings, overlap_report

    data = Path(ctx.outputs["data"]["workdir"]) if "data" in ctx.outputs else ctx.workdir / "data"
    kept = [
        data / subset for subset in ("arxiv", "open-web-math", "algebraic-stack") if (data / subset).is_dir()
    ]
    removed = data / "work" / "decontamination" / "removed"
    samples = ctx.workdir / "eval" / "math" / "samples.jsonl"
    settings = OverlapSettings(benchmark="math", n=30)
    out = ctx.dir("memorization")
    summary: dict[str, Any] = {}
    for name, corpus in (("kept", kept), ("removed", [removed] if removed.is_dir() else [])):
        if not corpus:
            continue
        result = overlap_report(corpus, settings, out / name, results=samples if samples.is_file() else None)
        summary[f"{name} documents"] = result.documents
        summary[f"{name}: MATH items hit"] = len(result.tally.hit_ids("math"))
    return summary | {"report": str(out / "kept" / "overlap.md")}


def _stage_prove(ctx: QuickstartContext) -> dict[str, Any]:
    """Real proofs of miniF2F-rocq theorems in Coq: best-first search (automation baseline and SmolLM2
    tactics) and SmolLM2 whole proofs, every proof accepted by the sound verifier."""
    from mathlm.inference.pretrained import smollm2_hf_checkpoint
    from mathlm.quickstart.prove import coq_proving_demo

    return coq_proving_demo(ctx.dir("prove"), smollm2_hf_checkpoint())


STAGES: list[tuple[str, str, StageFn]] = [
    ("sample", "Embedded sample data", _stage_sample),
    ("data", "Proof-Pile-2 build (arXiv, web, code, decontamination)", _stage_data),
    ("tokenize", "Token shards (Megatron/GPT-NeoX format) and the training mixture", _stage_tokenize),
    ("train", "Continued pretraining of SmolLM2-135M (FSDP2, CPU)", _stage_train),
    ("eval", "Evaluation of the trained SmolLM2: GSM8k, MATH, GSM8k+Python (sandbox)", _stage_eval),
    ("memorization", "30-gram overlap of MATH test items with the built corpus", _stage_memorization),
    (
        "prove",
        "miniF2F-rocq in Coq: best-first search and whole proofs, checked by the sound verifier",
        _stage_prove,
    ),
]


def run_quickstart(workdir: Path, only: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """Run the stages (all, or those named in ``only``) and print a summary table; returns their results."""
    names = [name for name, _, _ in STAGES]
    unknown = sorted(set(only or []) - set(names))
    if unknown:
        raise MathlmError(
            f"unknown quickstart stage(s): {', '.join(unknown)}; stages are: {', '.join(names)}"
        )
    ctx = QuickstartContext(workdir=workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    start = time.perf_counter()
    for name, title, fn in STAGES:
        if only and name not in only:
            continue
        stage_start = time.perf_counter()
        with stage(f"{name}: {title}"):
            ctx.outputs[name] = fn(ctx)
        result = ", ".join(
            f"{k}={v}" for k, v in ctx.outputs[name].items() if not isinstance(v, (dict, list))
        )
        rows.append({"stage": name, "seconds": round(time.perf_counter() - stage_start, 1), "result": result})
    (workdir / "summary.json").write_text(json.dumps(ctx.outputs, indent=2, default=str), encoding="utf-8")
    console.print(summary_table(f"mathlm quickstart ({time.perf_counter() - start:.0f} s)", rows))
    console.print(f"outputs in {workdir}; summary in {workdir / 'summary.json'}")
    return ctx.outputs
