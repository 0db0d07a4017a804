"""HTML -> text with math: mathlm's extractor against OpenWebMath's published one, in one run.

Both extract the same pages, one process each, so pages per CPU-second is pages/s per core. Pages: the
HTML responses of the embedded sample WARCs (``mathlm/assets/sample/web/*.warc.gz``) and the
handwritten test pages (``tests/proof_pile_2/web/fixtures``), repeated ``--repeat`` times for stable
timings. For every page the formulas that the markup holds are enumerated independently of either
extractor (MathJax scripts, TeX annotations, LaTeX image alt text / URLs, MathML, delimited text), and
each extractor is scored on how many it kept as LaTeX, how many display formulas it kept as display
math, and on which pages rendered glyph debris (KaTeX's ``x2+y2``) leaked into its text.

OpenWebMath's extractor (PyPI ``openwebmath-text-extract`` 0.1.3) only works with ``resiliparse==1.1.0``,
so it runs in a side venv, in a subprocess; the script creates the venv on first use::

    python3 -m venv .venv-owm && .venv-owm/bin/pip install openwebmath-text-extract==0.1.3 resiliparse==1.1.0

Its configuration is sampled at random per document (``randomized_all.yaml``); for a fair comparison
every choice is fixed to its most likely value.

    python benchmarks/extract_html.py                 # sample WARCs + fixtures, 20 repeats
    python benchmarks/extract_html.py --repeat 50 --owm-python /path/to/python
"""

from __future__ import annotations

import sys
from pathlib import Path

# benchmarks/tokenize.py shadows the standard library's `tokenize` while this folder leads sys.path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from resiliparse.parse.html import HTMLTree  # noqa: E402

from mathlm.console import console, summary_table  # noqa: E402
from mathlm.proof_pile_2.web.extract import (  # noqa: E402
    TEXT_MATH,
    decode_html,
    delimited_math,
    extract_math_text,
    latex_from_url,
    strip_displaystyle,
    unwrap_delimiters,
)
from mathlm.proof_pile_2.web.mathml import is_display_math, math_to_latex, tex_annotation  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "proof_pile_2" / "web" / "fixtures"
SAMPLE_WEB = REPO / "mathlm" / "sample_data" / "files" / "web"
OWM_VENV = REPO / ".venv-owm"
OWM_REQUIREMENTS = ["openwebmath-text-extract==0.1.3", "resiliparse==1.1.0"]
EXAMPLES = 25  # lost formulas listed per extractor


def most_likely(node):
    """OpenWebMath's config with each randomised choice ``[[p, value], ...]`` fixed to its likeliest value."""
    if isinstance(node, dict):
        return {key: most_likely(value) for key, value in node.items()}
    if isinstance(node, list) and node and all(isinstance(item, list) and len(item) == 2 for item in node):
        return max(node, key=lambda item: item[0])[1]
    return node


# Runs inside the side venv (with ``most_likely`` prepended): extracts every page, reports CPU time.
OWM_RUNNER = r'''
import json, sys, time
from text_extract.extract import extract_text
from text_extract.utils import Config

config = most_likely(Config().config)
pages = json.load(open(sys.argv[1]))
repeat = int(sys.argv[2])
texts = []
start = time.process_time()
for round_ in range(repeat):
    for html in pages:
        try:
            result = extract_text(html, config)
            text = result[0] if result else ""
        except Exception:
            text = ""
        if round_ == 0:
            texts.append(text)
cpu = time.process_time() - start
json.dump({"texts": texts, "cpu_s": cpu, "config": config}, sys.stdout)
'''


@dataclass(frozen=True)
class MarkupFragment:
    """A formula as the page's markup holds it (ground truth for scoring extractors)."""

    latex: str
    kind: str
    display: bool


@dataclass
class Page:
    name: str
    page_set: str
    html: str


# --- ground truth ---------------------------------------------------------------------------------------

