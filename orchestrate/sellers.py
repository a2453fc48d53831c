"""The seller registry: which sellers an agency runs, their accounts, and each load's settings.

A YAML file named by EMAG_SELLERS_FILE (`sellers.example.yml` shows the form). It names sellers
and accounts, never credentials: those come from the environment of the process that runs the
load, else from the dotenv-style file named by EMAG_SECRETS_FILE (read at every run, so a seller
added at runtime needs no restart of any worker), as `EMAG_<SELLER>_<ACCOUNT>_USERNAME` and
`..._PASSWORD` (upper case, e.g. EMAG_ACME_MAIN_PASSWORD). Without EMAG_SELLERS_FILE the project
is a single-seller project and nothing here is used.

The registry is read whenever it is needed (a sensor tick, a schedule tick, a load starting),
never cached: editing the file is how a seller is added, changed or removed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml  # type: ignore[import-untyped]  # no stubs in the dev install

REGISTRY_VARIABLE = "EMAG_SELLERS_FILE"
SECRETS_VARIABLE = "EMAG_SECRETS_FILE"
SELLER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")  # part of a schema name: no quoting needed
ACCOUNT_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
DEFAULT_RAW_SCHEMA = "emag_raw"
CREDENTIALS = ("username", "password")
# every seller's and the single-seller setup's credentials: a seller's load sees none of them
ACCOUNT_VARIABLE = re.compile(r"^EMAG_[A-Z0-9_]+_(USERNAME|PASSWORD|BASE_URL)$")


class RegistryError(ValueError):
    """The registry (or a seller's credentials) is unusable: the message names what and where."""


@dataclass(frozen=True)
class SellerAccount:
    """One eMAG account of a seller: its name in the tap (`main`, `fbe`) and API address."""

    name: str
    base_url: str | None = None


@dataclass(frozen=True)
class Seller:
    """A seller: its accounts, and the raw schema its loads land in."""

    name: str
    accounts: tuple[SellerAccount, ...]
    raw_schema: str

    def variable(self, account: str, key: str) -> str:
        """The variable holding one credential: EMAG_ACME_MAIN_PASSWORD."""
        return f"EMAG_{self.name}_{account}_{key}".upper()


@dataclass(frozen=True)
class Registry:
    """Every seller of the file, in file order."""

    path: Path
    sellers: tuple[Seller, ...]
    raw_schema: str = DEFAULT_RAW_SCHEMA  # each seller's raw tables: <raw_schema>__<seller>

    def names(self) -> list[str]:
        """The sellers' names, in file order."""
        return [seller.name for seller in self.sellers]

    def seller(self, name: str) -> Seller:
        """One seller by name; a seller missing from the file is an error naming the file."""
        for seller in self.sellers:
            if seller.name == name:
                return seller
        msg = f"{self.path}: no seller {name!r} (sellers: {', '.join(self.names()) or 'none'})"
        raise RegistryError(msg)


def registry_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """The registry file, or None in a single-seller project."""
    value = (os.environ if environ is None else environ).get(REGISTRY_VARIABLE, "").strip()
    return Path(value) if value else None


def _text(entry: Mapping[str, object], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        msg = f"{where}.{key}: expected a non-empty string, got {value!r}"
        raise RegistryError(msg)
    return value.strip()


def _refuse_unknown(entry: Mapping[str, object], allowed: set[str], where: str) -> None:
    """Only known keys: a password put in the registry is refused by name, never echoed."""
    unknown = sorted(set(entry) - allowed)
    if unknown:
        msg = (f"{where}: unknown key(s) {', '.join(unknown)} (credentials never go in the "
               f"registry: see {SECRETS_VARIABLE})")
        raise RegistryError(msg)


def _account(entry: object, where: str, base_url: str | None) -> SellerAccount:
    if isinstance(entry, str):
        entry = {"name": entry}
    if not isinstance(entry, dict):
        msg = f"{where}: expected an account name or a mapping with a name, got {entry!r}"
        raise RegistryError(msg)
    _refuse_unknown(entry, {"name", "base_url"}, where)
    name = _text(entry, "name", where) or ""
    if not ACCOUNT_NAME.match(name):
        msg = f"{where}.name: {name!r} is not a lower-case account name like main or fbe"
        raise RegistryError(msg)
    return SellerAccount(name, _text(entry, "base_url", where) or base_url)


def _seller(entry: object, where: str, base_url: str | None, raw: str) -> Seller:
    if not isinstance(entry, dict):
        msg = f"{where}: expected a mapping with name and accounts, got {entry!r}"
        raise RegistryError(msg)
    _refuse_unknown(entry, {"name", "accounts", "base_url"}, where)
    name = _text(entry, "name", where) or ""
    if not SELLER_NAME.match(name):
        msg = (f"{where}.name: {name!r} is not a seller name (lower-case letters, digits and "
               f"underscores, starting with a letter, at most 40)")
        raise RegistryError(msg)
    base_url = _text(entry, "base_url", where) or base_url
    accounts = entry.get("accounts") or ["main", "fbe"]
    if not isinstance(accounts, list):
        msg = f"{where}.accounts: expected a list, got {accounts!r}"
        raise RegistryError(msg)
    parsed = tuple(_account(account, f"{where}.accounts[{index}]", base_url)
                   for index, account in enumerate(accounts))
    if len({account.name for account in parsed}) != len(parsed):
        msg = f"{where}.accounts: an account name appears twice"
        raise RegistryError(msg)
    return Seller(name, parsed, f"{raw}__{name}")


def load_registry(path: Path) -> Registry:
    """Read and check the registry file; every problem is raised with its place in the file."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        msg = f"{path}: cannot read the seller registry: {error.strerror}"
        raise RegistryError(msg) from None
    except yaml.YAMLError as error:  # its message quotes the line, which may hold a secret
        mark = getattr(error, "problem_mark", None)
        place = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        msg = f"{path}: cannot read the seller registry: not valid YAML{place}"
        raise RegistryError(msg) from None
    if not isinstance(document, dict) or not isinstance(document.get("sellers"), list):
        msg = f"{path}: expected a mapping with a list under `sellers`"
        raise RegistryError(msg)
    _refuse_unknown(document, {"sellers", "base_url", "raw_schema"}, str(path))
    base_url = _text(document, "base_url", str(path))
    raw = _text(document, "raw_schema", str(path)) or DEFAULT_RAW_SCHEMA
    sellers = tuple(_seller(entry, f"{path}: sellers[{index}]", base_url, raw)
                    for index, entry in enumerate(document["sellers"]))
    names = [seller.name for seller in sellers]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        msg = f"{path}: seller(s) listed twice: {', '.join(twice)}"
        raise RegistryError(msg)
    # acme + shop_main and acme_shop + main would read one EMAG_ACME_SHOP_MAIN_PASSWORD
    owners: dict[str, str] = {}
    for seller in sellers:
        for account in seller.accounts:
            variable = seller.variable(account.name, "password")
            pair = f"{seller.name}/{account.name}"
            if variable in owners:
                msg = (f"{path}: {owners[variable]} and {pair} would share the login "
                       f"variables {variable.removesuffix('_PASSWORD')}_*: rename one")
                raise RegistryError(msg)
            owners[variable] = pair
    return Registry(path, sellers, raw)


def read_secrets(environ: Mapping[str, str]) -> dict[str, str]:
    """The secrets file's KEY=VALUE lines (blank lines and # comments skipped), if one is set."""
    value = environ.get(SECRETS_VARIABLE, "").strip()
    if not value:
        return {}
    secrets = {}
    try:
        lines = Path(value).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        msg = f"{SECRETS_VARIABLE}={value}: cannot read the secrets file: {error.strerror}"
        raise RegistryError(msg) from error
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, equals, secret = stripped.removeprefix("export ").partition("=")
        if not equals or not key.strip():
            msg = f"{value}:{number}: expected KEY=VALUE"  # the line itself may hold a secret
            raise RegistryError(msg)
        secret = secret.strip()
        if len(secret) >= 2 and secret[0] == secret[-1] and secret[0] in "'\"":
            secret = secret[1:-1]  # one pair of surrounding quotes, as dotenv files write them
        secrets[key.strip()] = secret
    return secrets


def load_environment(seller: Seller, environ: Mapping[str, str]) -> dict[str, str]:
    """The whole environment of one seller's `meltano run`, from the worker's.

    The tap reads `accounts` (names and addresses only) and EMAG_<ACCOUNT>_USERNAME/PASSWORD;
    target-postgres loads into the seller's own schema. Every other credential variable of the
    worker (other sellers', a single-seller setup's EMAG_MAIN_PASSWORD) and the secrets file's
    path are left out: a seller's load can neither log in as nor see another.
    """
    secrets = read_secrets(environ)
    variables = {key: value for key, value in environ.items()
                 if not ACCOUNT_VARIABLE.match(key) and key != SECRETS_VARIABLE}
    variables |= {
        "TAP_EMAG_ACCOUNTS": json.dumps(
            [{"name": account.name, **({"base_url": account.base_url} if account.base_url
                                       else {})} for account in seller.accounts]),
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": seller.raw_schema,
    }
    missing = []
    for account in seller.accounts:
        for key in CREDENTIALS:
            source = seller.variable(account.name, key)
            value = environ.get(source) or secrets.get(source)
            if not value:
                missing.append(source)
                continue
            variables[f"EMAG_{account.name}_{key}".upper()] = value
    if missing:
        msg = (f"seller {seller.name}: no credentials in the environment or the secrets file "
               f"({SECRETS_VARIABLE}): {', '.join(missing)}")
        raise RegistryError(msg)
    return variables
