"""What Dagster needs from the Meltano project: folder, Meltano, environment, jobs, schedules.

Jobs and schedules are asked of Meltano (`meltano job list` / `meltano schedule list`, JSON),
not read from meltano.yml's text: Meltano resolves `include_paths`, `@hourly`-style intervals
and its own validation, so a job added anywhere in the project appears in Dagster as
`meltano run` would run it, and nothing here restates Meltano's rules.
"""

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# `make orchestrate` sets it to the project's own .venv/bin/meltano: the Dagster venv has no
# Meltano, and a `meltano` found on PATH could be another project's or another version.
MELTANO_EXECUTABLE_VARIABLE = "ORCHESTRATE_MELTANO"
DEFAULT_ENVIRONMENT = "dev"


@dataclass(frozen=True)
class MeltanoJob:
    """A job of meltano.yml: its name and its tasks (what `meltano run NAME` runs)."""

    name: str
    tasks: tuple[str, ...]


@dataclass(frozen=True)
class MeltanoSchedule:
    """A job schedule of meltano.yml: when it runs which job, with which extra variables."""

    name: str
    job: str
    cron: str
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MeltanoProject:
    """The project as the orchestrator sees it: where, run by which Meltano, in which env."""

    root: Path
    meltano: str
    environment: str
    jobs: tuple[MeltanoJob, ...]
    schedules: tuple[MeltanoSchedule, ...]
    # schedules of the legacy `extractor`/`loader` form: no job to run, so not orchestrated
    skipped_schedules: tuple[str, ...] = ()


def dagster_name(meltano_name: str) -> str:
    """A Meltano name as Dagster accepts names (letters, digits, underscores): `emag_sync`."""
    return re.sub(r"[^A-Za-z0-9_]", "_", meltano_name)


def project_root() -> Path:
    """MELTANO_PROJECT_ROOT under `meltano invoke`, else the folder holding this package."""
    configured = os.environ.get("MELTANO_PROJECT_ROOT")
    return Path(configured) if configured else Path(__file__).resolve().parents[1]


def meltano_executable(root: Path) -> str:
    """ORCHESTRATE_MELTANO, else the project's .venv/bin/meltano, else `meltano` on PATH."""
    configured = os.environ.get(MELTANO_EXECUTABLE_VARIABLE)
    if configured:
        return configured
    local = root / ".venv" / "bin" / "meltano"
    if local.is_file():
        return str(local)
    found = shutil.which("meltano")
    if found:
        return found
    msg = (f"no Meltano: set {MELTANO_EXECUTABLE_VARIABLE} to the project's meltano "
           "(make orchestrate does)")
    raise RuntimeError(msg)


def meltano_environment() -> str:
    """The Meltano environment the jobs run in.

    `meltano --environment=prod invoke dagster:ui` passes MELTANO_ENVIRONMENT to the plugin,
    so the jobs run in the environment the orchestrator was started in.
    """
    return os.environ.get("MELTANO_ENVIRONMENT") or DEFAULT_ENVIRONMENT


def ask_meltano(meltano: str, root: Path, *args: str) -> dict[str, object]:
    """`meltano --no-environment ARGS --format=json`, parsed; Meltano's own error if it fails."""
    result = subprocess.run(  # noqa: S603 - the project's own Meltano, fixed arguments
        [meltano, "--no-environment", *args, "--format=json"], cwd=root, capture_output=True,
        text=True, timeout=120, check=False)
    if result.returncode != 0:
        msg = f"`meltano {' '.join(args)}` failed ({result.returncode}): {result.stderr[-2000:]}"
        raise RuntimeError(msg)
    answer: dict[str, object] = json.loads(result.stdout)
    return answer


def parse_jobs(answer: Mapping[str, object]) -> tuple[MeltanoJob, ...]:
    """The jobs of `meltano job list --format=json`."""
    jobs = answer.get("jobs") or []
    if not isinstance(jobs, list):
        msg = f"unexpected `meltano job list` answer: {answer!r}"
        raise TypeError(msg)
    return tuple(MeltanoJob(name=str(job["job_name"]), tasks=tuple(map(str, job["tasks"])))
                 for job in jobs)


def parse_schedules(answer: Mapping[str, object],
                    ) -> tuple[tuple[MeltanoSchedule, ...], tuple[str, ...]]:
    """Job schedules of `meltano schedule list --format=json`, and the names of legacy ones."""
    schedules = answer.get("schedules") or {}
    if not isinstance(schedules, dict):
        msg = f"unexpected `meltano schedule list` answer: {answer!r}"
        raise TypeError(msg)
    found = tuple(
        MeltanoSchedule(name=str(item["name"]), job=str(item["job"]["name"]),
                        cron=str(item["cron_interval"]),
                        env={str(k): str(v) for k, v in (item.get("env") or {}).items()})
        for item in schedules.get("job") or [])
    legacy = tuple(str(item["name"]) for item in schedules.get("elt") or [])
    return found, legacy


def load_project() -> MeltanoProject:
    """The project this orchestrator runs, read through its own Meltano."""
    root = project_root()
    meltano = meltano_executable(root)
    schedules, legacy = parse_schedules(ask_meltano(meltano, root, "schedule", "list"))
    return MeltanoProject(root=root, meltano=meltano, environment=meltano_environment(),
                          jobs=parse_jobs(ask_meltano(meltano, root, "job", "list")),
                          schedules=schedules, skipped_schedules=legacy)
