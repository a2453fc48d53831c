"""tap-emag: the Singer tap for eMAG Marketplace product offers, per account."""

from __future__ import annotations

import os
import typing as t
import uuid

import click
from singer_sdk import Tap
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities, TapCapabilities

from tap_emag import streams
from tap_emag.client import EmagAccountClient, EmagApiError, EmagAuthError
from tap_emag.config import (
    CONFIG_SCHEMA,
    Account,
    config_errors,
    fill_from_environment,
    parse_accounts,
)
from tap_emag.connection_test import check_accounts
from tap_emag.run_log import AccountRun
from tap_emag.singer_output import FastSingerWriter

if t.TYPE_CHECKING:
    from singer_sdk import Stream


class AccountsFailedError(Exception):
    """Raised at the end of a sync in which one or more accounts failed.

    The other accounts were synced completely and their state was written first.
    """


class TapEmag(Tap):
    """Reads every configured eMAG account (MAIN, FBE, other platforms) in one run."""

    name = "tap-emag"
    config_jsonschema = CONFIG_SCHEMA
    message_writer_class = FastSingerWriter
    capabilities: t.ClassVar[list[CapabilitiesEnum]] = [
        TapCapabilities.CATALOG,
        TapCapabilities.STATE,
        TapCapabilities.DISCOVER,
        PluginCapabilities.ABOUT,
        PluginCapabilities.STREAM_MAPS,
        PluginCapabilities.FLATTENING,
        TapCapabilities.TEST,
    ]

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        self._clients: dict[str, EmagAccountClient] = {}
        self._down: set[str] = set()
        self.account_runs: dict[str, AccountRun] = {}
        self.failures: dict[str, list[str]] = {}
        self.run_id = os.environ.get("MELTANO_RUN_ID") or str(uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.accounts: list[Account] = parse_accounts(self.config, self.logger)

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """Check the config with messages that name settings and never echo a value."""
        if not self.config and not raise_errors:
            return []  # discovery needs no config
        fill_from_environment(self._config, os.environ)
        errors = config_errors(self.config)
        if errors and raise_errors:
            raise ConfigValidationError("Config validation failed", errors=errors)
        for error in errors:
            self.logger.warning("Config: %s", error)
        return errors

    def discover_streams(self) -> list[Stream]:
        """Products first (the point of the tap), the sync log last (it reports on products)."""
        return [
            streams.ProductsStream(self),
            streams.CategoriesStream(self),
            streams.VatRatesStream(self),
            streams.SyncRunsStream(self),
        ]

    # The SDK marks load_streams final; it sorts streams by name, which would read vat_rates
    # after sync_runs and leave its requests out of the sync log.
    def load_streams(self) -> list[Stream]:  # type: ignore[misc]
        """Keep the declared order (the SDK sorts by name): sync_runs must follow products."""
        return self.discover_streams()

    # -- accounts ------------------------------------------------------------------------------

    def client(self, account_name: str) -> EmagAccountClient:
        """The one client of an account, shared by all streams so they share its rate budget."""
        if account_name not in self._clients:
            account = next(a for a in self.accounts if a.name == account_name)
            self._clients[account_name] = EmagAccountClient(
                account,
                requests_per_second=float(self.config.get("requests_per_second", 3)),
                timeout=float(self.config.get("request_timeout", 60)),
                max_retries=int(self.config.get("max_retries", 6)),
                backoff_seconds=float(self.config.get("retry_backoff_seconds", 1.0)),
                logger=self.logger,
                user_agent=f"tap-emag/{self.plugin_version}",
            )
        return self._clients[account_name]

    def start_account_run(self, account_name: str) -> AccountRun:
        """Open the sync-log entry of an account for this run."""
        run = AccountRun(run_id=self.run_id, account=account_name)
        self.account_runs[account_name] = run
        return run

    def record_failure(self, account_name: str, stream_name: str, error: EmagApiError) -> None:
        """Remember a failed account; after an auth failure its other streams are skipped."""
        self.failures.setdefault(account_name, []).append(f"{stream_name}: {error.detail}")
        if isinstance(error, EmagAuthError):
            self._down.add(account_name)
        self.logger.error("Account %r failed in stream %s: %s", account_name, stream_name,
                          error.detail)

    def account_is_down(self, account_name: str) -> bool:
        """Whether the account already failed authentication in this run."""
        return account_name in self._down

    def sync_all(self) -> None:  # type: ignore[misc]
        """Sync every account; fail the run (non-zero exit) if any account failed.

        Each failed account keeps its previous bookmark; the others' state is written first.
        """
        super().sync_all()
        if self.failures:
            lines = "; ".join(f"{name}: {' | '.join(errors)}"
                              for name, errors in sorted(self.failures.items()))
            msg = f"{len(self.failures)} account(s) failed: {lines}"
            raise AccountsFailedError(msg)

    # -- connection test -----------------------------------------------------------------------

    @classmethod
    def cb_test(cls, ctx: click.Context, param: click.Option, value: str) -> None:
        """`--test`: one cheap call per account, one line per account, non-zero on failure.

        The SDK's own test syncs one record of the first account only; a seller needs to
        know that every account (and its IP whitelist) works. `--test=schema` is unchanged.
        """
        if value != "all":
            super().cb_test(ctx, param, value)
            return
        config = ctx.params.get("config")
        try:
            tap = cls(config=config.config if config else None,
                      parse_env_config=bool(config and config.parse_env), validate_config=True)
        except ConfigValidationError as exc:
            # as the SDK does for a run: each problem names the setting, never a value
            for error in exc.errors:
                cls.logger.error("Config validation error: %s", error)
            ctx.exit(1)
        ctx.exit(0 if tap.run_account_checks() else 1)

    def run_account_checks(self) -> bool:
        """Check each account with product_offer/count; log one line per account."""
        return check_accounts(self.accounts, self.client, self.logger)


if __name__ == "__main__":
    TapEmag.cli()
