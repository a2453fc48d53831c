"""The Dagster definitions: one job per Meltano job, one schedule per Meltano schedule.

`dagster dev -m orchestrate.definitions` (what `make orchestrate` starts) loads `defs`. Each
job has a single op that runs `meltano --environment=ENV run JOB` in the project and forwards
its output to the run's log; a non-zero exit fails the run. The schedules keep Meltano's cron
and `env:` (passed to the op as run config) and start stopped, so opening the UI never fires
a sync: switch them on in the UI (Automation) or with `dagster schedule start`.

With EMAG_SELLERS_FILE set, the seller assets, sensors and schedule of many_sellers.py join them.
"""

import logging
import os

import dagster as dg
from pydantic import Field

from orchestrate.many_sellers import build_seller_definitions
from orchestrate.meltano_project import (
    MeltanoJob,
    MeltanoProject,
    MeltanoSchedule,
    dagster_name,
    load_project,
)
from orchestrate.meltano_run import run_command
from orchestrate.meltano_step import run_meltano_step
from orchestrate.sellers import registry_path

# Dagster names allow letters, digits and underscores only (`emag-sync` becomes `emag_sync`):
# the Meltano name stays in the description and in these tags.
JOB_TAG = "meltano/job"
SCHEDULE_TAG = "meltano/schedule"
ENVIRONMENT_TAG = "meltano/environment"


class MeltanoRunConfig(dg.Config):
    """Run config of a Meltano job's op (the launchpad shows it)."""

    env: dict[str, str] = Field(
        default_factory=dict,
        description=("Extra environment variables for this run, e.g. TAP_EMAG_FULL_REEMIT: "
                     "'true'. Run config is stored and shown in the UI: never put passwords "
                     "here (the tap reads them from the environment or meltano.yml)."))


def op_name(job: MeltanoJob) -> str:
    """The name of the job's op (the key of its run config)."""
    return f"meltano_run_{dagster_name(job.name)}"


def unique_names(names: list[str], kind: str) -> None:
    """Fail loudly when two Meltano names map to one Dagster name (`a-b` and `a_b`)."""
    seen = {dagster_name(name): name for name in names}
    if len(seen) != len(names):
        msg = f"two Meltano {kind}s share a Dagster name: {sorted(names)}"
        raise ValueError(msg)


def build_job(project: MeltanoProject, job: MeltanoJob) -> dg.JobDefinition:
    """A Dagster job whose one op runs `meltano run JOB` and streams its log."""
    command = run_command(project.meltano, project.environment, job.name)

    @dg.op(name=op_name(job), description=f"`meltano run {job.name}`: {'; '.join(job.tasks)}")
    def run_meltano_job(context: dg.OpExecutionContext, config: MeltanoRunConfig) -> None:
        extra = ", ".join(f"{key}={value}" for key, value in sorted(config.env.items()))
        context.log.info(f"meltano {' '.join(command[1:])} (in {project.root}"
                         + (f"; with {extra})" if extra else ")"))
        run_meltano_step(context.log, command, project.root, {**os.environ, **config.env},
                         f"meltano run {job.name}")

    @dg.job(name=dagster_name(job.name),
            description=(f"Meltano job `{job.name}` in the `{project.environment}` environment: "
                         f"{'; '.join(job.tasks)}"),
            tags={JOB_TAG: job.name, ENVIRONMENT_TAG: project.environment})
    def meltano_job() -> None:
        run_meltano_job()

    return meltano_job


def build_schedule(project: MeltanoProject, schedule: MeltanoSchedule,
                   job: dg.JobDefinition, meltano_job: MeltanoJob) -> dg.ScheduleDefinition:
    """Meltano's schedule: same cron, same `env:`, stopped until someone starts it."""
    env = dict(schedule.env)
    return dg.ScheduleDefinition(
        name=dagster_name(schedule.name),
        cron_schedule=schedule.cron,
        job=job,
        run_config={"ops": {op_name(meltano_job): {"config": {"env": env}}}},
        tags={SCHEDULE_TAG: schedule.name},
        description=(f"Meltano schedule `{schedule.name}`: `meltano run {schedule.job}` at "
                     f"`{schedule.cron}` (UTC)"
                     + (f" with {', '.join(f'{k}={v}' for k, v in sorted(env.items()))}"
                        if env else "")),
        default_status=dg.DefaultScheduleStatus.STOPPED,
    )


def build_definitions(project: MeltanoProject) -> dg.Definitions:
    """Every job and job schedule of the project, as Dagster definitions."""
    if project.skipped_schedules:
        logging.getLogger(__name__).warning(
            "Schedules without a job (legacy extractor/loader form) are not orchestrated: %s",
            ", ".join(project.skipped_schedules))
    unique_names([job.name for job in project.jobs], "job")
    unique_names([schedule.name for schedule in project.schedules], "schedule")
    by_name = {job.name: job for job in project.jobs}
    jobs = {job.name: build_job(project, job) for job in project.jobs}
    schedules = [build_schedule(project, schedule, jobs[schedule.job], by_name[schedule.job])
                 for schedule in project.schedules]
    return dg.Definitions(jobs=list(jobs.values()), schedules=schedules)


def project_definitions() -> dg.Definitions:
    """The Meltano jobs and schedules, plus the seller partitions when a registry is set."""
    project = load_project()
    definitions = build_definitions(project)
    if registry_path() is None:
        return definitions
    return dg.Definitions.merge(definitions, build_seller_definitions(project))


defs = project_definitions()
