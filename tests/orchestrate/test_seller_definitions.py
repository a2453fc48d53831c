"""The seller definitions without a server: the registry sensor, the schedule, the marts sensor.

Each check runs in the dagster plugin's Python (as test_definitions.py does), on an ephemeral
instance: the sensors are evaluated as the daemon would, tick after tick, while the registry
file changes between ticks.
"""

from __future__ import annotations

from tests.orchestrate.test_definitions import _in_plugin_venv

TICKS = """
import datetime, json, os, sys
from pathlib import Path
import dagster as dg
from orchestrate.definitions import defs

registry = Path(os.environ["EMAG_SELLERS_FILE"])
repository = defs.get_repository_def()
sensor = repository.get_sensor_def("emag_seller_registry")
marts = repository.get_sensor_def("emag_marts_when_loads_land")
hourly = repository.get_schedule_def("emag_sellers_hourly")
keys = repository.asset_graph.get_all_asset_keys()
answers = {"jobs": sorted(job.name for job in repository.get_all_jobs()),
           "assets": sorted(key.to_user_string() for key in keys)}

def registry_tick(instance):
    # the sensor's own answer, applied as the daemon applies it (partitions first)
    result = sensor(dg.build_sensor_context(instance=instance, repository_def=repository))
    for request in result.dynamic_partitions_requests:
        if isinstance(request, dg.AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(request.partitions_def_name, request.partition_keys)
        else:
            for key in request.partition_keys:
                instance.delete_dynamic_partition(request.partitions_def_name, key)
    return {"runs": sorted(r.partition_key for r in result.run_requests),
            "partitions": sorted(instance.get_dynamic_partitions("emag_sellers"))}

with dg.instance_for_test() as instance:
    registry.write_text("sellers:\\n  - name: acme\\n  - name: globex\\n")
    answers["first"] = registry_tick(instance)
    answers["again"] = registry_tick(instance)
    registry.write_text("sellers:\\n  - name: acme\\n  - name: initech\\n")
    answers["changed"] = registry_tick(instance)
    # a seller in the file the sensor has not seen yet waits for its first load
    registry.write_text("sellers:\\n  - name: acme\\n  - name: initech\\n  - name: hooli\\n")
    at = datetime.datetime(2026, 12, 5, 21, tzinfo=datetime.timezone.utc)
    tick = hourly(dg.build_schedule_context(instance=instance, repository_def=repository,
                                            scheduled_execution_time=at))
    answers["hourly"] = sorted((r.partition_key, r.run_key) for r in tick)

    context = dg.build_sensor_context(instance=instance, repository_def=repository)
    answers["marts_idle"] = isinstance(marts(context), dg.SkipReason)
    for seller in ("acme", "initech"):
        instance.report_runless_asset_event(
            dg.AssetMaterialization(asset_key="emag_raw", partition=seller))
    built = marts(context)
    answers["marts_after_loads"] = isinstance(built, dg.RunRequest)
    answers["marts_tags"] = dict(built.tags) if isinstance(built, dg.RunRequest) else {}
    answers["marts_again"] = isinstance(marts(context), dg.SkipReason)
    # a load lands while a build runs: no second build until that one ends
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key="emag_raw", partition="acme"))
    running = instance.add_run(dg.DagsterRun(job_name="emag_marts_build",
                                            status=dg.DagsterRunStatus.STARTED))
    answers["marts_while_running"] = str(marts(context).skip_message)
    instance.report_run_failed(running)
    answers["marts_after_it"] = isinstance(marts(context), dg.RunRequest)
print(json.dumps(answers))
"""


def test_the_registry_drives_partitions_first_loads_the_schedule_and_the_marts(tmp_path):
    registry = tmp_path / "sellers.yml"
    registry.write_text("sellers: []\n")
    answers = _in_plugin_venv(TICKS, env={"EMAG_SELLERS_FILE": str(registry)})

    assert {"emag_seller_load", "emag_marts_build", "emag_sync"} <= set(answers["jobs"])
    assert answers["assets"] == ["emag_marts", "emag_raw"]
    # new sellers: a partition each and one first load each; the next tick adds nothing
    assert answers["first"] == {"runs": ["acme", "globex"], "partitions": ["acme", "globex"]}
    assert answers["again"] == {"runs": [], "partitions": ["acme", "globex"]}
    # a seller added at runtime is picked up; a removed one loses its partition
    assert answers["changed"] == {"runs": ["initech"], "partitions": ["acme", "initech"]}
    assert answers["hourly"] == [["acme", "acme:2026-12-05T21:00:00+00:00"],
                                 ["initech", "initech:2026-12-05T21:00:00+00:00"]]
    # the marts: nothing landed, no build; two loads landed, one build; no new load, no build
    assert answers["marts_idle"] is True
    assert answers["marts_after_loads"] is True
    assert answers["marts_tags"]["emag/sellers-landed"] == "2"
    assert answers["marts_again"] is True
    assert answers["marts_while_running"].startswith("a marts build is in progress")
    assert answers["marts_after_it"] is True


def test_without_a_registry_the_project_has_no_seller_definitions():
    answers = _in_plugin_venv("""
        import json
        from orchestrate.definitions import defs
        repository = defs.get_repository_def()
        print(json.dumps({"jobs": sorted(job.name for job in repository.get_all_jobs()),
                          "sensors": [s.name for s in repository.sensor_defs]}))
        """)
    assert "emag_seller_load" not in answers["jobs"]
    assert answers["sensors"] == []
