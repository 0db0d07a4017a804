"""HTML -> text with math: mathlm's extractor against OpenWebMath's published one, on real pages, in one run.

Pages: the real-page corpus (``tests/data/real_pages``): pages taken verbatim from Debian, PyPI and npm
packages, each with hand-picked expectations (formulas that must come out as LaTeX, prose that must come
out, navigation that must not; see its README). Both extractors run on the same pages, one process each.
After one untimed pass each, the timed passes alternate: one pass of mathlm, then one of OpenWebMath,
``--repeat`` rounds. On a shared or virtual machine a core's speed drifts from minute to minute (the same
pass here took 1.8 to 2.5 CPU-seconds on an idle machine); alternating gives both extractors the same
drift. Pages per CPU-second is pages/s per core; the ratio is printed over all rounds and per round
(lowest, median, highest).

Reported per markup family and overall:

- expectations held (``must_math`` + ``must_text`` + ``must_not``), for each extractor;
- formulas of the markup kept inside math delimiters: every formula the page's markup holds, enumerated
  independently of either extractor (MathJax scripts and delimiters, TeX annotations, LaTeX image alt text
  of Sphinx imgmath / Doxygen / formula services / Wikipedia, MathML, ``$$`` in ``<pre>``);
- boilerplate fragments kept (the ``must_not`` that failed).

OpenWebMath's extractor (PyPI ``openwebmath-text-extract`` 0.1.3) only works with ``resiliparse==1.1.0``,
so it runs in a side venv, in a subprocess; the script creates the venv on first use::

    python3 -m venv .venv-owm && .venv-owm/bin/pip install openwebmath-text-extract==0.1.3 resiliparse==1.1.0

Its configuration is sampled at random per document (``randomized_all.yaml``); for a fair comparison every
choice is fixed to its most likely value.

    python -m benchmarks.extract_html                 # the real corpus, 5 repeats
    python -m benchmarks.extract_html --repeat 20 --owm-python /path/to/python
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from resiliparse.parse.html import HTMLTree

from mathlm.console import console, summary_table, track
from mathlm.proof_pile_2.web.extract import (
    TEXT_MATH,
    decode_html,
    delimited_math,
    extract_math_text,
    latex_from_url,
    strip_displaystyle,
)
from mathlm.proof_pile_2.web.mathml import math_to_latex, tex_annotation

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "data" / "real_pages"
OWM_VENV = REPO / ".venv-owm"
OWM_REQUIREMENTS = ["openwebmath-text-extract==0.1.3", "resiliparse==1.1.0"]
EXAMPLES = 20  # failed expectations listed per extractor


def most_likely(node):
    """OpenWebMath's config with each randomised choice ``[[p, value], ...]`` fixed to its likeliest value."""
    if isinstance(node, dict):
        return {key: most_likely(value) for key, value in node.items()}
    if isinstance(node, list) and node and all(isinstance(item, list) and len(item) == 2 for item in node):
        return max(node, key=lambda item: item[0])[1]
    return node


# Runs inside the side venv (with ``most_likely`` prepended): one untimed pass that answers with the texts,
# then, for each "first end" line read from stdin, those pages extracted once, answered with each one's CPU seconds.
OWM_RUNNER = r"""
import json, sys, time
from text_extract.extract import extract_text
from text_extract.utils import Config

config = most_likely(Config().config)
pages = json.load(open(sys.argv[1]))


def extract_all():
    texts = []
    for html in pages:
        try:
            result = extract_text(html, config)
            texts.append(result[0] if result else "")
        except Exception:
            texts.append("")
    return texts


print(json.dumps(extract_all()), flush=True)
for line in sys.stdin:
    first, end = map(int, line.split())
    seconds = []
    for html in pages[first:end]:
        start = time.process_time()
        try:
            extract_text(html, config)
        except Exception:
            pass
        seconds.append(time.process_time() - start)
    print(json.dumps(seconds), flush=True)
"""


@dataclass
class RealPage:
    """One corpus page and what must (not) come out of it."""

    id: str
    family: str
    math: bool
    latex: bool
    html: str
    must_math: list[str] = field(default_factory=list)
    must_text: list[str] = field(default_factory=list)
    must_not: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MarkupFragment:
    """A formula as the page's markup holds it (ground truth for scoring extractors)."""

    latex: str
    kind: str


