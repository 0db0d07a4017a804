"""``mathlm data``: build the Proof-Pile-2 subsets, tokenize them, train the filter models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

data_app = typer.Typer(help="Build Proof-Pile-2 data: arXiv, math web, math code, decontamination, tokens.",
                       no_args_is_help=True)


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
