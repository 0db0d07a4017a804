"""Reading one arXiv source submission: the ``.tex`` files of a tarball, a gzipped file or a bare ``.tex``.

arXiv serves a submission either as a tar archive (gzipped or not) of the author's files, or, for a
single-file paper, as that one file gzipped. Every failure is an :class:`UnreadableSource` with a
short reason, which the reader counts instead of crashing its task.

Archives are read as streams with a cap on the bytes they decompress to
(:data:`MAX_DECOMPRESSED_BYTES`), so a decompression bomb costs a counted drop, not the machine's
memory. Members whose names leave the submission (``../x.tex``, ``/etc/x.tex``) are never used: they
could only shadow real files when ``\\input`` paths are resolved.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import posixpath
import re
import tarfile
import zlib

from mathlm.proof_pile_2.arxiv.latex import decode_source

SOURCE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".gz", ".tex")
MAX_TEX_FILE_BYTES = 32 * 2**20  # arXiv caps whole submissions at 50 MB; a bigger .tex is generated data
MAX_DECOMPRESSED_BYTES = 256 * 2**20  # everything a submission decompresses to, .tex or not
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


def read_tex_files(
    data: bytes, filename: str, max_decompressed: int | None = None, unsafe_members: list[str] | None = None
) -> dict[str, str]:
    """The decoded ``.tex`` files of one submission, keyed by their path inside it.

    Raises :class:`UnreadableSource` with reason ``corrupt_archive`` (truncated or not an archive),
    ``decompressed_too_large`` (over ``max_decompressed`` bytes once decompressed, default
    :data:`MAX_DECOMPRESSED_BYTES`) or ``no_tex`` (a readable submission without any usable ``.tex``
    file, e.g. PDF-only). Members whose names leave the submission are skipped and, when
    ``unsafe_members`` is given, appended to it.
    """
    cap = MAX_DECOMPRESSED_BYTES if max_decompressed is None else max_decompressed
    if filename.lower().endswith(".tex"):
        files = {paper_id_from_filename(filename) + ".tex": decode_source(data)}
    else:
        files = _read_archive(data, cap, unsafe_members if unsafe_members is not None else [])
    if not files:
        raise UnreadableSource("no_tex", filename)
    return files


class _CappedStream(io.RawIOBase):
    """A read-only stream that raises :class:`UnreadableSource` once more than ``cap`` bytes were read."""

    def __init__(self, inner: io.BufferedIOBase, cap: int) -> None:
        super().__init__()
        self.inner = inner
        self.remaining = cap

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self.inner.read(min(len(buffer), self.remaining + 1))
        self.remaining -= len(chunk)
        if self.remaining < 0:
            raise UnreadableSource("decompressed_too_large", "submission decompresses past the cap")
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _decompressed(data: bytes, cap: int) -> io.BufferedReader:
    """``data`` decompressed as it is read (gzip, bzip2, xz, or stored), through a cap."""
    raw: io.BufferedIOBase = io.BytesIO(data)
    if data[:2] == b"\x1f\x8b":
        raw = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
    elif data[:3] == b"BZh":
        raw = bz2.BZ2File(raw)  # type: ignore[assignment]
    elif data[:6] == b"\xfd7zXZ\x00":
        raw = lzma.LZMAFile(raw)  # type: ignore[assignment]  # noqa: SIM115 - the caller reads it to the end
    return io.BufferedReader(_CappedStream(raw, cap))


def _read_archive(data: bytes, cap: int, unsafe_members: list[str]) -> dict[str, str]:
    errors = (EOFError, zlib.error, OSError, lzma.LZMAError, tarfile.TarError)
    try:
        archive = tarfile.open(fileobj=_decompressed(data, cap), mode="r|")  # noqa: SIM115 - closed below
    except tarfile.ReadError:
        archive = None  # not a tar archive: maybe a single gzipped file
    except errors as err:
        raise UnreadableSource("corrupt_archive", f"{type(err).__name__}: {err}") from None
    if archive is not None:
        with archive:
            try:
                return _tex_members(archive, unsafe_members)
            except errors as err:
                raise UnreadableSource("corrupt_archive", f"{type(err).__name__}: {err}") from None
    try:
        content = _decompressed(data, cap).read()
    except errors as err:
        raise UnreadableSource("corrupt_archive", f"{type(err).__name__}: {err}") from None
    if not content.strip() or b"\x00" in content[:4096]:
        return {}  # empty, or a gzipped binary (a PDF, a figure): no LaTeX in it
    return {"main.tex": decode_source(content)}


def safe_member_name(name: str) -> str | None:
    """A member's path inside the submission, or None when it would leave it (absolute, ``..``)."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return None
    path = posixpath.normpath(name.replace("\\", "/"))
    return None if path == ".." or path.startswith("../") else path


def _tex_members(archive: tarfile.TarFile, unsafe_members: list[str]) -> dict[str, str]:
    files = {}
    for member in archive:
        name = safe_member_name(member.name)
        if name is None:
            unsafe_members.append(member.name)
            continue
        if not member.isfile() or not name.lower().endswith(".tex") or member.size > MAX_TEX_FILE_BYTES:
            continue
        handle = archive.extractfile(member)
        if handle is not None:
            files[name] = decode_source(handle.read())
    return files
