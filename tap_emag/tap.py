"""tap-emag: the Singer tap for eMAG Marketplace product offers, per account."""

from __future__ import annotations

import functools
import os
import typing as t
import uuid

import click
from singer_sdk import Tap
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities, TapCapabilities

from tap_emag import streams
from tap_emag.config import CONFIG_SCHEMA, Settings, config_errors, fill_from_environment
from tap_emag.connection_test import check_accounts
from tap_emag.singer_output import FastSingerWriter
from tap_emag.tap_run import TapRun

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
        self._settings_errors: list[str] = []  # filled by _validate_config, during __init__
        super().__init__(*args, **kwargs)

    @functools.cached_property
    def run(self) -> TapRun:
        """The accounts, clients and sync runs of this invocation, handed to every stream."""
        # Only discovery gets this far with a bad config (it was warned about, setting by
        # setting); its catalog does not depend on the settings, so it runs on the defaults.
        config = {} if self._settings_errors else self.config
        return TapRun.start(
            run_id=os.environ.get("MELTANO_RUN_ID") or str(uuid.uuid4()),
            settings=Settings.from_config(config, self.logger),
            logger=self.logger,
            tap_version=self.plugin_version,
        )

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        """Check the config with messages that name settings and never echo a value."""
        if not self.config and not raise_errors:
            return []  # discovery needs no config
        fill_from_environment(self._config, os.environ)
        errors = self._settings_errors = config_errors(self.config)
        if errors and raise_errors:
            raise ConfigValidationError("Config validation failed", errors=errors)
        for error in errors:
            self.logger.warning("Config: %s", error)
        return errors

    def discover_streams(self) -> list[Stream]:
        """Orders, products, reference data, and the sync log last."""
        return [
            streams.OrdersStream(self, self.run),
            streams.ProductsStream(self, self.run),
            streams.ProductGpsrStream(self, self.run),
            streams.CategoriesStream(self, self.run),
            streams.VatRatesStream(self, self.run),
            streams.SyncRunsStream(self, self.run),
        ]

    # The SDK marks load_streams and sync_all final and offers no hook for either: it sorts
    # streams by name (product_gpsr before products, sync_runs before vat_rates), and nothing
    # runs around a whole sync. tests/tap/test_sdk_overrides.py checks what both overrides
    # rely on in the SDK, and fails when an upgrade changes it.
    def load_streams(self) -> list[Stream]:  # type: ignore[misc]
        """The order of sync (the SDK sorts by name): sync_runs after every other stream.

        A quick run reads orders first (it re-reads the offers they touched); a scan reads
        them in the background while it scans, and emits them after the products.
        """
        orders, products, *others = self.discover_streams()
        return [orders, products, *others] if self.run.settings.quick_sync else [
            products, orders, *others]

    def sync_all(self) -> None:  # type: ignore[misc]
        """Sync every account; fail the run (non-zero exit) if any account failed.

        Each failed account keeps its previous bookmark; the others' state is written first.
        An account another run still holds is skipped (logged, and in the sync log), which is
        not a failure: that run is doing the work.
        """
        self.run.locks.claim(self.run.settings.accounts)
        orders = self.streams["orders"]
        assert isinstance(orders, streams.OrdersStream)
        if orders.selected and not self.run.settings.quick_sync:
            orders.start_reading_ahead()
        try:
            super().sync_all()
        finally:
            self.run.locks.release()
        if failures := self.run.failures.summary():
            raise AccountsFailedError(failures)

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
        run = tap.run
        ctx.exit(0 if check_accounts(run.settings.accounts, run.clients, tap.logger) else 1)


if __name__ == "__main__":
    TapEmag.cli()
