"""datatrove readers for arXiv: LaTeX source submissions, and RedPajama's already-cleaned JSONL."""

from __future__ import annotations

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.readers.base import BaseDiskReader
from datatrove.utils.logging import logger

from mathlm.proof_pile_2.arxiv.latex import LatexLimitExceeded, find_main_file, join_inputs
from mathlm.proof_pile_2.arxiv.sources import (
    UnreadableSource,
    is_source_file,
    paper_id_from_filename,
    read_tex_files,
)
from mathlm.proof_pile_2.readers import AccountedJsonlReader, AccountedReader, mapping_field, text_field

ARXIV_SOURCE = "arxiv"


def arxiv_url(paper_id: str) -> str:
    return f"https://arxiv.org/abs/{paper_id}"


class ArxivSourceReader(AccountedReader):
    """One document per submission (``.tar.gz``, ``.tar``, gzipped ``.tex`` or ``.tex``): the main file
    with its ``\\input``/``\\include`` files joined in, comments removed.

    Every submission is a ``records`` count, and one that gives no document is counted, not raised:
    ``dropped_no_tex``, ``dropped_corrupt_archive``, ``dropped_decompressed_too_large``,
    ``dropped_no_main_file``, ``dropped_input_too_deep``, ``dropped_input_too_large``; other files in
    the folder are counted as ``skipped_not_a_source``, and archive members whose path leaves the
    submission (``../x.tex``) as ``skipped_unsafe_member``. Metadata: ``source``, ``url``, ``path`` (the
    submission file), ``main_file``.
    """

    name = "📜 arXiv sources"

    def read_file(self, filepath: str) -> DocumentsPipeline:
        if not is_source_file(filepath):
            self.stat_update("skipped_not_a_source")
            return
        self.stat_update("records")
        with self.data_folder.open(filepath, "rb") as handle:
            data = handle.read()
        unsafe: list[str] = []
        try:
            files = read_tex_files(data, filepath, unsafe_members=unsafe)
            main = find_main_file(files)
            if main is None:
                raise UnreadableSource("no_main_file", filepath)
            text = join_inputs(main, files)
        except (UnreadableSource, LatexLimitExceeded) as err:
            self.drop(err.reason, filepath, "submission", str(err))
            return
        finally:
            for name in unsafe:  # a member named ../x or /x: never resolved, never written anywhere
                self.stat_update("skipped_unsafe_member")
                logger.warning(f"{filepath}: member {name!r} skipped: its path leaves the submission")
        paper_id = paper_id_from_filename(filepath)
        yield Document(
            text=text,
            id=paper_id,
            metadata={
                "source": ARXIV_SOURCE,
                "url": arxiv_url(paper_id),
                "path": self.data_folder.resolve_paths(filepath),
                "main_file": main,
                "tex_files": len(files),
            },
        )


def _redpajama_adapter(self: BaseDiskReader, data: dict, path: str, id_in_file: int | str) -> dict:
    """RedPajama arXiv records: ``{"text": ..., "meta": {"arxiv_id", "url", "timestamp", ...}}``; a text
    that is not a string or a ``meta`` that is not an object raises :class:`BadRecord`."""
    text = text_field(data, self.text_key)
    meta = mapping_field(data, "meta")
    paper_id = str(meta.get("arxiv_id") or f"{paper_id_from_filename(path)}/{id_in_file}")
    return {
        "text": text,
        "id": paper_id,
        "metadata": {
            "source": ARXIV_SOURCE,
            "url": meta.get("url") or arxiv_url(paper_id),
            "path": path,
            **{key: meta[key] for key in ("timestamp", "yymm") if key in meta},
        },
    }


class RedPajamaArxivReader(AccountedJsonlReader):
    """RedPajama's arXiv JSONL, already cleaned by RedPajama (re-applying the cleaning rules changes
    nothing).
    """

    name = "📜 RedPajama arXiv JSONL"

    def __init__(self, data_folder, **kwargs) -> None:
        kwargs.setdefault("glob_pattern", "**/*.jsonl*")  # the folder may hold the source tarballs too
        super().__init__(data_folder, adapter=_redpajama_adapter, **kwargs)
