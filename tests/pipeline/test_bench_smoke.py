"""The benchmark's smoke run: every scenario runs and reports its figures (not its speed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_smoke_run_reports_every_scenario():
    result = subprocess.run([sys.executable, "benchmarks/bench.py", "--smoke"], cwd=ROOT,
                            capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")][1:]
    names = [row.split("|")[1].strip() for row in rows]
    assert names == ["one account", "two accounts", "cpu-bound",
                     "load+transform, 1% changed", "naive baseline", "quick sync job"]
    for row in rows[:-1]:
        cells = [cell.strip() for cell in row.split("|")[1:-1]]
        assert int(cells[4]) > 0  # pages read
        assert float(cells[5]) > 0  # wall seconds
    load = rows[3].split("|")[15].strip()
    assert " vs " in load and load.endswith("%")  # incremental vs full load+transform
    quick = [cell.strip() for cell in rows[-1].split("|")[1:-1]]
    assert quick[4] == "0" and float(quick[5]) > 0  # no product page; the whole job's time
    assert quick[14].startswith("whole job ") and " vs scan job " in quick[14]
