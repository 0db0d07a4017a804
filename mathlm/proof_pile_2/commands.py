"""``mathlm data``: build the Proof-Pile-2 subsets, tokenize them, train the filter models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mathlm.cli.options import SetOption

data_app = typer.Typer(
    help="Build Proof-Pile-2 data: arXiv, math web, math code, decontamination, tokens.", no_args_is_help=True
)


@data_app.command("build")
def build(
    config: Annotated[Path, typer.Argument(help="A data build config, e.g. configs/data/sample.yaml.")],
    workdir: Annotated[
        Path, typer.Option(help="Where outputs, logs and stats go; re-running resumes there.")
    ],
    overrides: SetOption = [],  # noqa: B006 - typer reads the default, never mutates it
) -> None:
    """Build the arXiv, open-web-math and algebraic-stack subsets, then decontaminate them (datatrove)."""
    from mathlm.config import load_config
    from mathlm.proof_pile_2.build import run_build
    from mathlm.proof_pile_2.config import DataBuildConfig

    run_build(load_config(config, DataBuildConfig, overrides), workdir)


@data_app.command("extract-html")
def extract_html(
    page: Annotated[Path, typer.Argument(help="An HTML file (any encoding; it is detected).")],
    url: Annotated[str | None, typer.Option(help="The page's URL, for site-specific handling.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole ExtractedPage as JSON.")] = False,
) -> None:
    """Print the text of one HTML page as the math web pipeline extracts it, formulas as LaTeX."""
    import json

    from mathlm.errors import MathlmError
    from mathlm.proof_pile_2.web.extract import decode_html, extract_math_text

    if not page.is_file():
        raise MathlmError(f"{page}: no such file; pass the path of a saved HTML page.")
    extracted = extract_math_text(decode_html(page.read_bytes()), url=url)
    if as_json:
        typer.echo(json.dumps(extracted.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(extracted.text)


@data_app.command("train-classifier")
def train_classifier(
    math: Annotated[Path, typer.Option(help='JSONL of math documents ({"text": ...} per line).')],
    general: Annotated[Path, typer.Option(help="JSONL of general (non-math) documents.")],
    output: Annotated[
        Path, typer.Option(help="Where to write the fastText model, e.g. math_classifier.bin.")
    ],
    held_out: Annotated[float, typer.Option(help="Share of each corpus held out to measure accuracy.")] = 0.1,
    epochs: Annotated[int, typer.Option(help="Training epochs.")] = 25,
    seed: Annotated[int, typer.Option(help="Seed of the split and of fastText.")] = 0,
) -> None:
    """Train the math-score classifier of the web pipeline (build config: web.pipeline.math_classifier)."""
    from mathlm.console import console, summary_table
    from mathlm.proof_pile_2.web.train import train_math_classifier

    report = train_math_classifier(math, general, output, held_out=held_out, epochs=epochs, seed=seed)
    console.print(
        summary_table(
            "math classifier",
            [
                {
                    "train examples": report.train_examples,
                    "held-out examples": report.held_out_examples,
                    "held-out accuracy": report.held_out_accuracy,
                    "model": str(report.output),
                }
            ],
        )
    )


@data_app.command("train-kenlm")
def train_kenlm(
    corpus: Annotated[Path, typer.Option(help='JSONL of math text ({"text": ...} per line).')],
    output: Annotated[Path, typer.Option(help="Where to write the model, in ARPA format (e.g. math.arpa).")],
    order: Annotated[int, typer.Option(help="n-gram order.")] = 5,
) -> None:
    """Train the KenLM model of the perplexity filter (build config: web.pipeline.kenlm_model)."""
    from mathlm.console import console, summary_table
    from mathlm.proof_pile_2.web.train import train_kenlm as estimate

    report = estimate(corpus, output, order=order)
    row = {"sentences": report.sentences, "tokens": report.tokens}
    row |= {f"{n}-grams": count for n, count in enumerate(report.ngrams, start=1)}
    console.print(summary_table("KenLM model", [row | {"model": str(report.output)}]))


@data_app.command("tokenize")
def tokenize(
    tokenizer: Annotated[
        Path, typer.Option(help="A sentencepiece .model, a tokenizer.json, or a folder with one.")
    ],
    input: Annotated[
        Path,
        typer.Option(
            "--input",
            help="A JSONL(.gz)/Parquet file with a `text` field, or a folder of them (searched recursively).",
        ),
    ],
    output: Annotated[
        Path, typer.Option(help="Output prefix: writes PREFIX.bin + PREFIX.idx (GPT-NeoX data path).")
    ],
    workers: Annotated[int, typer.Option(help="Local processes (one task per input file).")] = 1,
    executor: Annotated[
        str, typer.Option(help="local, or slurm (a job array; merge afterwards by re-running locally).")
    ] = "local",
    merge: Annotated[bool, typer.Option(help="Merge the per-task shards PREFIX_XXXXX into PREFIX.")] = True,
    eos_token: Annotated[
        str | None,
        typer.Option(
            help="End-of-document token of a tokenizer.json (default: its tokenizer_config.json's eos_token)."
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Documents encoded per native tokenizer call.")] = 512,
    overwrite: Annotated[bool, typer.Option(help="Replace an existing PREFIX.idx/.bin.")] = False,
    partition: Annotated[str | None, typer.Option(help="Slurm partition (default: the cluster's).")] = None,
) -> None:
    """Tokenize documents into Megatron/GPT-NeoX mmap shards, end-of-document token appended.

    Empty and whitespace-only documents are counted and skipped.
    """
    from mathlm.console import console, summary_table
    from mathlm.errors import MathlmError
    from mathlm.proof_pile_2.tokens.pipeline import tokenize_documents

    if executor not in ("local", "slurm"):
        raise MathlmError(f"--executor {executor!r}: expected local or slurm")
    result = tokenize_documents(
        input,
        output,
        tokenizer,
        workers=workers,
        executor=executor,  # type: ignore[arg-type]
        merge=merge,
        eos_token=eos_token,
        batch_size=batch_size,
        overwrite=overwrite,
        slurm_partition=partition,
    )
    if executor == "local":
        console.print(summary_table("tokenize", result.summary_rows()))


@data_app.command("mixture")
def mixture(
    config: Annotated[
        Path, typer.Argument(help="A mixture config, e.g. configs/data/proof_pile_2_mixture.yaml.")
    ],
    tokens: Annotated[float, typer.Option(help="Training token budget, e.g. 55e9.")],
    seq_len: Annotated[int, typer.Option(help="Tokens per training sample.")] = 4096,
    overrides: SetOption = [],  # noqa: B006 - typer reads the default, never mutates it
) -> None:
    """Report the realised proportion, samples, tokens and epochs of each source for a token budget."""
    from mathlm.console import console, summary_table
    from mathlm.shards.mixture import load_mixture, plan_mixture

    cfg = load_mixture(config, overrides)
    rows = plan_mixture(cfg, tokens, seq_len)
    console.print(summary_table(f"mixture '{cfg.name}': {tokens:,.0f} tokens, {seq_len}-token samples", rows))
