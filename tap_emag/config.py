"""The tap's settings: their schema, checks, and the typed `Settings` the rest of the tap reads.

The schema is the one place each default is declared.

The SDK's own jsonschema messages quote the offending value; for a password that would leak
the secret into logs, so every message here is built from the setting's path alone.
"""

from __future__ import annotations

import logging
import typing as t
from dataclasses import dataclass

from jsonschema import Draft7Validator
from singer_sdk import typing as th

DEFAULT_BASE_URL = "https://marketplace-api.emag.ro/api-3"
# eMAG's request budgets per account: every route but orders, and order routes
EMAG_REQUESTS_PER_SECOND = 3
EMAG_ORDER_REQUESTS_PER_SECOND = 12
ACCOUNT_NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
BASE_URL_PATTERN = r"^(https?://[^\s/$.?#][^\s]*)?$"  # empty: the default

PRODUCT_FILTERS = th.PropertiesList(
    th.Property("id", th.IntegerType(minimum=1, maximum=4294967295),
                description="Read one product by the seller's internal id."),
    th.Property("status", th.IntegerType(allowed_values=[0, 1, 2]),
                description="0 inactive, 1 active, 2 end of life."),
    th.Property("part_number", th.StringType, description="Seller SKU / part number."),
    th.Property("part_number_key", th.StringType, description="eMAG's PNK, e.g. D33HD4MBM."),
    th.Property("validation_status", th.IntegerType(minimum=0, maximum=17),
                description="Documentation validation status value."),
    th.Property("offer_validation_status", th.IntegerType(allowed_values=[1, 2]),
                description="1 saleable, 2 invalid price."),
    th.Property("translation_validation_status", th.IntegerType(minimum=0, maximum=17),
                description="Translation validation status value."),
    th.Property("general_stock", th.IntegerType(minimum=0),
                description="Products whose general stock is between 0 and this value."),
    th.Property("estimated_stock", th.IntegerType(minimum=0),
                description="Products whose estimated stock is between 0 and this value."),
)

ACCOUNT = th.ObjectType(
    th.Property(
        "name", th.StringType(pattern=ACCOUNT_NAME_PATTERN), required=True,
        description="Unique lower-case identifier stamped on every record, e.g. main or fbe.",
    ),
    th.Property("username", th.StringType, description="API username of this eMAG account."),
    th.Property("password", th.StringType, secret=True,
                description="API password of this eMAG account."),
    th.Property(
        "base_url", th.StringType(pattern=BASE_URL_PATTERN), default=DEFAULT_BASE_URL,
        description="Marketplace API base URL, e.g. https://marketplace-api.emag.bg/api-3.",
    ),
)

ACCOUNT_DEFAULTS = {name: spec["default"] for name, spec in ACCOUNT.to_dict()["properties"].items()
                    if "default" in spec}

CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "accounts", th.ArrayType(ACCOUNT), required=True,
        description=(
            "eMAG accounts to read, e.g. MAIN and FBE: a list of {name, username, password,"
            " base_url}. Username, password and base_url left out are read from"
            " EMAG_<NAME>_USERNAME, EMAG_<NAME>_PASSWORD and EMAG_<NAME>_BASE_URL (e.g."
            " EMAG_MAIN_PASSWORD). An account with neither username nor password is left out"
            " with a warning."
        ),
    ),
    th.Property("items_per_page", th.IntegerType(minimum=1, maximum=100), default=100,
                description="Products per page (eMAG allows at most 100)."),
    th.Property(
        "requests_per_second", th.NumberType(exclusive_minimum=0, maximum=1000),
        default=EMAG_REQUESTS_PER_SECOND,
        description=("Request budget per account, shared by all non-order resources"
                     f" (eMAG: {EMAG_REQUESTS_PER_SECOND})."),
    ),
    th.Property("max_in_flight", th.IntegerType(minimum=1, maximum=32), default=8,
                description="Page requests in flight at once per account, paced to the rate."),
    th.Property("max_retries", th.IntegerType(minimum=0, maximum=20), default=6,
                description="Retries of a request after a 429, 5xx, timeout or broken answer."),
    th.Property("retry_backoff_seconds", th.NumberType(minimum=0, maximum=60), default=1.0,
                description="First retry wait; doubles on every retry, with full jitter."),
    th.Property("request_timeout", th.NumberType(exclusive_minimum=0, maximum=600),
                default=60, description="Seconds to wait for one answer."),
    th.Property("filters", PRODUCT_FILTERS,
                description=(
                    "product_offer/read filters for a selective sync. A filtered scan never"
                    " emits deletions."
                )),
    th.Property("deletion_check_limit", th.IntegerType(minimum=0), default=100,
                description=(
                    "Products missing from a scan are looked up by id, up to this many per"
                    " account and run; those found gone are deleted. The rest are held as"
                    " suspected and deleted when the next completed scan misses them too."
                )),
    th.Property("full_reemit", th.BooleanType, default=False,
                description=(
                    "Emit every product, changed or not, while still comparing with the"
                    " bookmark for deletions and the sync log (the daily full sync). Unlike a"
                    " run without state, it loses no deletion."
                )),
    th.Property("progress_interval_seconds", th.NumberType(minimum=0), default=5,
                description="How often the per-account progress line is logged."),
    th.Property("reference_max_age_hours", th.NumberType(minimum=0), default=24,
                description=(
                    "Categories and VAT rates are read again once older than this (when read"
                    " is in the state), or when a product names a category or VAT id not"
                    " read yet; 0 reads them on every scan."
                )),
    th.Property("quick_sync", th.BooleanType, default=False,
                description=(
                    "Quick mode: read the orders changed since the last quick run and re-read"
                    " by id only the products they touched, instead of scanning the catalogue"
                    " (the emag-quick-sync job)."
                )),
    th.Property("quick_sync_max_products", th.IntegerType(minimum=0), default=300,
                description=(
                    "Most products a quick run re-reads per account (each costs one request"
                    f" of the {EMAG_REQUESTS_PER_SECOND}/s budget); the rest wait for the next"
                    " scan."
                )),
    th.Property("orders_lookback_days", th.IntegerType(minimum=1, maximum=3650), default=30,
                description="How far back the first orders read goes (no bookmark yet)."),
    th.Property("order_requests_per_second", th.NumberType(exclusive_minimum=0, maximum=1000),
                default=EMAG_ORDER_REQUESTS_PER_SECOND,
                description=("Request budget per account for order routes"
                             f" (eMAG: {EMAG_ORDER_REQUESTS_PER_SECOND}).")),
    th.Property("include_customer_data", th.BooleanType, default=False,
                description=(
                    "Emit the buyer's personal data of orders (customer, delivery details,"
                    " unknown keys). Off: none of it leaves the tap."
                )),
).to_dict()

# The tap's own settings; the SDK adds its built-in ones (stream_maps, flattening_*, ...) to
# CONFIG_SCHEMA in place when the tap class is built.
TAP_SETTINGS = tuple(CONFIG_SCHEMA["properties"])


@dataclass(frozen=True)
class Settings:
    """The run's settings, typed, with the schema's defaults filled in (see `with_defaults`)."""

    accounts: tuple[Account, ...]
    filters: dict[str, t.Any]
    page_size: int
    requests_per_second: float
    max_in_flight: int
    max_retries: int
    retry_backoff_seconds: float
    request_timeout: float
    deletion_check_limit: int
    full_reemit: bool
    progress_interval: float
    reference_max_age_hours: float
    quick_sync: bool
    quick_sync_max_products: int
    orders_lookback_days: int
    order_requests_per_second: float
    include_customer_data: bool

    @classmethod
    def from_config(cls, config: t.Mapping[str, t.Any], logger: logging.Logger) -> Settings:
        """Read a validated config; a default missing here would be a schema without one."""
        config = with_defaults(config)
        return cls(
            accounts=tuple(parse_accounts(config, logger)),
            filters=dict(config.get("filters") or {}),
            page_size=int(config["items_per_page"]),
            requests_per_second=float(config["requests_per_second"]),
            max_in_flight=int(config["max_in_flight"]),
            max_retries=int(config["max_retries"]),
            retry_backoff_seconds=float(config["retry_backoff_seconds"]),
            request_timeout=float(config["request_timeout"]),
            deletion_check_limit=int(config["deletion_check_limit"]),
            full_reemit=bool(config["full_reemit"]),
            progress_interval=float(config["progress_interval_seconds"]),
            reference_max_age_hours=float(config["reference_max_age_hours"]),
            quick_sync=bool(config["quick_sync"]),
            quick_sync_max_products=int(config["quick_sync_max_products"]),
            orders_lookback_days=int(config["orders_lookback_days"]),
            order_requests_per_second=float(config["order_requests_per_second"]),
            include_customer_data=bool(config["include_customer_data"]),
        )


