"""One `meltano run JOB` as a child process whose every output line reaches a callback.

Dagster shows an op's `context.log` lines in the run's event log, live; a child's raw output
would only reach the captured-logs tab (and PipesSubprocessClient expects a child that speaks
dagster-pipes). So the op hands each line of Meltano's output, stdout and stderr merged in the
order they were written, to `context.log`, at the level Meltano logged it.
"""

import logging
import re
import subprocess
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Meltano's console format: `2026-12-02T21:56:47.12Z [info     ] ...`
LEVEL = re.compile(r"\[(debug|info|warning|error|critical)\s*\]")
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING,
          "error": logging.ERROR, "critical": logging.CRITICAL}
# a killed run gets this long to stop on SIGTERM (Meltano stops its plugins) before SIGKILL
STOP_GRACE_SECONDS = 30
TAIL_LINES = 30


@dataclass(frozen=True)
class RunResult:
    """How `meltano run` ended, and its last lines (for the failure's description)."""

    returncode: int
    tail: tuple[str, ...]


def meltano_command(meltano: str, environment: str, *arguments: str) -> list[str]:
    """A Meltano command line in the given environment, logs without colour codes."""
    return [meltano, f"--environment={environment}", "--log-format=uncolored", *arguments]


def run_command(meltano: str, environment: str, job: str) -> list[str]:
    """The command line of `meltano run JOB`."""
    return meltano_command(meltano, environment, "run", job)


def line_level(line: str) -> int:
    """The logging level Meltano wrote the line at (info when it names none)."""
    found = LEVEL.search(line)
    return LEVELS[found.group(1)] if found else logging.INFO


def stream_run(command: Sequence[str], cwd: Path, env: Mapping[str, str],
               on_line: Callable[[int, str], None]) -> RunResult:
    """Run COMMAND, hand each output line (level, text) to ON_LINE as it comes, and wait.

    If the caller is interrupted (a run terminated from the UI raises in the op), the child
    is stopped with SIGTERM, then SIGKILL after STOP_GRACE_SECONDS, so no sync outlives it.
    """
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    process = subprocess.Popen(  # noqa: S603 - the op's own command line
        list(command), cwd=cwd, env=dict(env), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, errors="replace",
        bufsize=1)
    try:
        assert process.stdout is not None
        for raw in process.stdout:
            line = ANSI_ESCAPE.sub("", raw).rstrip()
            if line:
                tail.append(line)
                on_line(line_level(line), line)
        return RunResult(process.wait(), tuple(tail))
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
