"""Slurm jobs for every part of mathlm: describe a job, render its sbatch script, submit it, follow it.

A :class:`SlurmJob` is a config section (it can sit under ``slurm:`` in any mathlm YAML file) that says
what to run and with which resources. :func:`render` turns it into an sbatch script through a Jinja
template shipped in ``mathlm/assets/slurm/templates/`` (``job.sbatch`` for plain jobs and arrays,
``torchrun.sbatch`` for multi-node training), so users who need an unusual cluster setting edit a readable
template rather than Python. :func:`submit` hands a script to ``sbatch``; :func:`wait`, :func:`job_state`
and :func:`job_tasks` follow it with ``scontrol``/``squeue`` (and ``sacct`` where the cluster keeps
accounting), and :class:`TaskInfo` reads its output files back.

    job = SlurmJob(name="hello", commands=["python -c 'print(42)'"], log_dir="runs/logs")
    job_id = submit_job(job, "runs/hello.sbatch")
    assert wait(job_id, timeout=600) == "COMPLETED"
    print(job_tasks(job_id)[0].read_stdout())

Data pipelines run on datatrove's ``SlurmPipelineExecutor``; :func:`datatrove_executor_kwargs` gives
the arguments that make it work on the same clusters (partition, venv activation, resources).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from mathlm.assets import SLURM_DIR
from mathlm.config import ConfigModel, resolve_config_path, validate_config
from mathlm.errors import MathlmError

TEMPLATES_DIR = SLURM_DIR / "templates"
LOCAL_CLUSTER_SCRIPT = SLURM_DIR / "local_cluster.sh"
START_HINT = (
    f'No Slurm cluster here? Start the local one-node cluster with: eval "$({LOCAL_CLUSTER_SCRIPT} start)" '
    "(it sets SLURM_CONF)."
)

# States after which a job never runs again (a requeued job goes back to PENDING instead).
TERMINAL_STATES = frozenset(
    {
        "COMPLETED",
        "FAILED",
        "CANCELLED",
        "TIMEOUT",
        "NODE_FAIL",
        "PREEMPTED",
        "OUT_OF_MEMORY",
        "BOOT_FAIL",
        "DEADLINE",
        "SPECIAL_EXIT",
        "REVOKED",
    }
)
RUNNING_STATES = frozenset({"RUNNING", "COMPLETING", "CONFIGURING", "STAGE_OUT", "SIGNALING", "RESIZING"})

_TIME = re.compile(r"^(UNLIMITED|INFINITE|\d+|\d+:\d{1,2}|\d+:\d{1,2}:\d{1,2}|\d+-\d+(:\d{1,2}){0,2})$")
_TIME_HINT = "a Slurm time limit such as 30, 04:00:00 or 2-00:00:00"
_SIGNAL = re.compile(r"^([BR]:)?(SIG)?[A-Z0-9]+(@\d+)?$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _matching(pattern: str, expected: str) -> AfterValidator:
    """A check that a value matches ``pattern``; ``expected`` says what a valid value looks like."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.match(value):
            raise ValueError(expected)
        return value

    return AfterValidator(check)


SingleLine = Annotated[str, Field(min_length=1, pattern=r"^\S+$")]
TimeLimit = Annotated[str, _matching(_TIME.pattern, _TIME_HINT)]
Memory = Annotated[str, _matching(r"^\d+[KMGT]?$", "memory per node such as 16G, 500M or 0 (all of it)")]
ArraySpec = Annotated[
    str,
    _matching(
        r"^\d+(-\d+)?(:\d+)?(,\d+(-\d+)?(:\d+)?)*(%\d+)?$",
        "an sbatch array spec such as 0-3, 1,3,5 or 0-99%8",
    ),
]


class SlurmResources(ConfigModel):
    """What a job asks Slurm for: the one resources schema of every mathlm Slurm job (a ``SlurmJob``, an
    eval config's ``slurm:`` section, ``mathlm slurm train``'s options, a data build's executor). Each
    field is the sbatch option of the same name; ``setup`` lines run in the job's shell before its commands.
    """

    partition: SingleLine | None = None
    account: SingleLine | None = None
    qos: SingleLine | None = None
    time: TimeLimit = "01:00:00"
    cpus_per_task: int = Field(1, ge=1)
    mem: Memory | None = None
    setup: list[str] = Field([], description="shell lines run before the commands (module load ...)")
    extra_sbatch: list[str] = []

    @field_validator("extra_sbatch")
    @classmethod
    def _check_extra(cls, value: list[str]) -> list[str]:
        bad = [line for line in value if not line.startswith("-") or "\n" in line]
        if bad:
            raise ValueError(f"sbatch options such as --exclusive or --constraint=h100, got {bad}")
        return value


