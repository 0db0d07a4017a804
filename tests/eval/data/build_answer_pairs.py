"""Build ``answer_pairs.jsonl`` from the hand-written ``answer_pairs.src`` (see README.md).

Each source line names a test-file reference (``math:1358``: the MATH test row with ``idx`` 1358) or
types one (``ref=11:21``), then a prediction, a label written by hand (``=`` same answer, ``!``
different) and a kind. This script only looks the references up verbatim and writes JSON lines; it
never runs an answer checker, so the labels are the author's, not a checker's.

    python tests/eval/data/build_answer_pairs.py [--benchmarks DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).parent
FILES = {
    "math": "math/test.jsonl",
    "ocw": "ocw/test.jsonl",
    "gsm8k": "gsm8k/test.jsonl",
    "mmlu_stem": "mmlu_stem/test.jsonl",
    "sat_math": "sat_math/test.jsonl",
}


def reference_of(benchmark: str, row: dict) -> str:
    """The reference answer exactly as the test file states it."""
    if benchmark == "gsm8k":
        return row["answer"].rsplit("####", 1)[1].strip()
    if benchmark == "mmlu_stem":
        return "ABCD"[int(row["answer"])]
    if benchmark == "sat_math":
        return row["Answer"].strip()
    return row["answer"]


def build(benchmarks: Path) -> list[dict]:
    rows = {
        name: [json.loads(line) for line in (benchmarks / path).open(encoding="utf-8")]
        for name, path in FILES.items()
    }
    pairs = []
    for number, line in enumerate((HERE / "answer_pairs.src").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        source, prediction, label, kind = (field.strip() for field in line.split(" ## "))
        if source.startswith("ref="):
            benchmark, origin, reference = "typed", "typed in answer_pairs.src", source.removeprefix("ref=")
        else:
            benchmark, index = source.split(":")
            reference = reference_of(benchmark, rows[benchmark][int(index)])
            origin = f"{FILES[benchmark]} line {int(index) + 1}"
        if label not in ("=", "!"):
            raise ValueError(f"answer_pairs.src:{number}: label must be = or !, got {label!r}")
        pairs.append(
            {
                "id": len(pairs),
                "benchmark": benchmark,
                "reference": reference,
                "prediction": prediction,
                "equal": label == "=",
                "kind": kind,
                "tolerance": "relative" if benchmark == "ocw" else "exact",
                "reference_from": origin,
                "src_line": number,
            }
        )
    return pairs


def main() -> None:
    from mathlm.assets import BENCHMARKS_DIR

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--benchmarks", type=Path, default=BENCHMARKS_DIR)
    args = parser.parse_args()
    pairs = build(args.benchmarks)
    with (HERE / "answer_pairs.jsonl").open("w", encoding="utf-8") as handle:
        for pair in pairs:
            handle.write(json.dumps(pair, ensure_ascii=False) + "\n")
    print(f"{len(pairs)} pairs ({sum(p['equal'] for p in pairs)} equal) -> {HERE / 'answer_pairs.jsonl'}")


if __name__ == "__main__":
    main()
