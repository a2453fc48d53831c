"""Many sellers on Dagster: one partition per seller, its loads in the run queue, one marts build.

Loaded by orchestrate/definitions.py when EMAG_SELLERS_FILE names a seller registry
(orchestrate/sellers.py). Assets:
- `emag_raw`, partitioned by seller (dynamic partitions `emag_sellers`): one seller's
  `meltano run --state-id-suffix=SELLER tap-emag target-postgres`, into its own raw schema, with
  its own state, credentials and (from its own logins) its own run lock and request budget;
- `emag_marts`, downstream of every partition: the project's `dbt:run` over the union of all
  sellers (EMAG_SELLERS), so one build serves all the loads that landed before it.
Automation:
- sensor `emag_seller_registry`: adds (and removes) partitions as the registry file changes and
  starts the first load of a new seller: nothing is restarted to add a seller;
- sensor `emag_marts_when_loads_land`: builds the marts once loads have landed since the last
  build, never two builds at once, so a build covers every load that landed while one ran;
- schedule `emag_sellers_hourly` (running, as the sensors are: the registry is the opt-in): one
  load per seller of the registry at each tick.
Where runs execute is the instance's business (dagster.yaml): the run queue limits how many run
at once and keeps each seller to one run at a time; the Celery run launcher spreads them over
workers on any number of hosts (orchestrate/deploy/).
"""


import os

import dagster as dg

from orchestrate.meltano_project import MeltanoProject
from orchestrate.meltano_run import meltano_command
from orchestrate.meltano_step import run_meltano_step
from orchestrate.sellers import (
    Registry,
    RegistryError,
    load_environment,
    load_registry,
    registry_path,
)

SELLERS = dg.DynamicPartitionsDefinition(name="emag_sellers")
RAW = dg.AssetKey("emag_raw")
LOAD_JOB = "emag_seller_load"
MARTS_JOB = "emag_marts_build"
SELLER_TAG = "emag/seller"
# a failing seller (wrong password, eMAG down for it) is retried with growing waits, then fails
RETRIES = int(os.environ.get("EMAG_LOAD_RETRIES", "2"))
RETRY_DELAY_SECONDS = float(os.environ.get("EMAG_LOAD_RETRY_DELAY_SECONDS", "60"))
SENSOR_INTERVAL_SECONDS = int(os.environ.get("EMAG_SENSOR_INTERVAL_SECONDS", "60"))
HOURLY_CRON = os.environ.get("EMAG_SELLERS_CRON", "0 * * * *")
IN_PROGRESS = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED,
               dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED]


def registry() -> Registry:
    """The registry, read now."""
    path = registry_path()
    if path is None:
        msg = "EMAG_SELLERS_FILE is not set: no seller registry"
        raise RegistryError(msg)
    return load_registry(path)


def _run_meltano(context: dg.AssetExecutionContext, project: MeltanoProject,
                 arguments: list[str], env: dict[str, str], what: str) -> None:
    command = meltano_command(project.meltano, project.environment, *arguments)
    context.log.info(f"meltano {' '.join(command[1:])} (in {project.root})")
    run_meltano_step(context.log, command, project.root, env, what)


