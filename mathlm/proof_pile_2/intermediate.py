"""How one stage hands documents to the next: task ``r`` writes ``FOLDER/<r:05d>.jsonl.gz``, task ``r`` of the
next stage reads exactly that file.

datatrove's readers shard the files they find (``files[rank::world_size]``); a task that kept no
document writes no file, which would shift every later file onto the wrong task. Stages that number
documents by their position in a task's input (chunk dedup) need task ``r`` to read what task ``r``
wrote, so the next stage reads by name and treats a missing file as an empty task. Such stages run
with the same number of tasks; a stage that only needs every document once (decontamination) may
run with fewer and read several tasks' files each (``written_by``).
"""

from __future__ import annotations

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

INTERMEDIATE_FILENAME = "${rank}.jsonl.gz"


def intermediate_writer(folder: str) -> JsonlWriter:
    """The writer ending a stage whose output the next stage reads with :class:`IntermediateReader`."""
    return JsonlWriter(folder, output_filename=INTERMEDIATE_FILENAME, compression="gzip")


def intermediate_filename(rank: int) -> str:
    return INTERMEDIATE_FILENAME.replace("${rank}", f"{rank:05d}")


class IntermediateReader(JsonlReader):
    """Reads what the previous stage's tasks wrote: task ``rank`` reads the files of tasks ``rank``,
    ``rank + world_size``, ... below ``written_by`` (just its own when both stages have as many tasks).
    A task that kept no document wrote no file and is read as empty.
    """

    name = "🔗 previous stage"

    def __init__(self, data_folder, written_by: int | None = None, **kwargs) -> None:
        super().__init__(data_folder, **kwargs)
        self.written_by = written_by

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        writers = range(rank, self.written_by if self.written_by is not None else rank + 1, world_size)
        files = [name for name in map(intermediate_filename, writers) if self.data_folder.isfile(name)]
        for doc in self.read_files_shard(files):
            self.update_doc_stats(doc)
            yield doc
