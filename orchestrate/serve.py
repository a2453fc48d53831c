"""Start `dagster dev` on this project's definitions: what `make orchestrate` runs.

Run by the `dagster` plugin's Python (`meltano invoke dagster:ui`), so it imports nothing of
this repository. It prepares DAGSTER_HOME (a dagster.yaml with telemetry off, written once:
edit it freely afterwards) and replaces itself with `dagster dev`. Before that it puts SIGINT
and SIGTERM back to their defaults: `dagster dev` handles SIGTERM as SIGINT, and a process
started in the background by a non-interactive shell inherits SIGINT ignored, so it would
ignore SIGTERM too and outlive whoever started it.
"""

import os
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DAGSTER_YAML = """\
# Written by orchestrate/serve.py on first start; edit freely (it is not rewritten).
telemetry:
  enabled: false
"""


def prepare_home(home: Path) -> None:
    """DAGSTER_HOME with a dagster.yaml (telemetry disabled) unless one is there already."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML)


def dev_command(host: str, port: str, extra: list[str]) -> list[str]:
    """`dagster dev` on orchestrate.definitions, from the project folder."""
    return [sys.executable, "-m", "dagster", "dev", "-m", "orchestrate.definitions",
            "-d", str(ROOT), "--host", host, "--port", port, *extra]


def main() -> None:
    """Prepare the instance and become `dagster dev` (extra arguments are passed on)."""
    home = Path(os.environ.get("DAGSTER_HOME") or ROOT / ".dagster").resolve()
    prepare_home(home)
    os.environ["DAGSTER_HOME"] = str(home)
    command = dev_command(os.environ.get("DAGSTER_HOST") or "127.0.0.1",
                          os.environ.get("DAGSTER_PORT") or "3000", sys.argv[1:])
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.chdir(ROOT)
    os.execv(command[0], command)  # noqa: S606 - our own interpreter, fixed arguments


if __name__ == "__main__":
    main()