class SlurmJob(SlurmResources):
    """What a Slurm job runs and what it asks for; every field maps to one sbatch option or template part.

    ``commands`` run one after the other in the job's shell after ``setup`` (e.g. activating a venv);
    with ``template="torchrun.sbatch"`` each command is what ``torchrun`` starts on every node
    (``-m mathlm.pretrain ...`` or a script path). Output goes to ``log_dir`` unless ``output``/``error``
    give explicit paths (Slurm patterns such as ``%x``, ``%j``, ``%A_%a`` work in both).
    """

    name: SingleLine
    commands: list[str] = Field(min_length=1)
    env: dict[str, str] = {}
    nodes: int = Field(1, ge=1)
    ntasks_per_node: int = Field(1, ge=1)
    gpus_per_node: int = Field(0, ge=0)
    array: ArraySpec | None = None
    log_dir: str = "slurm_logs"
    output: SingleLine | None = None
    error: SingleLine | None = None
    workdir: SingleLine | None = None
    requeue: bool = False
    signal: str | None = None
    template: str = "job.sbatch"
    template_values: dict[str, str | int | float | bool] = {}

    @field_validator("signal")
    @classmethod
    def _check_signal(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return value
        if not _SIGNAL.match(value):
            raise ValueError("an sbatch --signal value such as B:USR1@120")
        if not info.data.get("requeue"):
            raise ValueError("the signal is only used to requeue on preemption: set requeue: true as well")
        return value

    @field_validator("env")
    @classmethod
    def _check_env(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [name for name in value if not _ENV_NAME.match(name)]
        if bad:
            raise ValueError(f"environment variable names must be shell identifiers, got {bad}")
        return value

    @property
    def is_array(self) -> bool:
        return self.array is not None

    @property
    def signal_name(self) -> str | None:
        """The signal the job's shell traps (``USR1`` for ``B:USR1@120``)."""
        if self.signal is None:
            return None
        name = self.signal.split(":")[-1].split("@")[0]
        return name.removeprefix("SIG")

    def log_path(self, stream: str) -> str:
        """Where Slurm writes ``stream`` ("out" or "err"): explicit path, else under ``log_dir``."""
        explicit = self.output if stream == "out" else self.error
        if explicit:
            return explicit
        pattern = "%A_%a" if self.is_array else "%j"
        return str(Path(self.log_dir) / f"%x-{pattern}.{stream}")


def sbatch_directives(job: SlurmJob) -> list[str]:
    """The ``#SBATCH`` options of ``job``, one per line, in the order sbatch's manual lists them."""
    lines = [
        f"--job-name={job.name}",
        f"--nodes={job.nodes}",
        f"--ntasks-per-node={job.ntasks_per_node}",
        f"--cpus-per-task={job.cpus_per_task}",
        f"--time={job.time}",
        f"--output={job.log_path('out')}",
        f"--error={job.log_path('err')}",
    ]
    optional = {
        "gpus-per-node": job.gpus_per_node or None,
        "mem": job.mem,
        "partition": job.partition,
        "account": job.account,
        "qos": job.qos,
        "array": job.array,
        "chdir": job.workdir,
        "signal": job.signal,
    }
    lines += [f"--{key}={value}" for key, value in optional.items() if value is not None]
    if job.requeue:
        # A requeued job restarts its script: keep the log of the run that was interrupted.
        lines += ["--requeue", "--open-mode=append"]
    return lines + list(job.extra_sbatch)


def render(job: SlurmJob) -> str:
    """The sbatch script of ``job``, from its template (a shipped template's name, or a file path)."""
    import jinja2

    template_path = _template_path(job.template)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(template_path.parent), str(TEMPLATES_DIR)]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters["shquote"] = shlex.quote
    try:
        template = environment.get_template(template_path.name)
        return template.render(job=job, directives=sbatch_directives(job), template_name=template_path.name)
    except jinja2.TemplateError as err:
        where = f"{template_path}:{err.lineno}" if getattr(err, "lineno", None) else str(template_path)
        raise MathlmError(f"{where}: cannot render the sbatch template for job '{job.name}': {err}") from None


def _template_path(template: str) -> Path:
    candidates = [Path(template).expanduser(), TEMPLATES_DIR / template]
    for path in candidates:
        if path.is_file():
            return path.resolve()
    available = ", ".join(sorted(p.name for p in TEMPLATES_DIR.glob("*.sbatch")))
    raise MathlmError(
        f"sbatch template '{template}' not found (neither a file nor in {TEMPLATES_DIR}); "
        f"available: {available}"
    )


def write_script(job: SlurmJob, path: str | Path) -> Path:
    """Render ``job`` to ``path`` and create the folders its logs go to (Slurm does not create them)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(job), encoding="utf-8")
    path.chmod(0o755)
    base = Path(job.workdir) if job.workdir else Path.cwd()
    for stream in ("out", "err"):
        (base / job.log_path(stream)).parent.mkdir(parents=True, exist_ok=True)
    return path


def submit(script_path: str | Path, extra_args: Sequence[str] = ()) -> str:
    """Submit an sbatch script and return its job id; sbatch's own message on failure."""
    script_path = Path(script_path)
    if not script_path.is_file():
        raise MathlmError(f"sbatch script not found: {script_path}")
    result = _run_slurm(["sbatch", "--parsable", *extra_args, str(script_path)])
    if result.returncode != 0:
        raise MathlmError(f"sbatch could not submit {script_path}:\n{result.stderr.strip()}\n{START_HINT}")
    # --parsable prints "jobid" or "jobid;cluster".
    return result.stdout.strip().splitlines()[-1].split(";")[0]


def submit_job(job: SlurmJob, script_path: str | Path, extra_args: Sequence[str] = ()) -> str:
    """Render ``job`` to ``script_path``, submit it and return its job id."""
    return submit(write_script(job, script_path), extra_args)


def cancel(job_id: str) -> None:
    """Cancel a job (every task of an array job)."""
    result = _run_slurm(["scancel", str(job_id)])
    if result.returncode != 0:
        raise MathlmError(f"scancel {job_id} failed: {result.stderr.strip()}")


@dataclass(frozen=True)
class TaskInfo:
    """One job, or one task of an array job, as Slurm reports it."""

    job_id: str
    state: str
    exit_code: str = ""
    reason: str = ""
    stdout: Path | None = None
    stderr: Path | None = None
    nodes: str = ""
    restarts: int = 0

    @property
    def done(self) -> bool:
        return self.state in TERMINAL_STATES

    def read_stdout(self) -> str:
        """The task's standard output so far ('' before the task has started)."""
        return _read_log(self.stdout, "stdout", self.job_id)

    def read_stderr(self) -> str:
        """The task's standard error so far ('' before the task has started)."""
        return _read_log(self.stderr, "stderr", self.job_id)


def _read_log(path: Path | None, stream: str, job_id: str) -> str:
    if path is None:
        raise MathlmError(
            f"Slurm no longer knows where job {job_id} wrote its {stream} "
            "(finished jobs leave scontrol after MinJobAge); look in the job's log_dir"
        )
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def job_tasks(job_id: str) -> list[TaskInfo]:
    """Every task of ``job_id`` (one entry for a plain job), from scontrol, else from sacct."""
    tasks = _tasks_from_scontrol(str(job_id))
    if tasks is None:
        tasks = _tasks_from_sacct(str(job_id))
    if not tasks:
        raise MathlmError(
            f"Slurm does not know job {job_id}: the id is wrong, or the job ended long ago "
            "on a cluster without accounting (scontrol forgets finished jobs after MinJobAge)"
        )
    return sorted(tasks, key=_task_order)


def _task_order(task: TaskInfo) -> tuple[int, ...]:
    """Array tasks in index order (scontrol lists them newest first); pending ranges such as 5-9 last."""
    return tuple(int(part) if part.isdigit() else 1 << 62 for part in task.job_id.split("_"))


def find_jobs(name: str) -> list[str]:
    """Ids of the jobs called ``name`` that Slurm still knows (pending, running or recently ended).

    For jobs submitted by others on one's behalf, e.g. the stats-merging job that datatrove's
    ``SlurmPipelineExecutor`` adds after its array without returning its id.
    """
    result = _run_slurm(["squeue", "--noheader", "--states=all", f"--name={name}", "--format=%F"])
    if result.returncode != 0:
        raise MathlmError(f"squeue failed:\n{result.stderr.strip()}\n{START_HINT}")
    return sorted(set(result.stdout.split()), key=int)


def job_state(job_id: str) -> str:
    """One state for the whole job: RUNNING/PENDING while any task is unfinished, then COMPLETED only if
    every task completed, else the first failing task's state (FAILED, TIMEOUT, CANCELLED, ...)."""
    return overall_state(job_tasks(job_id))


def overall_state(tasks: Sequence[TaskInfo]) -> str:
    """Combine the states of an array's tasks into the state a user asks about."""
    unfinished = [task.state for task in tasks if not task.done]
    if unfinished:
        return "RUNNING" if any(state in RUNNING_STATES for state in unfinished) else unfinished[0]
    failed = [task.state for task in tasks if task.state != "COMPLETED"]
    return failed[0] if failed else "COMPLETED"


class JobWaitTimeout(MathlmError):
    """The job was still unfinished when :func:`wait` gave up; it keeps running on the cluster."""


def wait(
    job_id: str, timeout: float | None = None, poll: float = 2.0, on_poll: Callable[[str], None] | None = None
) -> str:
    """Block until ``job_id`` (all its tasks) has finished and return its :func:`job_state`.

    Raises :class:`JobWaitTimeout` after ``timeout`` seconds (None waits for ever); the job is not
    cancelled then. ``on_poll`` gets the state after every poll (for progress displays).
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        state = job_state(job_id)
        if on_poll is not None:
            on_poll(state)
        if state in TERMINAL_STATES:
            return state
        if deadline is not None and time.monotonic() >= deadline:
            raise JobWaitTimeout(
                f"job {job_id} is still {state} after {timeout:g} s; it keeps running: "
                f"follow it with `mathlm slurm status {job_id}` or stop it with "
                f"`mathlm slurm cancel {job_id}`"
            )
        time.sleep(poll if deadline is None else max(0.0, min(poll, deadline - time.monotonic())))


def _tasks_from_scontrol(job_id: str) -> list[TaskInfo] | None:
    """None when scontrol does not know the job (any more)."""
    result = _run_slurm(["scontrol", "show", "job", "--oneliner", job_id])
    if result.returncode != 0:
        if "Invalid job id" in result.stderr:
            return None
        raise MathlmError(f"scontrol show job {job_id} failed:\n{result.stderr.strip()}\n{START_HINT}")
    records = [parse_scontrol_record(line) for line in result.stdout.splitlines() if line.strip()]
    return [_task_from_record(record) for record in records]


def parse_scontrol_record(line: str) -> dict[str, str]:
    """``Key=value Key2=value with spaces ...`` (one ``scontrol --oneliner`` record) as a dict."""
    keys = list(re.finditer(r"(?:^|\s)([A-Za-z][\w/:]*)=", line))
    record = {}
    for match, following in zip(keys, [*keys[1:], None]):
        end = following.start() if following else len(line)
        record[match.group(1)] = line[match.end() : end].strip()
    return record


def _task_from_record(record: dict[str, str]) -> TaskInfo:
    array_task = record.get("ArrayTaskId")
    job_id = f"{record['ArrayJobId']}_{array_task}" if array_task else record["JobId"]
    return TaskInfo(
        job_id=job_id,
        state=record.get("JobState", "UNKNOWN"),
        exit_code=record.get("ExitCode", ""),
        reason=record.get("Reason", ""),
        stdout=Path(record["StdOut"]) if record.get("StdOut") else None,
        stderr=Path(record["StdErr"]) if record.get("StdErr") else None,
        nodes=record.get("NodeList", ""),
        restarts=int(record.get("Restarts", "0") or 0),
    )


def _tasks_from_sacct(job_id: str) -> list[TaskInfo]:
    """Finished jobs on clusters with accounting; [] where sacct is missing or accounting is off."""
    if shutil.which("sacct") is None:
        return []
    result = _run_slurm(
        [
            "sacct",
            "--noheader",
            "--parsable2",
            "--allocations",
            "--jobs",
            job_id,
            "--format=JobID,State,ExitCode,NodeList",
        ]
    )
    if result.returncode != 0:
        return []
    tasks = []
    for line in result.stdout.splitlines():
        fields = line.split("|")
        if len(fields) == 4:
            # sacct writes "CANCELLED by 0"; the state is the first word.
            job, state, exit_code, nodes = fields
            tasks.append(TaskInfo(job_id=job, state=state.split()[0], exit_code=exit_code, nodes=nodes))
    return tasks


def _run_slurm(command: list[str]) -> subprocess.CompletedProcess[str]:
    conf = os.environ.get("SLURM_CONF")
    if conf and not Path(conf).is_file():
        # Slurm's tools would retry for a minute before saying so.
        raise MathlmError(
            f"SLURM_CONF={conf} does not exist: point it at the cluster's slurm.conf or "
            f"unset it. {START_HINT}"
        )
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    except FileNotFoundError:
        raise MathlmError(
            f"`{command[0]}` is not installed here: run mathlm's Slurm commands on a cluster's "
            f"login node. {START_HINT}"
        ) from None
    except subprocess.TimeoutExpired:
        raise MathlmError(
            f"`{' '.join(command)}` did not answer within 120 s: is slurmctld overloaded or "
            "down? (`scontrol ping` tells)"
        ) from None


def venv_activate_script() -> Path:
    """The ``bin/activate`` of the Python environment running mathlm (what jobs must source)."""
    return Path(sys.prefix) / "bin" / "activate"


def mathlm_arguments(
    command: str, config: str | Path, overrides: Sequence[str], path_key: str, path: Path
) -> str:
    """``-m mathlm.cli COMMAND CONFIG --set ...`` for a job: the config (a shipped ``configs/...`` name
    included) and the run's ``path_key`` are made absolute, so the job finds them from any directory."""
    kept = [o for o in overrides if not o.strip().startswith(f"{path_key}=")]
    sets = " ".join(f"--set {shlex.quote(o)}" for o in [*kept, f"{path_key}={path}"])
    return f"-m mathlm.cli {command} {shlex.quote(str(resolve_config_path(config).resolve()))} {sets}"


def mathlm_job(resources: SlurmResources, source: str, **job: Any) -> SlurmJob:
    """The one builder of mathlm's own jobs (training, evaluation shards, merges): ``resources`` plus the
    job's fields, run in this venv (its ``activate`` first, then ``resources.setup``), offline for the
    Hugging Face hub, started in the current directory. Checked like a config; errors name ``source``."""
    activate = venv_activate_script()
    fields = {
        **resources.model_dump(include=set(SlurmResources.model_fields)),
        "setup": ([f"source {shlex.quote(str(activate))}"] if activate.is_file() else []) + resources.setup,
        "workdir": str(Path.cwd()),
        **job,
        "env": {"HF_HUB_OFFLINE": "1", **job.get("env", {})},
    }
    return validate_config(fields, SlurmJob, source)


def datatrove_executor_kwargs(
    resources: SlurmResources | None = None, mem_per_cpu_gb: int = 2, venv_path: str | Path | None = None
) -> dict[str, Any]:
    """Arguments for datatrove's ``SlurmPipelineExecutor`` that work on mathlm's clusters, from the shared
    resources schema (every field honoured: ``account`` and ``extra_sbatch`` become datatrove's
    ``sbatch_args``, ``setup`` runs after the venv's activation).

    Pass them along with the pipeline, tasks and logging_dir:
    ``SlurmPipelineExecutor(pipeline, tasks=8, logging_dir=..., **datatrove_executor_kwargs(resources))``.
    ``venv_path`` (default: this venv's ``bin/activate``) is required: without it the job's shell cannot
    find datatrove's ``launch_pickled_pipeline`` (``execve(): launch_pickled_pipeline``). ``qos`` None
    leaves the cluster's default (datatrove would otherwise ask for qos "normal"). ``partition`` None
    means the cluster's default partition, as reported by ``sinfo``. datatrove sizes memory per CPU
    (``mem_per_cpu_gb``), so ``mem`` is refused rather than ignored.
    """
    resources = resources or SlurmResources()
    if resources.mem is not None:
        raise MathlmError(
            f"mem={resources.mem}: datatrove jobs size memory per CPU; set mem_per_cpu_gb instead"
        )
    activate = Path(venv_path) if venv_path else venv_activate_script()
    if not activate.is_file():
        raise MathlmError(
            f"venv_path={activate}: no such activate script; pass the bin/activate of the venv "
            "that has mathlm installed"
        )
    sbatch_args = {"account": resources.account} if resources.account else {}
    for option in resources.extra_sbatch:
        key, _, value = option.lstrip("-").partition("=")
        sbatch_args[key] = value
    kwargs: dict[str, Any] = {
        "partition": resources.partition or default_partition(),
        "cpus_per_task": resources.cpus_per_task,
        "mem_per_cpu_gb": mem_per_cpu_gb,
        "time": resources.time,
        "venv_path": str(activate),
        "qos": resources.qos or "",
    }
    if sbatch_args:
        kwargs["sbatch_args"] = sbatch_args
    if resources.setup:
        kwargs["env_command"] = " && ".join([f"source {shlex.quote(str(activate))}", *resources.setup])
    return kwargs


def default_partition() -> str:
    """The cluster's default partition (marked ``*`` by sinfo)."""
    result = _run_slurm(["sinfo", "--noheader", "--format=%P"])
    if result.returncode != 0:
        raise MathlmError(f"sinfo failed:\n{result.stderr.strip()}\n{START_HINT}")
    partitions = result.stdout.split()
    for name in partitions:
        if name.endswith("*"):
            return name.rstrip("*")
    if partitions:
        return partitions[0]
    raise MathlmError("sinfo lists no partitions: pass partition= explicitly")
