"""The seller registry: what a file means, what a bad one says, and what a seller's load sees."""

from __future__ import annotations

import json

import pytest

from orchestrate.sellers import RegistryError, load_environment, load_registry, registry_path
from tests.support.meltano_project import ROOT

REGISTRY = """\
base_url: http://127.0.0.1:8765/api-3
raw_schema: tap_emag
sellers:
  - name: acme
  - name: globex
    accounts:
      - main
      - name: fbe
        base_url: https://marketplace-api.emag.bg/api-3
"""


def _registry(tmp_path, text: str = REGISTRY):
    path = tmp_path / "sellers.yml"
    path.write_text(text)
    return load_registry(path)


def test_sellers_get_their_accounts_addresses_and_own_raw_schema(tmp_path):
    registry = _registry(tmp_path)
    assert registry.names() == ["acme", "globex"]
    acme, globex = registry.sellers
    assert [(a.name, a.base_url) for a in acme.accounts] == [
        ("main", "http://127.0.0.1:8765/api-3"), ("fbe", "http://127.0.0.1:8765/api-3")]
    assert (registry.raw_schema, acme.raw_schema, globex.raw_schema) == (
        "tap_emag", "tap_emag__acme", "tap_emag__globex")
    assert _registry(tmp_path, "sellers: [{name: a}]\n").seller("a").raw_schema == "emag_raw__a"
    assert globex.accounts[1].base_url == "https://marketplace-api.emag.bg/api-3"
    with pytest.raises(RegistryError, match=r"no seller 'initech' \(sellers: acme, globex\)"):
        registry.seller("initech")


def test_the_example_registry_reads():
    example = load_registry(ROOT / "orchestrate" / "deploy" / "sellers.example.yml")
    assert example.names() == ["acme", "globex"]
    assert [account.name for account in example.seller("globex").accounts] == ["main", "fbe"]


def test_no_registry_variable_means_a_single_seller_project():
    assert registry_path({}) is None
    assert registry_path({"EMAG_SELLERS_FILE": " "}) is None
    assert str(registry_path({"EMAG_SELLERS_FILE": "/etc/sellers.yml"})) == "/etc/sellers.yml"


@pytest.mark.parametrize(("text", "message"), [
    ("sellers:\n  - name: Acme\n", r"sellers\[0\]\.name: 'Acme' is not a seller name"),
    ("sellers:\n  - name: acme-ro\n", r"sellers\[0\]\.name: 'acme-ro' is not a seller name"),
    ("sellers:\n  - name: a\n  - name: a\n", "seller\\(s\\) listed twice: a"),
    ("sellers:\n  - name: a\n    accounts: [main, main]\n", "an account name appears twice"),
    ("sellers:\n  - name: a\n    accounts: [MAIN]\n", r"accounts\[0\]\.name: 'MAIN'"),
    ("sellers: {}\n", "a list under `sellers`"),
    ("sellers:\n  - name: a\n    accounts:\n      - name: main\n        password: s3cr3t\n",
     r"unknown key\(s\) password \(credentials never go in the registry"),
    ("sellers:\n  - name: a\n    password: s3cr3t\n", r"unknown key\(s\) password"),
    ("sellers:\n  - name: a\n    raw_schema: x\n", r"unknown key\(s\) raw_schema"),
    ("sellers:\n  - name: a\n    accounts: [{name: main, password: 's3cr3t}]\n",
     r"not valid YAML at line \d+, column \d+"),
    ("sellers:\n  - name: acme\n    accounts: [shop_main]\n  - name: acme_shop\n"
     "    accounts: [main]\n", "acme/shop_main and acme_shop/main would share the login "
     "variables EMAG_ACME_SHOP_MAIN_\\*"),
])
def test_a_bad_registry_names_the_place_and_never_echoes_a_secret(tmp_path, text, message):
    with pytest.raises(RegistryError, match=message) as error:
        _registry(tmp_path, text)
    assert "sellers.yml" in str(error.value)
    assert "s3cr3t" not in str(error.value)


