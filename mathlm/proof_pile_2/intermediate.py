"""How one stage hands documents to the next: task ``r`` writes ``FOLDER/<r:05d>.jsonl.gz``, task ``r`` of the
next stage reads exactly that file.

datatrove's readers shard the files they find (``files[rank::world_size]``); a task that kept no
document writes no file, which would shift every later file onto the wrong task. Stages that number
documents by their position in a task's input (chunk dedup) need task ``r`` to read what task ``r``
wrote, so the next stage reads by name and treats a missing file as an empty task. Both stages must
run with the same number of tasks.
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
    """Reads the file that task ``rank`` of the previous stage wrote (nothing if it kept no document)."""

    name = "🔗 previous stage"

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        if data:
            yield from data
        filename = intermediate_filename(rank)
        if not self.data_folder.isfile(filename):
            return
        for doc in self.read_files_shard([filename]):
            self.update_doc_stats(doc)
            yield doc