def markup_fragments(html: str) -> list[MarkupFragment]:
    """The formulas a page's markup holds, found without running either extractor."""
    tree = HTMLTree.parse(html)
    if tree.body is None:
        return []
    found = [*script_fragments(tree), *annotated_fragments(tree), *bare_mathml_fragments(tree),
             *image_fragments(tree)]
    found.extend(MarkupFragment(latex, "text_delimited", display)
                 for latex, display in delimited_in_text(tree))
    return [fragment for fragment in found if fragment.latex]


def script_fragments(tree: HTMLTree) -> list[MarkupFragment]:
    out = []
    for script in tree.body.query_selector_all("script[type^='math/tex']").values():
        source = re.sub(r"^\s*(%\s*)?<!\[CDATA\[|(%\s*)?\]\]>\s*$", "", script.text or "").strip()
        display = "mode=display" in (script.getattr("type") or "").replace(" ", "")
        out.append(MarkupFragment(source, "mathjax_script", display))
    return out


def annotated_fragments(tree: HTMLTree) -> list[MarkupFragment]:
    """KaTeX, MediaWiki and LaTeXML formulas: the TeX annotation next to their MathML."""
    out = []
    for math in tree.body.query_selector_all("math").values():
        latex = tex_annotation(math)
        if latex is None:
            continue
        display = is_display_math(math) or math.closest(".katex-display") is not None
        kind = "wikipedia_image" if math.closest(".mwe-math-element") is not None else "katex"
        out.append(MarkupFragment(strip_displaystyle(latex), kind, display))
    return out


def bare_mathml_fragments(tree: HTMLTree) -> list[MarkupFragment]:
    """MathML without a TeX annotation; its truth is the LaTeX our converter gives (see ``normalize``)."""
    out = []
    for math in tree.body.query_selector_all("math").values():
        if tex_annotation(math) is None and math.closest(".mwe-math-element") is None:
            out.append(MarkupFragment(math_to_latex(math), "mathml", is_display_math(math)))
    return out


def image_fragments(tree: HTMLTree) -> list[MarkupFragment]:
    """LaTeX images outside MediaWiki's math elements (whose annotation was counted already)."""
    out = []
    for image in tree.body.query_selector_all("img").values():
        classes = image.class_list.values()
        src, alt = image.getattr("src") or "", (image.getattr("alt") or "").strip()
        if any(name.startswith("mwe-math-fallback-image") for name in classes):
            element = image.closest(".mwe-math-element")
            if element is None or tex_annotation(element) is None:  # else its annotation was counted
                display = "display" in image.class_name
                out.append(MarkupFragment(strip_displaystyle(alt), "wikipedia_image", display))
        elif "codecogs.com" in src or "latex.php" in src or "latex" in classes or "latexcenter" in classes:
            latex, display = unwrap_delimiters(alt)
            if not re.search(r"[\\^_{}=]", latex):
                latex = re.sub(r"^(\s*\\(dpi\{\d+\}|bg_\w+|inline|large))+\s*", "", latex_from_url(src))
            out.append(MarkupFragment(latex.strip(), "latex_image", display or "latexcenter" in classes))
    return out


def delimited_in_text(tree: HTMLTree) -> list[tuple[str, bool]]:
    """``$..$``, ``$$..$$``, ``\\(..\\)``, ``\\[..\\]`` written in the page's visible text."""
    for node in tree.body.query_selector_all("script, style, math, .katex, .mwe-math-element").values():
        if node.parent is not None:
            node.parent.remove_child(node)
    return delimited_math(tree.body.text or "")


def glyph_debris(html: str) -> list[str]:
    """Text of KaTeX's rendered glyph spans (``x2+y2``): outside math delimiters it is debris."""
    tree = HTMLTree.parse(html)
    if tree.body is None:
        return []
    debris = []
    for glyphs in tree.body.query_selector_all(".katex-html").values():
        text = "".join((glyphs.text or "").split())
        if len(text) >= 4:
            debris.append(text)
    return debris


