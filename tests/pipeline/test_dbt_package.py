"""transform/ as a dbt package in another dbt project (docs/DBT_PACKAGE.md): a host project of
its own installs it through packages.yml, names the raw, local and output schemas through its
vars and configs, and builds the same emag_products as this repository's own pipeline."""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from tests.support.meltano_project import (
    ROOT,
    MeltanoProject,
    meltano_accounts,
    sandbox_accounts,
)
from tests.support.sandbox_process import SandboxProcess

SIZES = {"main": 80, "fbe": 50}
# Meltano's default load schema for tap-emag with target-postgres (this repository uses emag_raw)
RAW = "tap_emag"
DBT = ROOT / ".meltano" / "utilities" / "dbt" / "venv" / "bin" / "dbt"


@pytest.fixture(scope="module")
def sandbox():
    with SandboxProcess(sandbox_accounts(SIZES), "--rate-limit", "0", "--seed", "31") as sb:
        yield sb


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, sandbox, postgres):
    """The raw tables loaded by the real tap and target into `tap_emag`, then this repository's
    own build of them (schemas emag, emag_staging, ...)."""
    project = MeltanoProject(tmp_path_factory.mktemp("meltano"), sandbox.base_url, postgres,
                             meltano_accounts(SIZES), requests_per_second=100)
    project.env.update({"TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": RAW, "DBT_SOURCE_SCHEMA": RAW})
    result = project.run("tap-emag", "target-postgres", "dbt:run")
    assert result.returncode == 0, result.stderr[-3000:]
    return project


@pytest.fixture(scope="module")
def host(tmp_path_factory, postgres):
    """A dbt project of its own (target schema `analytics`) with transform/ as a local package."""
    folder = tmp_path_factory.mktemp("host")
    (folder / "dbt_project.yml").write_text(textwrap.dedent(f"""\
        name: shop
        version: "1.0.0"
        config-version: 2
        profile: shop
        vars:
          emag_schema: {RAW}
          emag_local_schema: shop_local
        models:
          emag:
            marts:
              +schema: emag_marts
        """))
    (folder / "profiles.yml").write_text(textwrap.dedent(f"""\
        shop:
          target: dev
          outputs:
            dev:
              type: postgres
              host: 127.0.0.1
              port: {postgres.port}
              user: postgres
              password: ""
              dbname: emag
              schema: analytics
              threads: 2
        """))
    (folder / "packages.yml").write_text(f"packages:\n  - local: {ROOT / 'transform'}\n")
    (folder / "models").mkdir()
    (folder / "models" / "shop_orders.sql").write_text("select 1 as order_id\n")
    return folder


def _dbt(host: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The dbt of the Meltano dbt utility, in the host folder, with none of this repository's
    DBT_* settings in its environment (the host's vars and profile say everything)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DBT_")}
    result = subprocess.run([str(DBT), *args, "--profiles-dir", str(host)], cwd=host, env=env,
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    return result


def _schemas(postgres) -> set[str]:
    return {name for (name,) in postgres.query("select nspname from pg_namespace")}


def test_a_host_project_builds_the_package_on_its_own_schemas(loaded, host, postgres):
    assert "emag" in _schemas(postgres)  # the repository's own build is there to compare with
    _dbt(host, "deps")
    # the host's unrelated command writes nothing of the package's, and no demo seed comes in
    _dbt(host, "run", "-s", "shop_orders")
    assert "shop_local" not in _schemas(postgres)
    assert _dbt(host, "ls", "--resource-type", "seed", "--output", "name").stdout.count(
        "sample_local_products") == 0
    # the one write outside its schemas, run on purpose, then the build with its tests
    _dbt(host, "run-operation", "create_local_tables")
    assert {"shop_local"} <= _schemas(postgres)
    _dbt(host, "build")

    built = _schemas(postgres)
    assert {"analytics", "analytics_staging", "analytics_intermediate",
            "analytics_system_of_record", "analytics_emag_marts"} <= built
    (count,), = postgres.query("select count(*) from analytics_emag_marts.emag_products")
    (expected,), = postgres.query("select count(*) from emag.emag_products")
    assert count == expected > 0
    for first, second in (("emag", "analytics_emag_marts"), ("analytics_emag_marts", "emag")):
        differing = postgres.query(
            f"select * from {first}.emag_products except select * from {second}.emag_products")
        assert differing == [], f"{first} has rows {second} lacks: {differing[:3]}"
