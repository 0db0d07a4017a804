"""mathlm/assets/slurm/templates/torchrun.sbatch starts a real torch.distributed job on the local cluster."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mathlm.slurm.jobs import job_tasks, venv_activate_script

pytestmark = pytest.mark.slurm

ALL_REDUCE = """\
import torch
import torch.distributed as dist

dist.init_process_group("gloo")
value = torch.tensor([dist.get_rank() + 1.0])
dist.all_reduce(value)
print(f"rank {dist.get_rank()} of {dist.get_world_size()}: sum {value.item():g}", flush=True)
dist.destroy_process_group()
"""


def test_torchrun_template_runs_workers_that_all_reduce(make_job, run_job, tmp_path: Path) -> None:
    program = tmp_path / "all_reduce.py"
    program.write_text(ALL_REDUCE)
    job = make_job(
        "torchrun",
        [str(program)],
        template="torchrun.sbatch",
        template_values={"nproc_per_node": 2},
        cpus_per_task=2,
        setup=[f"source {venv_activate_script()}"],
        env={"OMP_NUM_THREADS": "1"},
    )

    job_id, state = run_job(job)

    [task] = job_tasks(job_id)
    assert state == "COMPLETED", task.read_stderr()
    # Both workers write to one log at the same moment, so their lines may interleave ("...sum 3rank 1...").
    out = task.read_stdout()
    reports = re.findall(r"rank \d+ of \d+: sum \d+", out)
    assert sorted(reports) == ["rank 0 of 2: sum 3", "rank 1 of 2: sum 3"]
    assert re.sub(r"rank \d+ of \d+: sum \d+", "", out).strip() == ""  # and nothing else
