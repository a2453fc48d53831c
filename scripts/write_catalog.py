"""Write what `tap-emag --discover` prints to plugins/catalogs/tap-emag.json (`make catalog`).

meltano.yml points the tap at that file, so `meltano run` skips discovery (Meltano never caches
the catalog of an editable plugin). tests/unit/test_catalog.py fails when it is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tap_emag.tap import TapEmag

CATALOG = Path(__file__).resolve().parent.parent / "plugins" / "catalogs" / "tap-emag.json"


def discovered() -> dict:
    """The catalog the tap discovers (no config, no network)."""
    return TapEmag(config={}, validate_config=False).catalog_dict


def main() -> int:
    """Write it, two-space indented, so a schema change reads as a small diff."""
    CATALOG.write_text(json.dumps(discovered(), indent=2) + "\n", encoding="utf-8")
    print(f"wrote {CATALOG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
