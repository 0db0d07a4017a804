"""datatrove readers for source code: the-stack-style Parquet/JSONL files and local source trees.

Every document gets ``metadata["lang"]`` (one of :data:`~mathlm.proof_pile_2.code.languages.LANGUAGES`,
or None for a language AlgebraicStack does not use), ``path`` (inside its repository), ``repo`` and
``source = "algebraic-stack"``. The id is ``repo/path``, unique within a snapshot.
"""

from __future__ import annotations

import os

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.readers.base import BaseDiskReader
from fsspec.implementations.local import LocalFileSystem

from mathlm.proof_pile_2.code.languages import (
    HEADER_EXTENSIONS,
    header_language,
    language_from_path,
    language_from_stack_name,
    repository_header_language,
    resolve_header_language,
)
from mathlm.proof_pile_2.readers import (
    AccountedJsonlReader,
    AccountedParquetReader,
    AccountedReader,
    BadRecord,
    text_field,
)

CODE_SOURCE = "algebraic-stack"
# the-stack names the repository/path columns after the most-starred copy of a file
STACK_PATH_KEYS = ("max_stars_repo_path", "path")
STACK_REPO_KEYS = ("max_stars_repo_name", "repo_name", "repo")


def _first(data: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise BadRecord("wrong_type", f"{key!r} is {type(value).__name__}, not a string")
        if value:
            return value
    return ""


def _stack_adapter(self: BaseDiskReader, data: dict, path: str, id_in_file: int | str) -> dict:
    """A the-stack row (``content``, ``lang``, ``max_stars_repo_path``, ``max_stars_repo_name``, ...);
    a field of the wrong type raises :class:`BadRecord` (the reader counts it)."""
    text = text_field(data, self.text_key)
    file_path = _first(data, STACK_PATH_KEYS)
    repo = _first(data, STACK_REPO_KEYS)
    stack_lang = _first(data, ("lang",))
    lang = language_from_stack_name(stack_lang) if stack_lang else language_from_path(file_path)
    return {
        "text": text,
        "id": f"{repo}/{file_path}" if file_path else f"{path}/{id_in_file}",
        "metadata": {
            "source": CODE_SOURCE,
            "lang": resolve_header_language(lang, file_path, text),
            "path": file_path,
            "repo": repo,
        },
    }


class StackParquetReader(AccountedParquetReader):
    """the-stack(-dedup) Parquet shards; the language comes from the ``lang`` column (else the extension)."""

    name = "🗂 the-stack Parquet"

    def __init__(self, data_folder, **kwargs) -> None:
        super().__init__(
            data_folder, adapter=_stack_adapter, text_key="content", glob_pattern="**/*.parquet", **kwargs
        )


class StackJsonlReader(AccountedJsonlReader):
    """the-stack-style JSONL (``content``, ``lang``, ``max_stars_repo_path``, ...), plain or compressed."""

    name = "🗂 the-stack JSONL"

    def __init__(self, data_folder, **kwargs) -> None:
        super().__init__(
            data_folder, adapter=_stack_adapter, text_key="content", glob_pattern="**/*.jsonl*", **kwargs
        )


class SourceTreeReader(AccountedReader):
    """Every file of a folder of repositories (``ROOT/<repo>/<path>``), language from the extension.

    Files in a language AlgebraicStack does not use are counted (``skipped_other_language``), as are
    version-control internals (``skipped_vcs``); of the rest (``records``), files that are not UTF-8 are
    dropped (``dropped_not_utf8``), as AlgebraicStack did, and so are symbolic links to files outside the
    tree (``dropped_link_outside_tree``): a cloned repository must not make the build read ``/etc``.
    A ``.h`` file's language (C or C++) is decided by its code and, failing that, by the other files of
    its repository.
    """

    name = "🌳 source trees"

    def __init__(self, data_folder, **kwargs) -> None:
        super().__init__(data_folder, **kwargs)
        self._repository_hints: dict[str, str | None] = {}

    def _repository_hint(self, repo: str) -> str | None:
        if repo not in self._repository_hints:
            paths = self.data_folder.list_files(subdirectory=repo, recursive=True) if repo else []
            self._repository_hints[repo] = repository_header_language(paths)
        return self._repository_hints[repo]

    def _leaves_the_tree(self, filepath: str) -> bool:
        """Whether a local file is a link to somewhere outside the tree (``repo/x.py -> /etc/passwd``)."""
        if not isinstance(self.data_folder.fs, LocalFileSystem):
            return False
        root = os.path.realpath(self.data_folder.path)
        target = os.path.realpath(self.data_folder.resolve_paths(filepath))
        return os.path.commonpath([root, target]) != root

    def read_file(self, filepath: str) -> DocumentsPipeline:
        parts = filepath.replace("\\", "/").split("/")
        if any(part in (".git", ".hg", ".svn") for part in parts):
            self.stat_update("skipped_vcs")
            return
        lang = language_from_path(filepath)
        if lang is None:
            self.stat_update("skipped_other_language")
            return
        self.stat_update("records")
        if self._leaves_the_tree(filepath):
            self.drop(
                "link_outside_tree", filepath, "path", "a symbolic link to a file outside the source tree"
            )
            return
        with self.data_folder.open(filepath, "rb") as handle:
            data = handle.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            self.drop("not_utf8", filepath, f"byte {err.start}")
            return
        repo, path = (parts[0], "/".join(parts[1:])) if len(parts) > 1 else ("", parts[0])
        if lang == "c" and path.lower().endswith(HEADER_EXTENSIONS):
            lang = header_language(text, self._repository_hint(repo))
        yield Document(
            text=text, id=filepath, metadata={"source": CODE_SOURCE, "lang": lang, "path": path, "repo": repo}
        )
