"""Start the pieces of Dagster for many sellers on one or more hosts.

Run by the `dagster` plugin's Python (`meltano invoke dagster:<command>`), each command replaces
itself with the program it starts, in the foreground (a process manager, systemd or a container
keeps it running):
- `instance`: write $DAGSTER_HOME/dagster.yaml from orchestrate/deploy/dagster.yaml (Postgres
  storage, the Celery run launcher, the run queue, run monitoring and retries); on every host;
- `redis`: Debian's redis-server as the Celery broker and result backend (once, on one host);
- `daemon`: dagster-daemon (run queue, sensors, schedules, monitoring; once);
- `webserver`: the UI and GraphQL API (once);
- `worker NAME`: a Celery worker running up to DAGSTER_WORKER_CONCURRENCY runs at once; start
  one per host, more to add capacity.
Every process needs DAGSTER_HOME, DAGSTER_POSTGRES_URL, DAGSTER_CELERY_BROKER and
DAGSTER_CELERY_BACKEND; loads also need EMAG_SELLERS_FILE and the sellers' credentials.
"""

from __future__ import annotations

import os
import shutil
import signal
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "orchestrate" / "deploy"
# settings written into dagster.yaml (ints: Dagster reads no environment variable for them)
INSTANCE_SETTINGS = {
    "max_concurrent_runs": ("EMAG_MAX_CONCURRENT_RUNS", "4"),  # 2 workers x 2 runs
    "monitoring_interval": ("DAGSTER_MONITORING_INTERVAL_SECONDS", "30"),
    "start_timeout": ("DAGSTER_START_TIMEOUT_SECONDS", "900"),
    "visibility_timeout": ("DAGSTER_CELERY_VISIBILITY_TIMEOUT", "300"),
}
DRIVER = "postgresql+psycopg2://"
REQUIRED = ("DAGSTER_HOME", "DAGSTER_POSTGRES_URL", "DAGSTER_CELERY_BROKER",
            "DAGSTER_CELERY_BACKEND")


def _require(*names: str) -> None:
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        sys.exit(f"cluster.py: set {', '.join(missing)} first (see README, Many sellers)")
    url = os.environ.get("DAGSTER_POSTGRES_URL", "")
    if url and not url.startswith(DRIVER):
        # SQLAlchemy 2.1 reads a bare postgresql:// as psycopg 3, which dagster-postgres lacks
        sys.exit(f"cluster.py: DAGSTER_POSTGRES_URL must start with {DRIVER} (dagster-postgres' "
                 f"driver), e.g. {DRIVER}dagster@db-host:5432/dagster")


def instance_yaml(environ: dict[str, str]) -> str:
    """orchestrate/deploy/dagster.yaml with its $settings filled in (each a whole number)."""
    values = {}
    for key, (variable, default) in INSTANCE_SETTINGS.items():
        value = environ.get(variable) or default
        if not value.isdigit():
            sys.exit(f"cluster.py: {variable} must be a whole number, got {value!r}")
        values[key] = value
    return string.Template((DEPLOY / "dagster.yaml").read_text()).substitute(values)


def _exec(command: list[str], env: dict[str, str]) -> None:
    # a process started in the background by a script inherits SIGINT ignored (serve.py)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.chdir(ROOT)
    os.execve(command[0], command, env)  # noqa: S606 - fixed programs, our arguments


def _bin(name: str) -> str:
    """A program of the Dagster plugin's own virtual environment."""
    return str(Path(sys.executable).with_name(name))


def _code_env() -> dict[str, str]:
    """The environment with the project importable (orchestrate.*, the Celery settings)."""
    paths = [str(ROOT), str(DEPLOY), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in paths if path)}


def main(argv: list[str]) -> None:
    """Dispatch one command (see the module docstring)."""
    command, *rest = argv or ["--help"]
    if command == "instance":
        _require("DAGSTER_HOME")
        home = Path(os.environ["DAGSTER_HOME"])
        home.mkdir(parents=True, exist_ok=True)
        (home / "dagster.yaml").write_text(instance_yaml(dict(os.environ)))
        print(f"wrote {home / 'dagster.yaml'}")
    elif command == "redis":
        port = os.environ.get("REDIS_PORT", "6379")
        data = Path(os.environ.get("REDIS_DIR") or ROOT / ".redis")
        data.mkdir(parents=True, exist_ok=True)
        server = shutil.which("redis-server")
        if server is None:
            sys.exit("cluster.py: no redis-server on PATH (bash scripts/install_redis.sh)")
        _exec([server, "--port", port, "--bind", os.environ.get("REDIS_BIND", "127.0.0.1"),
               "--dir", str(data), "--appendonly", "yes", "--save", ""], dict(os.environ))
    elif command == "daemon":
        _require(*REQUIRED)
        _exec([_bin("dagster-daemon"), "run", "-m", "orchestrate.definitions", "-d", str(ROOT)],
              _code_env())
    elif command == "webserver":
        _require(*REQUIRED)
        _exec([_bin("dagster-webserver"), "-m", "orchestrate.definitions", "-d", str(ROOT),
               "-h", os.environ.get("DAGSTER_HOST") or "127.0.0.1",
               "-p", os.environ.get("DAGSTER_PORT") or "3000"], _code_env())
    elif command == "worker" and len(rest) == 1:
        _require(*REQUIRED)
        _exec([_bin("celery"), "-A", "dagster_celery.app", "worker", "-n", f"{rest[0]}@%h",
               "-Q", "dagster", "-O", "fair", "--prefetch-multiplier=1", "--loglevel=INFO",
               f"--concurrency={os.environ.get('DAGSTER_WORKER_CONCURRENCY') or '2'}"],
              _code_env())
    else:
        sys.exit(f"usage: cluster.py instance | redis | daemon | webserver | worker NAME\n"
                 f"{__doc__}")


if __name__ == "__main__":
    main(sys.argv[1:])
