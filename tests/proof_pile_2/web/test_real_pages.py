"""The extractor and the prefilter on the real-page corpus (``tests/data/real_pages``, see its README)."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path

import pytest
from datatrove.data import Document

from mathlm.proof_pile_2.web.extract import extract_math_text
from mathlm.proof_pile_2.web.prefilter import MathPrefilter

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO / "tests" / "data" / "real_pages"
PROVENANCE = ("package", "version", "path", "license", "registry", "sha256")


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location(
        "extract_html_real", REPO / "benchmarks" / "extract_html.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture(scope="module")
def pages(bench):
    return bench.load_corpus()


def test_corpus_pages_are_the_packaged_files_with_provenance():
    manifest = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["pages"]
    for entry in manifest:
        assert all(entry[key] for key in PROVENANCE), entry["id"]
        assert hashlib.sha256((CORPUS / entry["file"]).read_bytes()).hexdigest() == entry["sha256"], entry[
            "id"
        ]
        assert entry["must_math"] or entry["must_text"] or entry["must_not"], entry["id"]
    assert sorted(path.name for path in (CORPUS / "pages").iterdir()) == sorted(
        Path(entry["file"]).name for entry in manifest
    )
    assert sum(entry["math"] for entry in manifest) >= 60
    assert sum(not entry["math"] for entry in manifest) >= 15
    families = Counter(entry["family"] for entry in manifest if entry["math"])
    assert len(families) >= 10
    assert families["mathml"] >= 2 and families["mathml_tex_annotation"] >= 1  # MathML without and with TeX


def test_extractor_holds_the_hand_checked_expectations(bench, pages):
    failed, total = [], 0
    for page in pages:
        for kind, fragment, held in bench.check_expectations(page, extract_math_text(page.html).text):
            total += 1
            if not held:
                failed.append((page.id, kind, fragment))
    assert total > 200
    assert len(failed) <= 0.05 * total, failed


def test_every_latex_math_page_keeps_formulas_and_passes_the_prefilter(pages):
    prefilter = MathPrefilter()
    for page in pages:
        if not page.latex:
            continue
        extracted = extract_math_text(page.html)
        assert extracted.found_math and extracted.math_fragments, page.id
        assert prefilter.filter(Document(text=page.html, id=page.id)) is True, page.id


def test_non_math_pages_have_no_formulas(pages):
    for page in pages:
        if not page.math:
            extracted = extract_math_text(page.html)
            assert not extracted.math_fragments, (page.id, extracted.math_fragments[:3])
