"""singer-sdk's standard tap tests, run against a live sandbox."""

from __future__ import annotations

import atexit

from singer_sdk.testing import get_tap_test_class

from emag_sandbox import AccountSpec, Sandbox
from tap_emag.tap import TapEmag
from tests.support.tap_runner import PASSWORDS, USERNAMES, tap_config

# The SDK builds its test class from a config at import time, so the sandbox starts here.
_SANDBOX = Sandbox(
    accounts=[
        AccountSpec(name=name, username=USERNAMES[name], password=PASSWORDS[name], products=n)
        for name, n in (("main", 250), ("fbe", 120))
    ],
    seed=3,
    rate_limit=0,
    order_rate_limit=0,
)
_SANDBOX.start()
_SANDBOX.place_orders("main", 5, seed=1)
_SANDBOX.place_orders("fbe", 3, seed=2)
atexit.register(_SANDBOX.stop)

TestTapEmag = get_tap_test_class(tap_class=TapEmag, config=tap_config(_SANDBOX))
