"""Celery settings of every worker (`celery -A dagster_celery.app` imports this module by name).

They must match the run launcher's in dagster.yaml: the same broker and result backend (from
the environment), one task taken at a time per free process, so a killed worker strands at most
one queued run, which goes back to the queue after the visibility timeout.
"""

import os

broker_url = os.environ["DAGSTER_CELERY_BROKER"]
result_backend = os.environ["DAGSTER_CELERY_BACKEND"]
worker_prefetch_multiplier = 1
broker_transport_options = {
    "visibility_timeout": int(os.environ.get("DAGSTER_CELERY_VISIBILITY_TIMEOUT", "300"))}
