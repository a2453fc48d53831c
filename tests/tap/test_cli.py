"""The executable as a user runs it: --about, --discover, --test, bad config."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.tap_runner import PASSWORDS, tap_config

TAP = [sys.executable, "-m", "tap_emag.tap"]


def _run(*args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*TAP, *args], capture_output=True, text=True, timeout=timeout,
                          check=False)


def _write(tmp_path, config) -> str:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return str(path)


def test_about_markdown_lists_the_settings():
    result = _run("--about", "--format=markdown")
    assert result.returncode == 0
    for setting in ("accounts", "items_per_page", "requests_per_second", "filters.status"):
        assert f"| {setting} |" in result.stdout


def test_discover_needs_no_config_and_no_network():
    result = _run("--discover")
    assert result.returncode == 0, result.stderr
    catalog = json.loads(result.stdout)
    streams = {entry["tap_stream_id"]: entry for entry in catalog["streams"]}
    # in the order of a scan's sync: the sync log last
    assert list(streams) == [
        "products", "orders", "product_gpsr", "categories", "vat_rates", "sync_runs"]
    assert streams["products"]["key_properties"] == ["account", "id"]
    price = streams["products"]["schema"]["properties"]["sale_price"]
    assert "number" in price["type"]


def test_connection_test_checks_every_account(sandbox, tmp_path):
    result = _run("--config", _write(tmp_path, tap_config(sandbox)), "--test")
    assert result.returncode == 0, result.stderr
    assert "account 'main'" in result.stderr and "account 'fbe'" in result.stderr
    assert result.stderr.count(" OK (") == 2
    assert '"RECORD"' not in result.stdout


def test_connection_test_names_the_failing_account_without_its_password(sandbox, tmp_path):
    config = tap_config(sandbox)
    config["accounts"][1]["password"] = "Not-The-Right-0ne"
    result = _run("--config", _write(tmp_path, config), "--test")
    assert result.returncode == 1
    assert "account 'fbe'" in result.stderr and "FAILED" in result.stderr
    assert "account 'main'" in result.stderr and " OK (" in result.stderr
    assert "Not-The-Right-0ne" not in result.stderr + result.stdout


BAD_CONFIGS = [
    ({"accounts": []}, "accounts: no account is configured"),
    ({"accounts": [{"name": "main", "username": "u"}]}, "accounts[0].password is missing"),
    ({"accounts": [{"name": "main", "username": "u", "password": "Pw-1-secret"},
                   {"name": "main", "username": "v", "password": "Pw-2-secret"}]},
     "accounts[1].name: duplicate account name"),
    ({"accounts": [{"name": "main", "username": "u", "password": "Pw-1-secret"}],
      "items_per_page": 500}, "items_per_page must be at most 100"),
    ({"accounts": [{"name": "main", "username": "u", "password": "Pw-1-secret",
                    "base_url": "ftp://marketplace-api.emag.ro"}]}, "accounts[0].base_url"),
    ({"accounts": [{"name": "Main FBE", "username": "u", "password": "Pw-1-secret"}]},
     "accounts[0].name"),
    ({"accounts": [{"name": "main", "username": "u", "password": 123456789}]},
     "accounts[0].password must be of type"),
]


SECRETS = ("Pw-1-secret", "Pw-2-secret", "123456789")


@pytest.mark.parametrize("config, message", BAD_CONFIGS)
def test_bad_config_fails_before_any_request_naming_the_setting(tmp_path, config, message):
    result = _run("--config", _write(tmp_path, config))
    assert result.returncode != 0
    assert message in result.stderr
    assert not any(secret in result.stderr + result.stdout for secret in SECRETS)
    assert '"RECORD"' not in result.stdout


@pytest.mark.parametrize("config, message", BAD_CONFIGS)
def test_the_connection_test_names_the_bad_setting_without_a_traceback(tmp_path, config,
                                                                       message):
    result = _run("--config", _write(tmp_path, config), "--test")
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(secret in result.stderr + result.stdout for secret in SECRETS)


@pytest.mark.parametrize("config, message", BAD_CONFIGS)
def test_discovery_warns_naming_the_bad_setting_and_still_gives_the_catalog(tmp_path, config,
                                                                          message):
    """Discovery needs no valid config (the SDK's rule): it warns, and the catalog follows."""
    result = _run("--config", _write(tmp_path, config), "--discover")
    assert result.returncode == 0, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(secret in result.stderr + result.stdout for secret in SECRETS)
    assert [s["tap_stream_id"] for s in json.loads(result.stdout)["streams"]] == [
        "products", "orders", "product_gpsr", "categories", "vat_rates", "sync_runs"]


def test_an_account_without_credentials_is_left_out_with_a_warning(sandbox, tmp_path):
    config = tap_config(sandbox, accounts=("main",))
    config["accounts"].append({"name": "fbe", "username": "", "password": ""})
    result = _run("--config", _write(tmp_path, config), "--test")
    assert result.returncode == 0, result.stderr
    assert "'fbe' has no username or password" in result.stderr
    assert PASSWORDS["main"] not in result.stderr


def test_credentials_can_come_from_the_environment_alone(sandbox, tmp_path):
    config = {"accounts": [{"name": "main"}, {"name": "fbe"}], "requests_per_second": 50}
    env = {**os.environ, "EMAG_MAIN_USERNAME": "main-user",
           "EMAG_MAIN_PASSWORD": PASSWORDS["main"], "EMAG_MAIN_BASE_URL": sandbox.base_url}
    env.pop("EMAG_FBE_USERNAME", None)
    env.pop("EMAG_FBE_PASSWORD", None)
    result = subprocess.run([*TAP, "--config", _write(tmp_path, config), "--test"], env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "account 'main' at " + sandbox.base_url + " OK" in result.stderr
    assert "'fbe' has no username or password: left out" in result.stderr
    assert PASSWORDS["main"] not in result.stderr + result.stdout
