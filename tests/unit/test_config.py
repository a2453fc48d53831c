"""Settings checks, called directly: every problem names its setting and never its value."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml

from tap_emag.config import (
    ACCOUNT_DEFAULTS,
    CONFIG_SCHEMA,
    TAP_SETTINGS,
    Settings,
    config_errors,
    fill_from_environment,
    parse_accounts,
)
from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]

SECRET = "Pw-never-shown-1"
GOOD = {"name": "main", "username": "u", "password": SECRET}


@pytest.mark.parametrize("config, expected", [
    ({}, ["config is missing required setting(s): accounts"]),
    ({"accounts": []}, ["accounts: no account is configured with a username and password"]),
    ({"accounts": [{"name": "main", "username": "u"}]},
     ["accounts[0].password is missing or empty (account 'main')"]),
    ({"accounts": [GOOD, {**GOOD, "username": "v"}]},
     ["accounts[1].name: duplicate account name 'main'"]),
    ({"accounts": [GOOD], "items_per_page": 500}, ["items_per_page must be at most 100"]),
    ({"accounts": [GOOD], "requests_per_second": 0},
     ["requests_per_second must be greater than 0"]),
    ({"accounts": [GOOD], "full_reemit": "yes"},
     ["full_reemit must be of type ['boolean', 'null']"]),
    ({"accounts": [GOOD], "deletion_check_limit": -1},
     ["deletion_check_limit must be at least 0"]),
    ({"accounts": [{**GOOD, "password": 123456789}]},
     ["accounts[0].password must be of type ['string', 'null']"]),
    ({"accounts": [{**GOOD, "name": "Main FBE"}]}, [
        "accounts[0].name does not have the expected form (^[a-z][a-z0-9_]{0,62}$)"]),
])
def test_each_problem_is_named(config, expected):
    errors = config_errors(config)
    assert errors[: len(expected)] == expected, errors
    assert all(SECRET not in error and "123456789" not in error for error in errors)


def test_a_good_config_has_no_errors():
    assert config_errors({"accounts": [GOOD, {"name": "fbe"}], "full_reemit": True}) == []


def test_credentials_come_from_the_environment_and_the_config_wins():
    config = {"accounts": [{"name": "main", "username": "from-config"}, {"name": "fbe"}]}
    filled = fill_from_environment(config, {
        "EMAG_MAIN_USERNAME": "from-env", "EMAG_MAIN_PASSWORD": SECRET,
        "EMAG_FBE_BASE_URL": "https://marketplace-api.emag.bg/api-3"})
    main, fbe = filled["accounts"]
    assert (main["username"], main["password"]) == ("from-config", SECRET)
    assert fbe == {"name": "fbe", "base_url": "https://marketplace-api.emag.bg/api-3"}
    assert config_errors(filled) == []


def test_an_account_without_credentials_is_left_out_with_a_warning(caplog):
    config = {"accounts": [GOOD, {"name": "fbe"}]}
    with caplog.at_level(logging.WARNING):
        accounts = parse_accounts(config, logging.getLogger("test"))
    assert [a.name for a in accounts] == ["main"]
    assert "'fbe' has no username or password" in caplog.text
    assert SECRET not in repr(accounts)
    assert accounts[0].base_url == "https://marketplace-api.emag.ro/api-3"


def test_settings_left_out_take_the_schema_defaults():
    settings = Settings.from_config({"accounts": [GOOD]}, logging.getLogger("test"))
    schema = CONFIG_SCHEMA["properties"]
    assert settings.page_size == schema["items_per_page"]["default"] == 100
    assert settings.requests_per_second == schema["requests_per_second"]["default"] == 3
    assert settings.deletion_check_limit == schema["deletion_check_limit"]["default"]
    assert settings.full_reemit is False and settings.filters == {}
    assert [a.base_url for a in settings.accounts] == [ACCOUNT_DEFAULTS["base_url"]]


def test_a_null_setting_takes_its_default_and_a_given_one_wins():
    config = {"accounts": [GOOD], "max_in_flight": None, "max_retries": 2}
    assert config_errors(config) == []
    settings = Settings.from_config(config, logging.getLogger("test"))
    assert settings.max_in_flight == CONFIG_SCHEMA["properties"]["max_in_flight"]["default"]
    assert settings.max_retries == 2


def test_every_top_level_setting_but_accounts_and_filters_has_a_default():
    """Settings.from_config reads them without fallbacks: a missing default would fail there."""
    without = {name for name in TAP_SETTINGS if "default" not in CONFIG_SCHEMA["properties"][name]}
    assert without == {"accounts", "filters"}


def test_meltano_yml_declares_the_tap_settings_as_generated_from_the_schema():
    """Descriptions and kinds have one home, the config schema; meltano.yml's list is made from it.

    Fails when a setting's description or kind in meltano.yml drifts from the schema, or the
    generated block was edited by hand: `make readme` rewrites it.
    """
    script = load_script("scripts/readme_settings.py")
    text = (ROOT / "meltano.yml").read_text()
    plugins = yaml.safe_load(text)["plugins"]["extractors"]
    declared = next(p for p in plugins if p["name"] == "tap-emag")["settings"]
    assert [s["name"] for s in declared] == list(TAP_SETTINGS)
    assert declared == script.meltano_settings()
    assert script.with_extractor(text) == text, "meltano.yml is out of date: make readme"
    accounts = declared[0]
    assert accounts["description"] == CONFIG_SCHEMA["properties"]["accounts"]["description"]
    assert accounts["sensitive"] is True  # it holds the passwords
    assert {s["kind"] for s in declared if s["name"].endswith("_per_second")} == {"integer"}
    assert all(s["label"] and s["description"] for s in declared)
    restated = [s["name"] for s in declared if "value" in s]
    assert restated == [], f"defaults belong in tap_emag/config.py only: {restated}"


def test_hub_definition_is_the_one_generated_from_about():
    """plugins/extractors/tap-emag.yml, what users add, is `make readme`'s output from --about.

    Fails when the committed definition was edited by hand or the tap's settings or
    capabilities changed without `make readme`.
    """
    script = load_script("scripts/readme_settings.py")
    path = ROOT / "plugins" / "extractors" / "tap-emag.yml"
    assert path.read_text() == script.definition_text(), "out of date: make readme"
    definition = yaml.safe_load(path.read_text())
    assert definition["capabilities"] == sorted(script.about()["capabilities"])
    assert {"catalog", "discover", "state", "about"} <= set(definition["capabilities"])
    assert [s["name"] for s in definition["settings"]] == list(TAP_SETTINGS)
    assert definition["settings_group_validation"] == [["accounts"]]
    assert definition["pip_url"] == "tap-emag", "what a user installs, not this checkout"


def test_meltano_yml_extractor_is_the_definition_plus_this_projects_overrides():
    """This project runs what users add: its tap-emag differs from the definition (as
    `meltano add --from-ref` writes it) only in pip_url, catalog and config."""
    script = load_script("scripts/readme_settings.py")
    plugins = yaml.safe_load((ROOT / "meltano.yml").read_text())["plugins"]["extractors"]
    ours = next(p for p in plugins if p["name"] == "tap-emag")
    own = {"pip_url", "catalog", "config"}
    assert {k: v for k, v in ours.items() if k not in own} == {
        k: v for k, v in script.from_ref_plugin().items() if k != "pip_url"}
    assert set(ours) - set(script.from_ref_plugin()) == {"catalog", "config"}


def test_the_jobs_file_users_include_holds_this_projects_jobs_and_schedules():
    """plugins/tap-emag.meltano.yml (what users include) runs what this project runs: the same
    schedules, the same quick-sync plugin, and jobs whose dbt step is this project's dbt:run
    through the package's copy of run_exclusive.py, on the package's models only."""
    ours = yaml.safe_load((ROOT / "meltano.yml").read_text())
    shipped = yaml.safe_load((ROOT / "plugins" / "tap-emag.meltano.yml").read_text())
    assert shipped["schedules"] == ours["schedules"]
    quick = next(p for p in ours["plugins"]["extractors"] if p["name"] == "tap-emag--quick")
    assert shipped["plugins"]["extractors"] == [quick]
    # the write-back job is not in it: it needs tap-postgres and target-emag, which a user adds
    # on purpose (docs/WRITE_BACK.md)
    syncing = [job for job in ours["jobs"] if job["name"] != "emag-push"]
    assert len(syncing) == len(ours["jobs"]) - 1
    assert shipped["jobs"] == [
        {**job, "tasks": [task.replace("dbt:", "dbt-emag:") for task in job["tasks"]]}
        for job in syncing]
    (dbt,) = shipped["plugins"]["utilities"]
    assert dbt["inherit_from"] == "dbt-postgres"
    commands = next(p for p in ours["plugins"]["utilities"] if p["name"] == "dbt")["commands"]
    for name, command in dbt["commands"].items():
        assert command["executable"] == commands[name]["executable"] == "python"
        script = "$MELTANO_PROJECT_ROOT/transform/run_exclusive.py"
        expected = commands[name]["args"].replace(
            script, "$MELTANO_PROJECT_ROOT/transform/dbt_packages/emag/run_exclusive.py")
        if "--then" in expected:
            expected += " --select package:emag"
        assert command["args"] == expected
    used = {task.split(":")[1] for job in shipped["jobs"] for line in job["tasks"]
            for task in line.split() if task.startswith("dbt-emag:")}
    assert used <= set(dbt["commands"])
