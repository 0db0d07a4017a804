"""Write the embedded sample corpus: ``python -m tools.sample_data.generate [OUT_DIR]``.

Everything under ``mathlm/assets/sample/`` comes from this script: a small Common-Crawl-like
crawl (two WARC files), arXiv source tarballs, AlgebraicStack-style code, plain-text corpora and
``manifest.json``, which says what each file or record is meant to exercise. Seeds, timestamps and
gzip headers are fixed, so a rerun rewrites the same bytes (the tests check this). The only input is
the vendored MATH and GSM8k test sets, from which a few problems are copied on purpose so that
decontamination has something to find.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from mathlm.assets import BENCHMARKS_DIR, SAMPLE_DATA_DIR
from tools.sample_data import arxiv, code_files, corpora, web
from tools.sample_data.benchmarks import load_rows

SEED = 20231
MANIFEST_VERSION = 1
OUTPUTS = ("web", "arxiv", "code", "corpora", "manifest.json")


def generate_web(out_dir: Path, math_rows: list[dict[str, object]]) -> dict[str, object]:
    gsm_rows = load_rows(BENCHMARKS_DIR / "gsm8k" / "test.jsonl")
    fetches, facts = web.build_crawl(SEED, math_rows, gsm_rows)
    records = web.write_warcs(fetches, out_dir / "web", SEED)
    return {"files": [f"web/{name}" for name in web.WARC_NAMES], "records": records, **facts}


def generate_arxiv(out_dir: Path, math_rows: list[dict[str, object]], exclude: set[int]) -> dict[str, object]:
    papers = arxiv.build_papers(SEED + 1, math_rows, exclude)
    rows = arxiv.write_arxiv(papers, arxiv.redpajama_records(SEED + 2), out_dir / "arxiv")
    return {
        "tarballs": rows,
        "redpajama_jsonl": "arxiv/redpajama_sample.jsonl",
        "redpajama_records": arxiv.REDPAJAMA_RECORDS,
    }


def _code_row(code: code_files.CodeFile, **where: object) -> dict[str, object]:
    return {**where, "lang": code.lang, "expected": code.expected, "reason": code.reason, "kinds": code.kinds}


def generate_code(out_dir: Path) -> dict[str, object]:
    rng = code_files.Rng(SEED + 3)
    repo_root = out_dir / "code" / "repos"
    repos = code_files.build_repos(rng)
    files = []
    for repo in repos:
        for code in repo.files:
            path = repo_root / repo.name / code.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(code.content, encoding="utf-8")
            files.append(_code_row(code, path=f"code/repos/{repo.name}/{code.path}", repo=repo.name))
    stack_rows = []
    with (out_dir / "code" / "the_stack_sample.jsonl").open("w", encoding="utf-8") as handle:
        for line, (code, repo_name) in enumerate(code_files.the_stack_records(rng)):
            record = {
                "content": code.content,
                "lang": code.lang,
                "path": code.path,
                "repo_name": repo_name,
                "size": len(code.content.encode("utf-8")),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            stack_rows.append(_code_row(code, line=line, path=code.path, repo_name=repo_name))
    return {
        "repos_dir": "code/repos",
        "files": files,
        "the_stack_jsonl": "code/the_stack_sample.jsonl",
        "the_stack": stack_rows,
        "synthesize": code_files.synthesize_rules("code/repos"),
        "excluded_repo_names": ["miniF2F", "ProofNet"],
    }


def generate(out_dir: Path) -> dict[str, object]:
    """Rewrite ``out_dir`` with the whole sample corpus; returns the manifest it wrote."""
    for name in OUTPUTS:  # only what this script writes, so a mistyped OUT_DIR loses nothing else
        target = out_dir / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)
    math_rows = load_rows(BENCHMARKS_DIR / "math" / "test.jsonl")
    web_part = generate_web(out_dir, math_rows)
    used = {int(str(c["index"])) for c in web_part["contamination"] if c["benchmark"] == "math"}  # type: ignore[union-attr]
    manifest = {
        "version": MANIFEST_VERSION,
        "seed": SEED,
        "web": web_part,
        "arxiv": generate_arxiv(out_dir, math_rows, used),
        "code": generate_code(out_dir),
        "corpora": {"dir": "corpora", "documents": corpora.write_corpora(SEED + 4, out_dir / "corpora")},
    }
    (out_dir / "manifest.json").write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return manifest


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else SAMPLE_DATA_DIR
    generate(out_dir)
    total = sum(path.stat().st_size for path in out_dir.rglob("*") if path.is_file())
    print(f"wrote {out_dir} ({total / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
