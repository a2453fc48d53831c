"""tap-emag added to a Meltano project and a dbt project of one's own, from the built wheel.

From an empty folder, as the README's "Add it to your own Meltano and dbt project" shows it:
`meltano init`, the two files copied in (the Hub definition, its pip_url set to the wheel just
built, and the jobs file), the README's commands and its packages.yml, then the loads and the
package's build through Meltano, against the sandbox and a real Postgres. Two things stand in
for what this machine cannot reach: Meltano Hub (target-postgres and dbt-postgres are added
from tests/support/hub/, cut-down copies of their Hub definitions) and GitHub (packages.yml's
`git:` becomes `local:` of this checkout). Schemas differ from this repository's: raw in
Meltano's default `tap_emag`, models under `analytics`. Then this repository's own dbt:run
builds the same raw tables, and every mart must hold the same rows both ways.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import typing as t
from pathlib import Path

import pytest
import yaml

from tests.support.meltano_project import (
    ROOT,
    MeltanoProject,
    meltano_accounts,
    sandbox_accounts,
)
from tests.support.readme import own_project_block
from tests.support.sandbox_process import SandboxProcess
from tests.support.scripts import load_script

SIZES = {"main": 60, "fbe": 40}
RAW = "tap_emag"  # Meltano's default load schema for tap-emag (this repository uses emag_raw)
HUB = Path(__file__).resolve().parents[1] / "support" / "hub"
DEFINITION = ROOT / "plugins" / "extractors" / "tap-emag.yml"
JOBS = ROOT / "plugins" / "tap-emag.meltano.yml"
BIN = Path(sys.executable).parent


class UserProject:
    """A Meltano project of a user's own, with none of this repository's environment."""

    def __init__(self, folder: Path, sandbox_url: str, postgres_port: int) -> None:
        self.folder = folder
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("MELTANO_", "TAP_EMAG_", "EMAG_", "TARGET_", "DBT_"))}
        self.env.update({"MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
                         "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"})
        for name, (username, password) in meltano_accounts(SIZES).items():
            prefix = f"EMAG_{name.upper()}_"
            self.env.update({prefix + "USERNAME": username, prefix + "PASSWORD": password,
                             prefix + "BASE_URL": sandbox_url})
        self.postgres_port = postgres_port

    def shell(self, line: str) -> subprocess.CompletedProcess[str]:
        """One line as a user types it (Hub adds get the stand-in definitions)."""
        line = re.sub(r"meltano add (target-postgres|dbt-postgres)\b",
                      lambda match: f"meltano add {match[1]} --from-ref {match[1]}.hub.yml", line)
        result = subprocess.run(["bash", "-c", line], cwd=self.folder, env=self.env,
                                capture_output=True, text=True, timeout=900, check=False)
        assert result.returncode == 0, f"{line}\n{result.stdout[-3000:]}{result.stderr[-5000:]}"
        return result

    def meltano(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.shell(" ".join(["meltano", *map(_quote, args)]))

    def meltano_yml(self) -> dict[str, t.Any]:
        return yaml.safe_load((self.folder / "meltano.yml").read_text())


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(outdir), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=300)
    (built,) = outdir.glob("tap_emag-*.whl")
    return built


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(sandbox_accounts(SIZES), "--rate-limit", "0", "--seed", "43") as sb:
        yield sb


@pytest.fixture(scope="module")
def user(tmp_path_factory, wheel, sandbox, postgres) -> UserProject:
    """The README's steps in a new project: after them, nothing has run yet."""
    postgres.create_database("shop")
    folder = tmp_path_factory.mktemp("user")
    UserProject(folder, sandbox.base_url, postgres.port).meltano("init", "shop")
    user = UserProject(folder / "shop", sandbox.base_url, postgres.port)
    # the two files copied in; until the release, pip_url set to a wheel (as the README says)
    (user.folder / "plugins" / "extractors").mkdir(parents=True)
    definition = DEFINITION.read_text()
    assert "\npip_url: tap-emag\n" in definition
    (user.folder / "plugins" / "extractors" / "tap-emag.yml").write_text(definition.replace(
        "\npip_url: tap-emag\n", f"\npip_url: {wheel} -c {ROOT / 'constraints.txt'}\n"))
    user.wheel = wheel
    shutil.copy(JOBS, user.folder / "tap-emag.meltano.yml")
    for name in ("target-postgres", "dbt-postgres"):
        (user.folder / f"{name}.hub.yml").write_text(
            (HUB / f"{name}.yml").read_text().replace("{ROOT}", str(ROOT)))
    # the user's Postgres, set before the README's commands ("with your connection set")
    connection = {"host": "127.0.0.1", "port": str(postgres.port), "user": "postgres"}
    commands = own_project_block("bash").splitlines()
    for line in commands:
        user.shell(line)
        if line.startswith("meltano add target-postgres"):
            url = f"postgresql+psycopg://postgres@127.0.0.1:{postgres.port}/shop"
            user.meltano("config", "set", "target-postgres", "sqlalchemy_url", url)
        if line.startswith("meltano add dbt-postgres"):
            for key, value in {**connection, "dbname": "shop", "schema": "analytics",
                               "password": ""}.items():
                user.meltano("config", "set", "dbt-postgres", key, value)
    transform = user.folder / "transform"
    packages = own_project_block("yaml")
    assert "subdirectory: transform" in packages
    (transform / "packages.yml").write_text(re.sub(
        r"- git: .*\n(\s+revision: .*\n)?\s+subdirectory: transform\n",
        f"- local: {ROOT / 'transform'}\n", packages))
    # the host's own model and its own names for the package's schemas (docs/DBT_PACKAGE.md)
    (transform / "models" / "shop_orders.sql").write_text("select 1 as order_id\n")
    project = yaml.safe_load((transform / "dbt_project.yml").read_text())
    project["vars"] = {"emag_local_schema": "shop_local"}
    project["models"] = {"emag": {"marts": {"+schema": "emag_marts"}}}
    (transform / "dbt_project.yml").write_text(yaml.safe_dump(project, sort_keys=False))
    user.meltano("invoke", "dbt-postgres", "deps")
    return user