def with_defaults(config: t.Mapping[str, t.Any]) -> dict[str, t.Any]:
    """A copy of the config with every top-level setting the user left out set to its default.

    The defaults live in CONFIG_SCHEMA only; Meltano passes nothing for a setting left unset.
    """
    filled = dict(config)
    for name in TAP_SETTINGS:
        spec = CONFIG_SCHEMA["properties"][name]
        if "default" in spec and filled.get(name) is None:
            filled[name] = spec["default"]
    return filled


@dataclass(frozen=True)
class Account:
    """One eMAG account; repr hides the password so it cannot reach a log by accident."""

    name: str
    username: str
    password: str
    base_url: str

    def __repr__(self) -> str:
        return (f"Account(name={self.name!r}, username={self.username!r},"
                f" base_url={self.base_url!r})")


def _path(error_path: t.Iterable[t.Any]) -> str:
    text = ""
    for part in error_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "config"


def _describe(error: t.Any) -> str:
    """Say what a jsonschema error expects without quoting the value it got."""
    kind, expected = error.validator, error.validator_value
    messages = {
        "type": f"must be of type {expected}",
        "minimum": f"must be at least {expected}",
        "maximum": f"must be at most {expected}",
        "exclusiveMinimum": f"must be greater than {expected}",
        "pattern": f"does not have the expected form ({expected})",
        "enum": f"must be one of {expected}",
        "minItems": f"must have at least {expected} item(s)",
    }
    if kind == "required":
        missing = [name for name in expected if name not in (error.instance or {})]
        return f"is missing required setting(s): {', '.join(missing)}"
    return messages.get(kind, f"fails the {kind} check")


def config_errors(config: t.Mapping[str, t.Any]) -> list[str]:
    """Every problem with the config, each naming the setting (never echoing a value)."""
    errors = [
        f"{_path(err.absolute_path)} {_describe(err)}"
        for err in sorted(Draft7Validator(CONFIG_SCHEMA).iter_errors(dict(config)),
                          key=lambda e: list(map(str, e.absolute_path)))
    ]
    accounts = config.get("accounts")
    if not isinstance(accounts, list):
        return errors
    seen: set[str] = set()
    usable = 0
    for index, account in enumerate(accounts):
        if not isinstance(account, dict):
            continue
        name = account.get("name")
        if isinstance(name, str):
            if name in seen:
                errors.append(f"accounts[{index}].name: duplicate account name {name!r}")
            seen.add(name)
        if _is_unconfigured(account):
            continue
        usable += 1
        for key in ("username", "password"):
            if not account.get(key):
                errors.append(f"accounts[{index}].{key} is missing or empty (account {name!r})")
    if usable == 0:
        errors.append("accounts: no account is configured with a username and password")
    return errors


def fill_from_environment(config: dict[str, t.Any],
                          environ: t.Mapping[str, str]) -> dict[str, t.Any]:
    """Fill missing account credentials from EMAG_<NAME>_USERNAME/PASSWORD/BASE_URL.

    Sellers keep passwords out of files: `accounts: [{name: main}]` plus EMAG_MAIN_PASSWORD in
    the environment (or Meltano's .env) is a complete account. Values in the config win.
    """
    accounts = config.get("accounts")
    if not isinstance(accounts, list):
        return config
    for account in accounts:
        if not isinstance(account, dict) or not isinstance(account.get("name"), str):
            continue
        prefix = f"EMAG_{account['name'].upper()}_"
        for key in ("username", "password", "base_url"):
            if not account.get(key) and environ.get(prefix + key.upper()):
                account[key] = environ[prefix + key.upper()]
    return config


def _is_unconfigured(account: t.Mapping[str, t.Any]) -> bool:
    return not account.get("username") and not account.get("password")


def parse_accounts(config: t.Mapping[str, t.Any], logger: logging.Logger) -> list[Account]:
    """The accounts to sync, leaving out (with a warning) entries that carry no credentials."""
    accounts = []
    for entry in config.get("accounts") or []:
        if _is_unconfigured(entry):
            logger.warning("Account %r has no username or password: left out of this run.",
                           entry.get("name"))
            continue
        accounts.append(Account(
            name=entry["name"],
            username=entry["username"],
            password=entry["password"],
            base_url=(entry.get("base_url") or ACCOUNT_DEFAULTS["base_url"]).rstrip("/"),
        ))
    return accounts