def has_debris(debris: list[str], text: str) -> bool:
    """Whether any glyph string shows up in the text once its formulas are cut out."""
    outside_math = "".join(TEXT_MATH.sub(" ", text).split())
    return any(glyphs in outside_math for glyphs in debris)


# --- scoring --------------------------------------------------------------------------------------------

def normalize(latex: str) -> str:
    """LaTeX without spacing, braces and sizing, so one formula spelled two ways compares equal."""
    latex = re.sub(r"\\(left|right|displaystyle|textstyle|mathrm|text|operatorname|,|;|!|quad|qquad)"
                   r"(?![A-Za-z])", "", latex)
    for long, short in ((r"\leq", r"\le"), (r"\geq", r"\ge"), (r"\neq", r"\ne"), (r"\to", r"\rightarrow")):
        latex = latex.replace(long, short)
    return re.sub(r"[\s{}]|\\ ", "", latex)


def math_spans(text: str) -> list[tuple[str, bool]]:
    """The (normalized) formulas of an extracted text with their display flag."""
    return [(normalize(latex), display) for latex, display in delimited_math(text)]


def score(fragments: list[MarkupFragment], text: str) -> dict[str, int | list[MarkupFragment]]:
    """How many markup formulas the text kept inside math delimiters, and how many display ones as display."""
    spans = math_spans(text)
    kept, display_kept, lost = 0, 0, []
    for fragment in fragments:
        target = normalize(fragment.latex)
        hits = [display for span, display in spans if target and target in span]
        if hits:
            kept += 1
            display_kept += fragment.display and any(hits)
        else:
            lost.append(fragment)
    return {"kept": kept, "display_kept": display_kept, "lost": lost}


# --- running --------------------------------------------------------------------------------------------

def load_pages() -> list[Page]:
    pages = [Page(path.name, "fixtures", decode_html(path.read_bytes()))
             for path in sorted(FIXTURES.glob("*.html"))]
    for warc in sorted(SAMPLE_WEB.glob("*.warc.gz")):
        pages.extend(warc_pages(warc))
    return pages


def warc_pages(path: Path) -> list[Page]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    pages = []
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream, record_types=WarcRecordType.response):
            content_type = record.http_headers.get("Content-Type", "") if record.http_headers else ""
            if "html" not in content_type.lower():
                continue
            url = record.headers.get("WARC-Target-URI", "")
            page_set = "sample " + path.name.split(".")[0]
            pages.append(Page(url, page_set, decode_html(record.reader.read(), content_type)))
    return pages


def ensure_owm_python(python: Path | None) -> Path:
    if python is not None:
        return python
    interpreter = OWM_VENV / "bin" / "python"
    if not interpreter.exists():
        console.print(f"creating {OWM_VENV} for OpenWebMath's extractor ({', '.join(OWM_REQUIREMENTS)})")
        subprocess.run([sys.executable, "-m", "venv", str(OWM_VENV)], check=True)
        subprocess.run([str(interpreter), "-m", "pip", "install", "-q", *OWM_REQUIREMENTS], check=True)
    return interpreter


def run_owm(python: Path, pages: list[Page], repeat: int) -> tuple[list[str], float]:
    with tempfile.TemporaryDirectory() as tmp:
        pages_file, runner = Path(tmp) / "pages.json", Path(tmp) / "owm_runner.py"
        pages_file.write_text(json.dumps([page.html for page in pages]))
        runner.write_text(inspect.getsource(most_likely) + OWM_RUNNER)
        done = subprocess.run([str(python), str(runner), str(pages_file), str(repeat)], capture_output=True,
                              text=True, check=True, cwd=tmp)
    result = json.loads(done.stdout)
    return result["texts"], result["cpu_s"]


def run_ours(pages: list[Page], repeat: int) -> tuple[list[str], float]:
    texts = [extract_math_text(page.html).text for page in pages]
    start = time.process_time()
    for _ in range(repeat):
        for page in pages:
            extract_math_text(page.html)
    return texts, time.process_time() - start


