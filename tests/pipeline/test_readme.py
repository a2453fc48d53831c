"""The README's settings table is the one `tap-emag --about --format=markdown` prints."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_settings_table_is_current():
    result = subprocess.run([sys.executable, "scripts/readme_settings.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "| accounts | True |" in (ROOT / "README.md").read_text(encoding="utf-8")
