"""target-emag: pushes planned offer changes (sale price, stock, status) back to eMAG.

Fed by a tap that reads the plan, e.g. `meltano run tap-postgres target-emag` with tap-postgres
reading the mart emag_offer_updates. Dry run until `dry_run` is off and the account's
`writes_enabled` is on (docs/WRITE_BACK.md).
"""

from __future__ import annotations

import os
import typing as t
import uuid

from singer_sdk.target_base import Target

from tap_emag.emag_api import EmagAccountClient
from target_emag.settings import CONFIG_SCHEMA, WriteSettings
from target_emag.sink import PlannedChangesSink
from target_emag.write_log import WriteLog


class TargetEmag(Target):
    """Pushes the offer changes a seller's rules chose back to eMAG, guarded and confirmed."""

    name = "target-emag"
    config_jsonschema = CONFIG_SCHEMA
    default_sink_class = PlannedChangesSink

    def __init__(self, *args: t.Any, **kwargs: t.Any) -> None:
        super().__init__(*args, **kwargs)
        self.settings = WriteSettings.from_config(self.config, os.environ, self.logger)
        self.write_log = WriteLog(self.settings.write_log_url, self.settings.write_log_schema)
        self.run_id = os.environ.get("MELTANO_RUN_ID") or str(uuid.uuid4())
        self._clients: dict[str, EmagAccountClient] = {}

    def client(self, account_name: str) -> EmagAccountClient:
        """The account's client: the tap's, on the account's shared budget."""
        if account_name not in self._clients:
            settings = self.settings
            self._clients[account_name] = EmagAccountClient(
                settings.accounts[account_name].account,
                requests_per_second=settings.requests_per_second,
                budget="offers",
                timeout=settings.request_timeout,
                max_retries=settings.max_retries,
                backoff_seconds=settings.retry_backoff_seconds,
                logger=self.logger,
                user_agent="target-emag/0.1.0",
            )
        return self._clients[account_name]


if __name__ == "__main__":
    TargetEmag.cli()