def _unit_tests() -> list[str]:
    """The names of transform/'s dbt unit tests, from its YAML files."""
    names = []
    for path in (ROOT / "transform" / "models").rglob("*.yml"):
        names += [test["name"] for test in yaml.safe_load(path.read_text()).get("unit_tests", [])]
    return names


def _schemas(postgres) -> set[str]:
    return {name for (name,) in postgres.query("select nspname from pg_namespace",
                                                 database="shop")}


def test_settings_come_from_the_definition_with_their_kinds(user):
    definition = yaml.safe_load(DEFINITION.read_text())
    added = {plugin["name"]: plugin for plugin in user.meltano_yml()["plugins"]["extractors"]}
    assert {setting["name"]: setting["kind"] for setting in added["tap-emag"]["settings"]} == {
        setting["name"]: setting["kind"] for setting in definition["settings"]}
    listed = user.meltano("config", "list", "tap-emag", "--all").stdout
    for setting in definition["settings"]:
        assert f"{setting['name']} [env: TAP_EMAG_{setting['name'].upper()}]" in listed, listed
    # as --from-ref wrote it, this repository's meltano.yml declares it (make readme)
    assert added["tap-emag"] == {**load_script("scripts/readme_settings.py").from_ref_plugin(),
                                 "pip_url": f"{user.wheel} -c {ROOT / 'constraints.txt'}"}
    assert "accounts" not in added["tap-emag"].get("config", {}), "sensitive: kept in .env"
    assert "TAP_EMAG_ACCOUNTS=" in (user.folder / ".env").read_text()


def test_a_password_set_through_meltano_stays_out_of_meltano_yml(user):
    marker = "not-in-meltano-yml-0"
    accounts = json.dumps([{"name": "main", "username": "seller", "password": marker}])
    before = (user.folder / ".env").read_text()
    try:
        said = user.meltano("config", "set", "tap-emag", "accounts", accounts).stdout
        assert "set in `.env`" in said, said
        assert marker not in (user.folder / "meltano.yml").read_text()
        assert marker in (user.folder / ".env").read_text()
        listed = user.meltano("config", "list", "tap-emag").stdout
        assert marker not in listed and "(redacted)" in listed
    finally:
        (user.folder / ".env").write_text(before)
    # the wheel, not this checkout, is what Meltano installed
    installed = user.folder / ".meltano" / "extractors" / "tap-emag" / "venv"
    found = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import tap_emag, importlib.util; print(tap_emag.__file__);"
                            "print(importlib.util.find_spec('emag_sandbox'))"],
                           cwd=user.folder, capture_output=True, text=True, check=True,
                           timeout=60)
    assert str(installed) in found.stdout and found.stdout.endswith("None\n")


def test_about_and_discover_answer(user):
    definition = yaml.safe_load(DEFINITION.read_text())
    about = json.loads(user.meltano("invoke", "tap-emag", "--about", "--format=json").stdout)
    assert sorted(about["capabilities"]) == definition["capabilities"]
    catalog = json.loads(user.meltano("invoke", "tap-emag", "--discover").stdout)
    assert {"products", "orders", "sync_runs"} <= {s["tap_stream_id"] for s in catalog["streams"]}