def report(pages: list[Page], ours: tuple[list[str], float], owm: tuple[list[str], float],
           repeat: int) -> None:
    """Speed, formulas kept per page set, formulas lost by kind, and examples of what each lost."""
    ours_rate = len(pages) * repeat / ours[1]
    owm_rate = len(pages) * repeat / owm[1]
    console.print(summary_table("Speed (one process each; pages per CPU-second = pages/s per core)", [
        {"extractor": "mathlm", "pages": len(pages) * repeat, "CPU s": ours[1], "pages/s/core": ours_rate,
         "vs OWM": f"{ours_rate / owm_rate:.2f}x"},
        {"extractor": "OpenWebMath 0.1.3", "pages": len(pages) * repeat, "CPU s": owm[1],
         "pages/s/core": owm_rate, "vs OWM": "1.00x"},
    ]))
    rows: list[dict] = []
    losses: dict[str, list[tuple[str, MarkupFragment]]] = {"mathlm": [], "OpenWebMath": []}
    for page_set in sorted({page.page_set for page in pages}):
        for name, texts in (("mathlm", ours[0]), ("OpenWebMath", owm[0])):
            rows.append({"page set": page_set, "extractor": name,
                         **score_set(pages, page_set, texts, losses[name])})
    console.print(summary_table("Formulas of the markup kept inside math delimiters", rows))
    by_kind = {name: Counter(kind_label(fragment) for _, fragment in lost) for name, lost in losses.items()}
    kinds = sorted(set(by_kind["mathlm"]) | set(by_kind["OpenWebMath"]))
    console.print(summary_table("Formulas lost, by kind", [
        {"kind": kind, "mathlm lost": by_kind["mathlm"][kind], "OWM lost": by_kind["OpenWebMath"][kind]}
        for kind in kinds] or [{"kind": "none"}]))
    ours_only_lost = Counter(losses["mathlm"]) - Counter(losses["OpenWebMath"])
    console.print(f"Formulas OpenWebMath keeps that mathlm loses: {sum(ours_only_lost.values())}")
    for name, lost in losses.items():
        shown = [{"page": page, "kind": kind_label(fragment), "formula": fragment.latex[:70]}
                 for page, fragment in lost[:EXAMPLES]]
        console.print(summary_table(f"{name} loses {len(lost)} formulas (first {EXAMPLES})",
                                    shown or [{"page": "none"}]))


def kind_label(fragment: MarkupFragment) -> str:
    return fragment.kind + (" (display)" if fragment.display else "")


def score_set(pages: list[Page], page_set: str, texts: list[str],
              lost: list[tuple[str, MarkupFragment]]) -> dict[str, int]:
    """Totals of one extractor over one page set; the formulas it lost go into ``lost``."""
    totals = Counter()
    for page, text in zip(pages, texts):
        if page.page_set != page_set:
            continue
        fragments = markup_fragments(page.html)
        result = score(fragments, text)
        totals["pages"] += 1
        totals["formulas"] += len(fragments)
        totals["kept"] += result["kept"]
        totals["display"] += sum(fragment.display for fragment in fragments)
        totals["display kept"] += result["display_kept"]
        totals["debris pages"] += has_debris(glyph_debris(page.html), text)
        lost.extend((page.name, fragment) for fragment in result["lost"])
    return dict(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20,
                        help="extract every page this many times for timing")
    parser.add_argument("--owm-python", type=Path, default=None,
                        help=f"python of a venv with {' and '.join(OWM_REQUIREMENTS)} (default: {OWM_VENV})")
    args = parser.parse_args()
    pages = load_pages()
    console.print(f"{len(pages)} pages: " + ", ".join(f"{count} {name}" for name, count in
                                                       Counter(page.page_set for page in pages).items()))
    owm = run_owm(ensure_owm_python(args.owm_python), pages, args.repeat)
    ours = run_ours(pages, args.repeat)
    report(pages, ours, owm, args.repeat)


if __name__ == "__main__":
    main()
