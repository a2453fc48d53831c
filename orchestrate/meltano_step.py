"""One Meltano command as a Dagster step: its lines in the run's log, a non-zero exit a Failure.

Shared by the ops of the Meltano jobs (definitions.py) and the seller assets (many_sellers.py),
so a failed step always carries Meltano's last lines in its metadata.
"""

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import dagster as dg

from orchestrate.meltano_run import stream_run


def run_meltano_step(log: logging.Logger | dg.DagsterLogManager, command: Sequence[str],
                     cwd: Path, env: Mapping[str, str], what: str) -> None:
    """Run COMMAND, forward each line to LOG; raise dg.Failure naming WHAT when it fails."""
    result = stream_run(command, cwd, env, lambda level, line: log.log(level, line))
    if result.returncode != 0:
        failed = f"{what} exited with {result.returncode}"
        log.error(failed)
        raise dg.Failure(description=failed,
                         metadata={"last lines": dg.MetadataValue.text("\n".join(result.tail))})
    log.info(f"{what} completed")