def test_the_jobs_and_schedules_are_there(user):
    """What Meltano reads from the included file: every schedule with its job's tasks."""
    shipped = yaml.safe_load(JOBS.read_text())
    tasks = {job["name"]: job["tasks"] for job in shipped["jobs"]}
    listed = json.loads(user.meltano("schedule", "list", "--format=json").stdout)
    assert {(s["name"], s["interval"], tuple(s["job"]["tasks"]))
            for s in listed["schedules"]["job"]} == {
        (s["name"], s["interval"], tuple(tasks[s["job"]])) for s in shipped["schedules"]}
    assert len(listed["schedules"]["job"]) == 4


def test_load_then_the_package_builds_the_same_marts_as_this_repository(user, postgres,
                                                                         tmp_path_factory,
                                                                         sandbox):
    user.meltano("run", "tap-emag", "target-postgres")
    (count,), = postgres.query(f"select count(*) from {RAW}.products", database="shop")
    assert count == sum(SIZES.values())
    # the host's unrelated dbt command writes nothing of the package's
    user.meltano("invoke", "dbt-postgres", "run", "--select", "shop_orders")
    assert "shop_local" not in _schemas(postgres)
    # the job: the load (nothing new), prepare-sources, the package's models only
    user.meltano("run", "emag-sync")
    built = _schemas(postgres)
    assert {"shop_local", "analytics", "analytics_staging", "analytics_system_of_record",
            "analytics_emag_marts"} <= built
    assert not {"emag", "emag_raw", "local"} & built
    user.meltano("invoke", "dbt-emag:build")
    # that build ran the package's unit tests too (a failing one fails it)
    listed = user.meltano("invoke", "dbt-postgres", "ls", "--resource-type", "unit_test",
                          "--select", "package:emag")
    listed = listed.stdout + listed.stderr  # dbt_invoker logs dbt's output
    assert listed.count("unit_test:emag.") == len(_unit_tests()) > 0
    # the demo seed stays out of the host's own `dbt seed`
    user.meltano("invoke", "dbt-postgres", "seed")
    assert postgres.query("select count(*) from information_schema.tables "
                          "where table_name = 'sample_local_products'", database="shop") == [(0,)]

    # this repository's own pipeline (its meltano.yml's dbt:run) on the same raw tables
    mine = MeltanoProject(tmp_path_factory.mktemp("repo"), sandbox.base_url, postgres,
                          meltano_accounts(SIZES), database="shop")
    mine.env.update({"DBT_SOURCE_SCHEMA": RAW, "DBT_EMAG_SAMPLE_SEED": "false"})
    result = mine.invoke("dbt:run")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    marts = [name for (name,) in postgres.query(
        "select table_name from information_schema.tables where table_schema = 'emag' order by 1",
        database="shop")]
    models = ROOT / "transform" / "models" / "marts"
    assert marts == sorted(path.stem for path in models.glob("*.sql"))
    compared = 0
    for mart in marts:
        for first, second in (("emag", "analytics_emag_marts"), ("analytics_emag_marts", "emag")):
            differing = postgres.query(f"select * from {first}.{mart} except all "
                                       f"select * from {second}.{mart}", database="shop")
            assert differing == [], f"{mart}: {first} has rows {second} lacks: {differing[:3]}"
        compared += postgres.query(f"select count(*) from emag.{mart}", database="shop")[0][0]
    assert compared > 2 * sum(SIZES.values())
    (products,), = postgres.query("select count(*) from analytics_emag_marts.emag_products",
                                  database="shop")
    assert products == sum(SIZES.values())


def test_a_plain_dbt_build_waits_for_the_system_of_record_lock(user, postgres):
    """Outside run_exclusive.py (a plain `dbt run` of the host), each system-of-record table
    is still written by one build at a time: held here, the build waits for it."""
    import psycopg

    table = '"shop"."analytics_system_of_record"."int_emag__product_versions"'
    with psycopg.connect(postgres.dsn_for("shop")) as holder:
        holder.execute("select pg_advisory_xact_lock(hashtext('tap-emag system of record'), "
                       "hashtext(%s))", (table,))
        build = subprocess.Popen(
            ["bash", "-c", "meltano invoke dbt-postgres run --select int_emag__product_versions"],
            cwd=user.folder, env=user.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        waiting: list[tuple[t.Any, ...]] = []
        for _ in range(120):
            # another session: pg_stat_activity is read once per transaction
            waiting = postgres.query("select query from pg_stat_activity where "
                                     "wait_event_type = 'Lock' and wait_event = 'advisory'",
                                     database="shop")
            if waiting or build.poll() is not None:
                break
            time.sleep(0.5)
        assert build.poll() is None, build.communicate()
        assert waiting and "system of record" in waiting[0][0]
    # the holder's transaction ends: the build goes on
    stdout, stderr = build.communicate(timeout=300)
    assert build.returncode == 0, stdout[-2000:] + stderr[-2000:]