def load_corpus(root: Path = CORPUS) -> list[RealPage]:
    """The corpus pages with their manifest entries, in manifest order."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return [
        RealPage(
            id=entry["id"],
            family=entry["family"],
            math=entry["math"],
            latex=entry["latex"],
            html=decode_html((root / entry["file"]).read_bytes()),
            must_math=entry["must_math"],
            must_text=entry["must_text"],
            must_not=entry["must_not"],
        )
        for entry in manifest["pages"]
    ]


# --- expectations ---------------------------------------------------------------------------------------


CONTROL_SPACE_OR_BLANK = re.compile(r"(\\\\)|[\s{}]|\\ ")


def normalize(latex: str) -> str:
    """LaTeX without spacing, braces and sizing, so one formula spelled two ways compares equal."""
    latex = re.sub(
        r"\\(left|right|displaystyle|textstyle|mathrm|text|operatorname|,|;|!|quad|qquad)"
        r"(?![A-Za-z])",
        "",
        latex,
    )
    for long, short in ((r"\leq", r"\le"), (r"\geq", r"\ge"), (r"\neq", r"\ne"), (r"\to", r"\rightarrow")):
        latex = latex.replace(long, short)
    # A control space ``\ `` goes, but not the second backslash of a line break ``\\`` followed by a
    # space (an extractor that flattens ``\\<newline>`` to ``\\ `` keeps the formula intact).
    return CONTROL_SPACE_OR_BLANK.sub(lambda match: match.group(1) or "", latex)


def math_spans(text: str) -> list[str]:
    """The normalized formulas of an extracted text."""
    return [normalize(latex) for latex, _display in delimited_math(text)]


def flat(text: str) -> str:
    return " ".join(text.split())


def check_expectations(page: RealPage, text: str) -> list[tuple[str, str, bool]]:
    """(kind, fragment, held) for every expectation of the page on one extracted text."""
    spans = math_spans(text)
    body = flat(text)
    results = []
    for fragment in page.must_math:
        target = normalize(fragment)
        results.append(("must_math", fragment, any(target in span for span in spans)))
    results += [("must_text", fragment, flat(fragment) in body) for fragment in page.must_text]
    results += [("must_not", fragment, flat(fragment) not in body) for fragment in page.must_not]
    return results


# --- formulas of the markup -----------------------------------------------------------------------------


def markup_fragments(html: str) -> list[MarkupFragment]:
    """The formulas a page's markup holds, found without running either extractor."""
    tree = HTMLTree.parse(html)
    if tree.body is None:
        return []
    found = [
        *script_fragments(tree),
        *annotated_fragments(tree),
        *bare_mathml_fragments(tree),
        *image_fragments(tree),
    ]
    found += [MarkupFragment(latex, "text_delimited") for latex, _ in delimited_in_text(tree)]
    return [fragment for fragment in found if normalize(fragment.latex)]


def script_fragments(tree: HTMLTree) -> list[MarkupFragment]:
    out = []
    for script in tree.body.query_selector_all("script[type^='math/tex']").values():
        source = re.sub(r"^\s*(%\s*)?<!\[CDATA\[|(%\s*)?\]\]>\s*$", "", script.text or "").strip()
        out.append(MarkupFragment(source, "mathjax_script"))
    return out


def annotated_fragments(tree: HTMLTree) -> list[MarkupFragment]:
    """KaTeX, MediaWiki and LaTeXML formulas: the TeX annotation next to their MathML."""
    out = []
    for math in tree.body.query_selector_all("math").values():
        latex = tex_annotation(math)
        if latex is not None:
            kind = "wikipedia_image" if math.closest(".mwe-math-element") is not None else "katex"
            out.append(MarkupFragment(strip_displaystyle(latex), kind))
    return out


def bare_mathml_fragments(tree: HTMLTree) -> list[MarkupFragment]:
    """MathML without a TeX annotation; its truth is the LaTeX our converter gives (see ``normalize``)."""
    return [
        MarkupFragment(math_to_latex(math), "mathml")
        for math in tree.body.query_selector_all("math").values()
        if tex_annotation(math) is None and math.closest(".mwe-math-element") is None
    ]


