"""dbt's accepted values for the sync log are the tap's modes and statuses, not a drifted copy.

The dbt project cannot import the tap (it may run where the tap is not installed), so
`transform/macros/sync_run_values.sql` restates the vocabulary as the contract its tests check;
this test keeps the two equal.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tap_emag.sync_run import MODES, SCAN_MODES, STATUSES

MACROS = Path(__file__).resolve().parents[2] / "transform" / "macros" / "sync_run_values.sql"


def _macro_list(name: str) -> list[str]:
    """The list literal(s) a macro returns: `return(a() + ['x'])` reads a() too."""
    body = re.search(r"{%\s*macro\s+" + name + r"\(\)\s*%}(.*?){%\s*endmacro\s*%}",
                     MACROS.read_text(), re.S)
    assert body, f"macro {name}() not found in {MACROS}"
    returned = re.search(r"return\((.*)\)", body.group(1), re.S)
    assert returned, f"macro {name}() returns no list"
    values: list[str] = []
    for part in returned.group(1).split("+"):
        part = part.strip()
        called = re.fullmatch(r"(\w+)\(\)", part)
        values += _macro_list(called.group(1)) if called else ast.literal_eval(part)
    return values


def test_dbt_modes_are_the_tap_modes() -> None:
    assert _macro_list("sync_modes") == list(MODES)


def test_dbt_scan_modes_are_the_tap_scan_modes() -> None:
    assert _macro_list("scan_modes") == list(SCAN_MODES)


def test_dbt_statuses_are_the_tap_statuses() -> None:
    assert _macro_list("sync_statuses") == list(STATUSES)
