"""target-emag's settings: the schema (each default declared once) and the typed view of it.

Accounts are the tap's (name, username, password, base_url, the same EMAG_<NAME>_* fallbacks),
plus two switches of their own: `writes_enabled`, the account's off switch (off by default),
and `fulfilled_by_emag`, whose stock eMAG manages and no seller writes.
"""

from __future__ import annotations

import logging
import typing as t
from dataclasses import dataclass

from singer_sdk import typing as th

from tap_emag.config import ACCOUNT, Account, fill_from_environment, parse_accounts

WRITABLE_FIELDS = ("sale_price", "stock", "status")
MAX_OFFERS_PER_REQUEST = 50  # eMAG's limit for bulk saves

WRITE_ACCOUNT = th.ObjectType(
    *ACCOUNT.wrapped.values(),
    th.Property("writes_enabled", th.BooleanType, default=False,
                description="The account's switch: off, nothing is ever sent to it."),
    th.Property("fulfilled_by_emag", th.BooleanType, default=False,
                description="An FBE account: eMAG manages its stock, which is never written."),
)

CONFIG_SCHEMA = th.PropertiesList(
    th.Property("accounts", th.ArrayType(WRITE_ACCOUNT), required=True,
                description=(
                    "eMAG accounts to write to: {name, username, password, base_url,"
                    " writes_enabled, fulfilled_by_emag}. Username, password and base_url left"
                    " out are read from EMAG_<NAME>_USERNAME, EMAG_<NAME>_PASSWORD and"
                    " EMAG_<NAME>_BASE_URL.")),
    th.Property("dry_run", th.BooleanType, default=True,
                description=("Plan, guard, log and record what would be sent, and send nothing."
                             " Off, accounts with writes_enabled are written.")),
    th.Property("write_log_url", th.StringType, required=True, secret=True,
                description="Postgres URL of the write log (postgresql://user:pass@host/db)."),
    th.Property("write_log_schema", th.StringType, default="emag_writes",
                description="Schema of the write log table offer_writes (created when missing)."),
    th.Property("max_price_change_percent", th.NumberType(exclusive_minimum=0), default=20,
                description="Largest change of a sale price in one run, in percent of eMAG's."),
    th.Property("max_offers_per_run", th.IntegerType(minimum=1), default=500,
                description="Most offers written per account and run; the rest wait."),
    th.Property("batch_size", th.IntegerType(minimum=1, maximum=MAX_OFFERS_PER_REQUEST),
                default=MAX_OFFERS_PER_REQUEST, description="Offers per offer/save request."),
    th.Property("requests_per_second", th.NumberType(exclusive_minimum=0, maximum=1000),
                default=3, description=("The account's budget, shared with tap-emag's reads of"
                                        " it on this machine (eMAG: 3).")),
    th.Property("max_retries", th.IntegerType(minimum=0), default=5,
                description="Retries of a request after a 429, 5xx, timeout or broken answer."),
    th.Property("retry_backoff_seconds", th.NumberType(minimum=0), default=1,
                description="First retry wait; doubles on every retry, with full jitter."),
    th.Property("request_timeout", th.NumberType(exclusive_minimum=0), default=30,
                description="Seconds to wait for one answer."),
).to_dict()


@dataclass(frozen=True)
class WriteAccount:
    """One account as the target writes it."""

    account: Account
    writes_enabled: bool
    fulfilled_by_emag: bool


@dataclass(frozen=True)
class WriteSettings:
    """The run's settings, typed, the schema's defaults filled in."""

    accounts: dict[str, WriteAccount]
    dry_run: bool
    write_log_url: str
    write_log_schema: str
    max_price_change_percent: float
    max_offers_per_run: int
    batch_size: int
    requests_per_second: float
    max_retries: int
    retry_backoff_seconds: float
    request_timeout: float

    @classmethod
    def from_config(cls, config: t.Mapping[str, t.Any], environ: t.Mapping[str, str],
                    logger: logging.Logger) -> WriteSettings:
        """Read a validated config, accounts completed from EMAG_<NAME>_* variables."""
        filled = {name: spec["default"] for name, spec in CONFIG_SCHEMA["properties"].items()
                  if "default" in spec}
        filled.update({key: value for key, value in config.items() if value is not None})
        filled["accounts"] = [dict(entry) for entry in config.get("accounts") or []]
        fill_from_environment(filled, environ)
        switches = {entry["name"]: entry for entry in filled["accounts"]}
        accounts = {
            account.name: WriteAccount(
                account=account,
                writes_enabled=bool(switches[account.name].get("writes_enabled", False)),
                fulfilled_by_emag=bool(switches[account.name].get("fulfilled_by_emag", False)),
            )
            for account in parse_accounts(filled, logger)
        }
        return cls(
            accounts=accounts,
            dry_run=bool(filled["dry_run"]),
            write_log_url=str(filled["write_log_url"]),
            write_log_schema=str(filled["write_log_schema"]),
            max_price_change_percent=float(filled["max_price_change_percent"]),
            max_offers_per_run=int(filled["max_offers_per_run"]),
            batch_size=int(filled["batch_size"]),
            requests_per_second=float(filled["requests_per_second"]),
            max_retries=int(filled["max_retries"]),
            retry_backoff_seconds=float(filled["retry_backoff_seconds"]),
            request_timeout=float(filled["request_timeout"]),
        )
