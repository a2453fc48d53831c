"""The committed catalog (meltano.yml `catalog:`) is what the tap discovers today."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tap_emag.tap import TapEmag

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_catalog_is_the_discovered_one():
    extractor = next(p for p in yaml.safe_load((ROOT / "meltano.yml").read_text())
                     ["plugins"]["extractors"] if p["name"] == "tap-emag")
    committed = json.loads((ROOT / extractor["catalog"]).read_text())
    discovered = json.loads(json.dumps(TapEmag(config={}, validate_config=False).catalog_dict))
    assert committed == discovered, "the catalog is out of date: run `make catalog`"
