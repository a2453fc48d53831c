"""Dagster for this Meltano project: its jobs and schedules, a UI and an API (make orchestrate).

The package runs in the `dagster` utility plugin's own virtual environment, not the tap's:
only `definitions.py` imports Dagster; `meltano_project.py` and `meltano_run.py` need nothing
but the standard library, so they stay importable (and testable) anywhere.
"""