FORMULA_IMAGE_CLASSES = {"math", "formulaInl", "formulaDsp", "latex", "tex", "latexcenter"}


def image_fragments(tree: HTMLTree) -> list[MarkupFragment]:
    """LaTeX images: Sphinx imgmath, Doxygen formulas, formula services, Wikipedia fallbacks (alt text)."""
    out = []
    for image in tree.body.query_selector_all("img").values():
        element = image.closest(".mwe-math-element")
        if element is not None and tex_annotation(element) is not None:
            continue  # its annotation was counted already
        classes = set(image.class_list.values())
        src, alt = image.getattr("src") or "", (image.getattr("alt") or "").strip()
        formula = (
            classes & FORMULA_IMAGE_CLASSES
            or image.closest("div.math, .formulaDsp") is not None
            or any(name.startswith("mwe-math-fallback-image") for name in classes)
        )
        if formula:
            latex = re.sub(r"^(\$\$?|\\\[|\\\()|(\$\$?|\\\]|\\\))$", "", alt).strip()
            out.append(MarkupFragment(strip_displaystyle(latex), "latex_image"))
        elif "codecogs.com" in src or "latex.php" in src:
            out.append(MarkupFragment(latex_from_url(src), "latex_image"))
    return out


# Elements whose text is a paragraph of its own: a table cell, a list item, a heading...
TEXT_BLOCKS = (
    "p, div, td, th, tr, li, dd, dt, pre, blockquote, h1, h2, h3, h4, h5, h6, table, ul, ol, dl, "
    "section, article, header, footer, nav, aside, main, figure, figcaption, caption, form, fieldset"
)


def delimited_in_text(tree: HTMLTree) -> list[tuple[str, bool]]:
    """``$..$``, ``$$..$$``, ``\\(..\\)``, ``\\[..\\]`` written in the page's visible text (``<pre>`` too).

    A pair of delimiters never spans two blocks (two table cells, a paragraph and the next): TeX renderers
    pair them within a paragraph, and a stray ``$$`` at the end of one cell is not the start of a formula
    that the next cell closes. So every block ends with a blank line, which no pair crosses.
    """
    for node in tree.body.query_selector_all(
        "script, style, math, .katex, .mwe-math-element, textarea"
    ).values():
        if node.parent is not None:
            node.parent.remove_child(node)
    for block in tree.body.query_selector_all(TEXT_BLOCKS).values():
        block.append(tree.create_text_node("\n\n"))
    return delimited_math(tree.body.text or "")


def formulas_kept(fragments: list[MarkupFragment], text: str) -> int:
    """How many markup formulas the text kept inside math delimiters."""
    spans = math_spans(text)
    return sum(any(normalize(fragment.latex) in span for span in spans) for fragment in fragments)


def has_debris(html: str, text: str) -> bool:
    """Whether KaTeX's rendered glyph text (``x2+y2``) shows up outside math in the extracted text."""
    tree = HTMLTree.parse(html)
    if tree.body is None:
        return False
    outside_math = "".join(TEXT_MATH.sub(" ", text).split())
    return any(
        len(glyphs) >= 4 and glyphs in outside_math
        for glyphs in (
            "".join((node.text or "").split())
            for node in tree.body.query_selector_all(".katex-html").values()
        )
    )


# --- running --------------------------------------------------------------------------------------------


def ensure_owm_python(python: Path | None) -> Path:
    if python is not None:
        return python
    interpreter = OWM_VENV / "bin" / "python"
    if not interpreter.exists():
        console.print(f"creating {OWM_VENV} for OpenWebMath's extractor ({', '.join(OWM_REQUIREMENTS)})")
        subprocess.run([sys.executable, "-m", "venv", str(OWM_VENV)], check=True)
        subprocess.run([str(interpreter), "-m", "pip", "install", "-q", *OWM_REQUIREMENTS], check=True)
    return interpreter