def build_seller_definitions(project: MeltanoProject) -> dg.Definitions:
    """The seller partitions, the load and marts assets, their jobs, sensors and schedule."""

    @dg.asset(
        key=RAW, partitions_def=SELLERS, group_name="emag",
        retry_policy=dg.RetryPolicy(max_retries=RETRIES, delay=RETRY_DELAY_SECONDS,
                                    backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS),
        description=("One seller's eMAG accounts loaded into its own raw schema "
                     "(`meltano run --state-id-suffix=SELLER tap-emag target-postgres`)."))
    def emag_raw(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        try:
            seller = registry().seller(context.partition_key)
            env = load_environment(seller, os.environ)
        except RegistryError as error:  # names the file, seller or variable; never a secret
            raise dg.Failure(description=str(error)) from None
        # --force: Meltano refuses a state id whose last run was killed until its heartbeat is
        # stale (5 min); the run queue already keeps each seller to one run at a time.
        _run_meltano(context, project,
                     ["run", f"--state-id-suffix={seller.name}", "--force",
                      "tap-emag", "target-postgres"],
                     env, f"load of seller {seller.name}")
        return dg.MaterializeResult(metadata={
            "schema": seller.raw_schema,
            "accounts": ", ".join(account.name for account in seller.accounts)})

    @dg.asset(
        deps=[emag_raw], group_name="emag",
        description=("The marts over every seller (`meltano run dbt:run` with EMAG_SELLERS): "
                     "every mart has a `seller` column."))
    def emag_marts(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        try:
            sellers = registry()
        except RegistryError as error:
            raise dg.Failure(description=str(error)) from None
        # dbt reads <DBT_SOURCE_SCHEMA>__<seller>: the schemas the loads wrote
        env = {**os.environ, "EMAG_SELLERS": ",".join(sellers.names()),
               "DBT_SOURCE_SCHEMA": sellers.raw_schema}
        _run_meltano(context, project, ["run", "dbt:run"], env, "marts build")
        return dg.MaterializeResult(metadata={"sellers": len(sellers.names())})

    load_job = dg.define_asset_job(
        LOAD_JOB, selection=[emag_raw], partitions_def=SELLERS,
        executor_def=dg.in_process_executor,
        description="One seller's load (one run per seller: the partition is the seller).")
    marts_job = dg.define_asset_job(
        MARTS_JOB, selection=[emag_marts], executor_def=dg.in_process_executor,
        tags={"emag/marts": "build"},
        description="The marts over every seller's raw schema.")

    @dg.sensor(job=load_job, minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Follows the seller registry: a new seller gets a partition and a "
                           "first load; a removed seller loses its partition (its data stays).")
    def emag_seller_registry(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        names = registry().names()
        known = set(context.instance.get_dynamic_partitions(SELLERS.name))
        added = [name for name in names if name not in known]
        removed = sorted(known - set(names))
        requests = []
        if added:
            requests.append(SELLERS.build_add_request(added))
        if removed:
            requests.append(SELLERS.build_delete_request(removed))
        # no run key: a seller removed and added again gets a first load again
        return dg.SensorResult(
            run_requests=[dg.RunRequest(partition_key=name, tags={SELLER_TAG: name})
                          for name in added],
            dynamic_partitions_requests=requests)

    @dg.sensor(job=marts_job, minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
               default_status=dg.DefaultSensorStatus.RUNNING,
               description="Builds the marts when loads have landed since the last build; "
                           "waits while a build is queued or running.")
    def emag_marts_when_loads_land(
            context: dg.SensorEvaluationContext) -> dg.SkipReason | dg.RunRequest:
        after = int(context.cursor or 0)
        landed = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=RAW, after_storage_id=after), limit=10_000)
        if not landed.records:
            return dg.SkipReason("no load has landed since the last build")
        building = context.instance.get_runs(
            filters=dg.RunsFilter(job_name=MARTS_JOB, statuses=IN_PROGRESS), limit=1)
        if building:
            return dg.SkipReason(f"a marts build is in progress ({building[0].run_id})")
        newest = max(record.storage_id for record in landed.records)
        context.update_cursor(str(newest))
        sellers = sorted({record.partition_key or "" for record in landed.records})
        return dg.RunRequest(run_key=f"after-load-{newest}",
                             tags={"emag/loads": str(len(landed.records)),
                                   "emag/sellers-landed": str(len(sellers))})

    @dg.schedule(job=load_job, cron_schedule=HOURLY_CRON,
                 default_status=dg.DefaultScheduleStatus.RUNNING,
                 description="Every seller of the registry, each in its own run, every hour "
                             "(the run queue decides how many run at once).")
    def emag_sellers_hourly(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        known = set(context.instance.get_dynamic_partitions(SELLERS.name))
        stamp = context.scheduled_execution_time.isoformat()
        return [dg.RunRequest(partition_key=name, run_key=f"{name}:{stamp}",
                              tags={SELLER_TAG: name})
                for name in registry().names() if name in known]

    return dg.Definitions(assets=[emag_raw, emag_marts], jobs=[load_job, marts_job],
                          sensors=[emag_seller_registry, emag_marts_when_loads_land],
                          schedules=[emag_sellers_hourly])