def test_a_missing_registry_file_is_named(tmp_path):
    with pytest.raises(RegistryError, match=r"missing\.yml: cannot read the seller registry"):
        load_registry(tmp_path / "missing.yml")


def test_a_load_sees_its_own_logins_only_and_its_own_schema(tmp_path):
    acme = _registry(tmp_path).seller("acme")
    secrets = tmp_path / "secrets.env"
    secrets.write_text("# logins\nEMAG_ACME_MAIN_USERNAME=acme-main\n"
                       "export EMAG_ACME_MAIN_PASSWORD='from-file'\n"
                       "EMAG_ACME_FBE_USERNAME=acme-fbe\nEMAG_ACME_FBE_PASSWORD=fbe-pass\n")
    secrets.write_text(secrets.read_text() + 'EMAG_ACME_FBE_USERNAME="acme-fbe"\n'
                       "EMAG_ACME_FBE_PASSWORD=ends-with-quote'\n")
    worker = {"PATH": "/usr/bin", "EMAG_SECRETS_FILE": str(secrets),
              "EMAG_ACME_MAIN_PASSWORD": "from-environment",
              "EMAG_GLOBEX_MAIN_PASSWORD": "globex-secret", "EMAG_MAIN_PASSWORD": "single-seller",
              "EMAG_MAIN_BASE_URL": "http://elsewhere"}

    env = load_environment(acme, worker)

    assert env["EMAG_MAIN_USERNAME"] == "acme-main"
    assert env["EMAG_MAIN_PASSWORD"] == "from-environment"  # the environment wins
    assert env["EMAG_FBE_USERNAME"] == "acme-fbe"  # one pair of surrounding quotes removed
    assert env["EMAG_FBE_PASSWORD"] == "ends-with-quote'"  # a password's own quote kept
    assert "EMAG_SECRETS_FILE" not in env  # the file holds every seller's logins
    assert env["PATH"] == "/usr/bin"
    assert env["TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA"] == "tap_emag__acme"
    assert json.loads(env["TAP_EMAG_ACCOUNTS"]) == [
        {"name": "main", "base_url": "http://127.0.0.1:8765/api-3"},
        {"name": "fbe", "base_url": "http://127.0.0.1:8765/api-3"}]
    for leaked in ("EMAG_GLOBEX_MAIN_PASSWORD", "EMAG_ACME_MAIN_PASSWORD", "EMAG_MAIN_BASE_URL"):
        assert leaked not in env
    assert "globex-secret" not in json.dumps(env)


def test_the_secrets_file_is_read_at_every_load(tmp_path):
    acme = _registry(tmp_path, "sellers:\n  - name: acme\n    accounts: [main]\n").seller("acme")
    secrets = tmp_path / "secrets.env"
    worker = {"EMAG_SECRETS_FILE": str(secrets)}
    secrets.write_text("EMAG_ACME_MAIN_USERNAME=u\n")
    with pytest.raises(RegistryError,
                       match=r"seller acme: no credentials .*EMAG_ACME_MAIN_PASSWORD"):
        load_environment(acme, worker)
    secrets.write_text("EMAG_ACME_MAIN_USERNAME=u\nEMAG_ACME_MAIN_PASSWORD=added-later\n")
    assert load_environment(acme, worker)["EMAG_MAIN_PASSWORD"] == "added-later"


def test_a_broken_secrets_line_is_named_by_number_not_content(tmp_path):
    acme = _registry(tmp_path).seller("acme")
    secrets = tmp_path / "secrets.env"
    secrets.write_text("EMAG_ACME_MAIN_USERNAME=u\nhunter2-no-equals\n")
    with pytest.raises(RegistryError, match=r"secrets.env:2: expected KEY=VALUE") as error:
        load_environment(acme, {"EMAG_SECRETS_FILE": str(secrets)})
    assert "hunter2" not in str(error.value)
    with pytest.raises(RegistryError, match="cannot read the secrets file"):
        load_environment(acme, {"EMAG_SECRETS_FILE": str(tmp_path / "none.env")})