@dataclass
class Timing:
    """Each extractor's texts (from the untimed pass) and CPU seconds per page and per round."""

    ours: list[str]
    owm: list[str]
    ours_page_s: list[float]
    owm_page_s: list[float]
    rounds: list[tuple[float, float]] = field(default_factory=list)  # (mathlm, OpenWebMath) per round

    def rate(self, seconds: float, pages: int) -> float:
        return pages * len(self.rounds) / seconds

    def round_ratios(self) -> list[float]:
        """mathlm's speed over OpenWebMath's, round by round, lowest first."""
        return sorted(owm / ours for ours, owm in self.rounds)


def time_both(python: Path, pages: list[RealPage], rounds: int, chunk: int) -> Timing:
    """Warm both extractors with an untimed pass, then time them ``chunk`` pages at a time, alternating.

    mathlm extracts a chunk, then OpenWebMath's extractor (in its own process) the same chunk, and so on:
    both see the machine in the same state, to within a fraction of a second. Chunks rather than single
    pages, because every switch between the two processes starts the next one with cold caches, which
    would cost the extractor with the shorter runs the most. ``rounds`` passes over the corpus.
    """
    with tempfile.TemporaryDirectory() as tmp:
        pages_file, runner = Path(tmp) / "pages.json", Path(tmp) / "owm_runner.py"
        pages_file.write_text(json.dumps([page.html for page in pages]))
        runner.write_text(inspect.getsource(most_likely) + OWM_RUNNER)
        with subprocess.Popen(
            [str(python), str(runner), str(pages_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=tmp,
        ) as owm:
            assert owm.stdin is not None and owm.stdout is not None
            timing = Timing(
                ours=[extract_math_text(page.html).text for page in pages],
                owm=json.loads(owm.stdout.readline()),
                ours_page_s=[0.0] * len(pages),
                owm_page_s=[0.0] * len(pages),
            )
            for _ in track(range(rounds), description="timing rounds"):
                ours_round = owm_round = 0.0
                for first in range(0, len(pages), chunk):
                    end = min(first + chunk, len(pages))
                    for index in range(first, end):
                        start = time.process_time()
                        extract_math_text(pages[index].html)
                        seconds = time.process_time() - start
                        timing.ours_page_s[index] += seconds
                        ours_round += seconds
                    owm.stdin.write(f"{first} {end}\n")
                    owm.stdin.flush()
                    for index, seconds in zip(
                        range(first, end), json.loads(owm.stdout.readline()), strict=True
                    ):
                        timing.owm_page_s[index] += seconds
                        owm_round += seconds
                timing.rounds.append((ours_round, owm_round))
            owm.stdin.close()
        if owm.returncode:
            raise SystemExit(f"OpenWebMath's extractor exited with status {owm.returncode}")
    return timing


@dataclass
class Tally:
    """One extractor's totals over a group of pages."""

    pages: int = 0
    expectations: int = 0
    held: int = 0
    formulas: int = 0
    kept: int = 0
    boilerplate: int = 0
    debris: int = 0
    failed: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, page: RealPage, text: str, fragments: list[MarkupFragment]) -> None:
        self.pages += 1
        for kind, fragment, held in check_expectations(page, text):
            self.expectations += 1
            self.held += held
            if not held:
                self.failed.append((page.id, kind, fragment))
                self.boilerplate += kind == "must_not"
        self.formulas += len(fragments)
        self.kept += formulas_kept(fragments, text)
        self.debris += has_debris(page.html, text)

    @property
    def held_pct(self) -> float:
        return 100.0 * self.held / self.expectations if self.expectations else 100.0

    @property
    def kept_pct(self) -> float:
        return 100.0 * self.kept / self.formulas if self.formulas else 100.0


def family_tallies(pages: list[RealPage], texts: list[str]) -> dict[str, Tally]:
    """Per markup family, plus ``all``."""
    tallies: dict[str, Tally] = {"all": Tally()}
    for page, text in zip(pages, texts, strict=True):
        fragments = markup_fragments(page.html)
        tallies.setdefault(page.family, Tally()).add(page, text, fragments)
        tallies["all"].add(page, text, fragments)
    return tallies


def family_rows(ours: dict[str, Tally], owm: dict[str, Tally]) -> list[dict]:
    rows = []
    for family in sorted(ours, key=lambda name: (name == "all", name)):
        mine, peer = ours[family], owm[family]
        rows.append(
            {
                "family": family,
                "pages": mine.pages,
                "expectations": mine.expectations,
                "mathlm held %": round(mine.held_pct, 1),
                "OWM held %": round(peer.held_pct, 1),
                "formulas": mine.formulas,
                "mathlm kept %": round(mine.kept_pct, 1),
                "OWM kept %": round(peer.kept_pct, 1),
                "mathlm boilerplate": mine.boilerplate,
                "OWM boilerplate": peer.boilerplate,
            }
        )
    return rows


def family_speed(pages: list[RealPage], timing: Timing) -> dict[str, float]:
    """mathlm's speed over OpenWebMath's per markup family, plus ``all`` (CPU time over the same pages)."""
    seconds: dict[str, list[float]] = {"all": [0.0, 0.0]}
    for page, ours, owm in zip(pages, timing.ours_page_s, timing.owm_page_s, strict=True):
        for family in (page.family, "all"):
            pair = seconds.setdefault(family, [0.0, 0.0])
            pair[0] += ours
            pair[1] += owm
    return {family: owm / ours for family, (ours, owm) in seconds.items()}


def report(pages: list[RealPage], timing: Timing) -> dict:
    """Print the speed, the per-family table and the failed expectations; return the figures."""
    ours_s, owm_s = sum(timing.ours_page_s), sum(timing.owm_page_s)
    ours_rate, owm_rate = timing.rate(ours_s, len(pages)), timing.rate(owm_s, len(pages))
    ratios = timing.round_ratios()
    per_round = f"{ratios[0]:.2f}x / {ratios[len(ratios) // 2]:.2f}x / {ratios[-1]:.2f}x"
    console.print(
        summary_table(
            "Speed (one process each, alternating every --chunk pages; pages per CPU-second = pages/s per core)",
            [
                {
                    "extractor": "mathlm",
                    "pages": len(pages) * len(timing.rounds),
                    "CPU s": round(ours_s, 2),
                    "pages/s/core": round(ours_rate, 1),
                    "vs OWM": f"{ours_rate / owm_rate:.2f}x",
                    "rounds: lowest / median / highest": per_round,
                },
                {
                    "extractor": "OpenWebMath 0.1.3",
                    "pages": len(pages) * len(timing.rounds),
                    "CPU s": round(owm_s, 2),
                    "pages/s/core": round(owm_rate, 1),
                    "vs OWM": "1.00x",
                    "rounds: lowest / median / highest": "",
                },
            ],
        )
    )
    mine, peer = family_tallies(pages, timing.ours), family_tallies(pages, timing.owm)
    rows = family_rows(mine, peer)
    speed = family_speed(pages, timing)
    for row in rows:
        row["speed vs OWM"] = f"{speed[row['family']]:.1f}x"
    console.print(summary_table("Real pages per markup family: expectations held, formulas kept", rows))
    for name, tally in (("mathlm", mine["all"]), ("OpenWebMath", peer["all"])):
        shown = [
            {"page": page, "kind": kind, "fragment": fragment[:70]}
            for page, kind, fragment in tally.failed[:EXAMPLES]
        ]
        console.print(
            summary_table(
                f"{name}: {len(tally.failed)} expectations failed (first {EXAMPLES})",
                shown or [{"page": "none"}],
            )
        )
    return {
        "speed_ratio": ours_rate / owm_rate,
        "mathlm_pages_per_s": ours_rate,
        "owm_pages_per_s": owm_rate,
        "round_ratios": ratios,
        "families": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed rounds: one pass over every page by each extractor"
    )
    parser.add_argument(
        "--chunk", type=int, default=10, help="pages each extractor extracts before the other takes its turn"
    )
    parser.add_argument(
        "--owm-python",
        type=Path,
        default=None,
        help=f"python of a venv with {' and '.join(OWM_REQUIREMENTS)} (default: {OWM_VENV})",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args()
    pages = load_corpus()
    console.print(
        f"{len(pages)} real pages: {sum(page.math for page in pages)} math, "
        f"{sum(not page.math for page in pages)} non-math"
    )
    timing = time_both(ensure_owm_python(args.owm_python), pages, args.repeat, args.chunk)
    figures = report(pages, timing)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
