"""Paste the settings table of `tap-emag --about --format=markdown` into README.md.

`python scripts/readme_settings.py` rewrites the block between the settings markers;
`--check` exits 1 when the README is out of date (the test suite runs that check).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- settings:start -->", "<!-- settings:end -->"


def settings_table() -> str:
    """The settings table of the tap's own --about output."""
    about = subprocess.run(
        [sys.executable, "-m", "tap_emag.tap", "--about", "--format=markdown"],
        capture_output=True, text=True, check=True,
    ).stdout
    match = re.search(r"^\| Setting .*?(?=\n\n|\Z)", about, re.MULTILINE | re.DOTALL)
    if not match:
        msg = "no settings table in --about output"
        raise SystemExit(msg)
    return match.group(0).strip()


def main() -> int:
    """Rewrite (or with --check, verify) the README block."""
    text = README.read_text(encoding="utf-8")
    block = f"{START}\n{settings_table()}\n{END}"
    updated = re.sub(re.escape(START) + r".*?" + re.escape(END), block, text, flags=re.DOTALL)
    if "--check" in sys.argv:
        if updated != text:
            print("README.md settings table is out of date: run make readme", file=sys.stderr)
            return 1
        return 0
    README.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
