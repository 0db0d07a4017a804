"""Plain-text corpora: math vs general documents for training the math-score classifier and the KenLM
model in tests, and longer general-domain documents used as the "5% general data" of the mixture."""

from __future__ import annotations

import json
import random
from pathlib import Path

from tools.sample_data import prose_general, prose_math

Rng = random.Random

MATH_DOCS = 300
GENERAL_DOCS = 300
GENERAL_WEB_DOCS = 100


def math_documents(rng: Rng, count: int) -> list[dict[str, str]]:
    """Short math texts with LaTeX: one to three worked-example paragraphs on a random topic."""
    docs = []
    for index in range(count):
        topic = prose_math.MATH_TOPICS[index % len(prose_math.MATH_TOPICS)]
        paragraphs = prose_math.math_paragraphs(rng, [topic], rng.randint(1, 3))
        docs.append({"id": f"math-{index:04d}", "text": "\n\n".join(paragraphs)})
    return docs


def general_documents(rng: Rng, count: int, prefix: str, sentences: tuple[int, int]) -> list[dict[str, str]]:
    """Everyday English texts cycling through the general topics."""
    docs = []
    for index in range(count):
        topic = prose_general.GENERAL_TOPICS[index % len(prose_general.GENERAL_TOPICS)]
        article = prose_general.general_article(rng, topic, sentences=rng.randint(*sentences))
        docs.append({"id": f"{prefix}-{index:04d}", "text": article.plain_text()})
    return docs


def write_jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_corpora(seed: int, out_dir: Path) -> dict[str, int]:
    """Write math.jsonl, general.jsonl and general_web.jsonl; returns their document counts."""
    rng = Rng(seed)
    files = {
        "math.jsonl": math_documents(rng, MATH_DOCS),
        "general.jsonl": general_documents(rng, GENERAL_DOCS, "general", (3, 6)),
        "general_web.jsonl": general_documents(rng, GENERAL_WEB_DOCS, "web", (9, 12)),
    }
    for name, rows in files.items():
        write_jsonl(out_dir / name, rows)
    return {name: len(rows) for name, rows in files.items()}
