"""Reading one arXiv source submission: the ``.tex`` files of a tarball, a gzipped file or a bare ``.tex``.

arXiv serves a submission either as a tar archive (gzipped or not) of the author's files, or, for a
single-file paper, as that one file gzipped. Every failure is an :class:`UnreadableSource` with a
short reason, which the reader counts instead of crashing its task.
"""

from __future__ import annotations

import gzip
import io
import re
import tarfile
import zlib

from mathlm.proof_pile_2.arxiv.latex import decode_source

SOURCE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".gz", ".tex")
MAX_TEX_FILE_BYTES = 32 * 2**20  # arXiv caps whole submissions at 50 MB; a bigger .tex is generated data
_OLD_STYLE_ID = re.compile(r"^([a-z][a-z\-]*(?:\.[A-Z]{2})?)(\d{7})(v\d+)?$")


class UnreadableSource(Exception):
    """A submission that yields no LaTeX; ``reason`` becomes a stats counter (``dropped_<reason>``)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def is_source_file(filename: str) -> bool:
    """Whether a file name looks like an arXiv submission this module can read."""
    return filename.lower().endswith(SOURCE_SUFFIXES)


def paper_id_from_filename(filename: str) -> str:
    """``2101.00001v2.tar.gz`` -> ``2101.00001v2``; old-style ``math0601001.gz`` -> ``math/0601001``."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    lowered = name.lower()
    for suffix in SOURCE_SUFFIXES:
        if lowered.endswith(suffix):
            name = name[: -len(suffix)]
            break
    old_style = _OLD_STYLE_ID.match(name)
    if old_style:
        return f"{old_style.group(1)}/{old_style.group(2)}{old_style.group(3) or ''}"
    return name


def read_tex_files(data: bytes, filename: str) -> dict[str, str]:
    """The decoded ``.tex`` files of one submission, keyed by their path inside it.

    Raises :class:`UnreadableSource` with reason ``corrupt_archive`` (truncated or not an archive)
    or ``no_tex`` (a readable submission without any ``.tex`` file, e.g. PDF-only).
    """
    if filename.lower().endswith(".tex"):
        files = {paper_id_from_filename(filename) + ".tex": decode_source(data)}
    else:
        files = _read_archive(data)
    if not files:
        raise UnreadableSource("no_tex", filename)
    return files


def _read_archive(data: bytes) -> dict[str, str]:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            return _tex_members(archive)
    except tarfile.ReadError:
        pass  # not a tar archive: maybe a single gzipped file
    except (EOFError, zlib.error, OSError) as err:
        raise UnreadableSource("corrupt_archive", str(err)) from None
    try:
        content = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as err:
        raise UnreadableSource("corrupt_archive", str(err)) from None
    if b"\x00" in content[:4096]:
        return {}  # a gzipped binary (a PDF, a figure): no LaTeX in it
    return {"main.tex": decode_source(content)}


def _tex_members(archive: tarfile.TarFile) -> dict[str, str]:
    files = {}
    for member in archive:
        if (
            not member.isfile()
            or not member.name.lower().endswith(".tex")
            or member.size > MAX_TEX_FILE_BYTES
        ):
            continue
        handle = archive.extractfile(member)
        if handle is not None:
            files[member.name.lstrip("/").removeprefix("./")] = decode_source(handle.read())
    return files
