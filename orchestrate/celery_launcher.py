"""dagster-celery's run launcher, told when a worker's host is gone.

Runs go to Celery workers on any number of hosts (the launcher publishes each run as a task;
a worker runs it). When a worker dies with its host (or is killed), its task stays STARTED in
the result backend forever, and dagster-celery's health check keeps answering "running": the
run would hang. Here the check also pings the worker that started the task (its name is in the
task's STARTED metadata). Two checks in a row without an answer mark the run's worker failed:
its task is revoked and terminated (should the worker only have been slow, the load stops
before another starts), Dagster's run monitoring fails the run, and run retries (dagster.yaml)
start it again, on a worker that answers.
"""

from __future__ import annotations

from dagster._core.launcher import CheckRunHealthResult, WorkerStatus
from dagster_celery.launcher import CeleryRunLauncher
from dagster_celery.tags import DAGSTER_CELERY_TASK_ID_TAG

PING_TIMEOUT_SECONDS = 5.0
MISSES_BEFORE_FAILED = 2


class HostAwareCeleryRunLauncher(CeleryRunLauncher):
    """CeleryRunLauncher whose health check notices a worker that no longer answers."""

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self._misses: dict[str, int] = {}  # run id: checks in a row its worker did not answer

    def check_run_worker_health(self, run):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201
        """Celery's task state, unless the worker that started the task no longer answers."""
        health = super().check_run_worker_health(run)
        if health.status != WorkerStatus.RUNNING:
            return health
        started = self.celery.AsyncResult(run.tags[DAGSTER_CELERY_TASK_ID_TAG]).info
        worker = started.get("hostname") if isinstance(started, dict) else None
        if not worker:
            return health
        answers = self.celery.control.ping(destination=[worker], timeout=PING_TIMEOUT_SECONDS,
                                           limit=1)
        misses = self._misses
        if any(worker in answer for answer in answers):
            misses.pop(run.run_id, None)
            return health
        misses[run.run_id] = misses.get(run.run_id, 0) + 1
        if misses[run.run_id] < MISSES_BEFORE_FAILED:
            return health
        misses.pop(run.run_id)
        self.terminate(run.run_id)
        return CheckRunHealthResult(
            WorkerStatus.FAILED,
            f"Celery worker {worker} does not answer a ping: its host or process is gone")
