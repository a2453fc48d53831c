"""The write log's columns have two homes that must agree: target-emag creates the table when
it runs first, dbt's prepare_sources when it builds first (macro offer_writes_columns)."""

from __future__ import annotations

import re

from target_emag.write_log import COLUMNS
from tests.support.scripts import ROOT


def test_target_emag_and_dbt_create_the_same_write_log():
    macro = (ROOT / "transform" / "macros" / "write_back.sql").read_text()
    body = macro.split("macro offer_writes_columns()")[1].split("endmacro")[0]
    declared = dict(re.findall(r"'(\w+)': '([\w ]+)'", body))
    assert declared == {name: kind.removesuffix(" not null") for name, kind in COLUMNS}
    assert len(declared) == 14
