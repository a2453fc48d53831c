"""The benchmark's smoke run: every scenario runs and reports its figures (not its speed).

`make bench-smoke` runs it; it is not in `make test` (outside tests/, pytest's testpaths): at
about 2 minutes it was the longest test of a CI that must stay under 30 minutes, and it checks
the benchmark, not the product.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_smoke_run_reports_every_scenario() -> None:
    """Every scenario's row is in the table, with its figures filled in."""
    result = subprocess.run([sys.executable, "benchmarks/bench.py", "--smoke"], cwd=ROOT,
                            capture_output=True, text=True, timeout=900, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")][1:]
    cells = {row.split("|")[1].strip(): [cell.strip() for cell in row.split("|")[1:-1]]
             for row in rows}
    assert list(cells) == ["one account", "two accounts", "cpu-bound",
                           "load+transform, 1% changed", "naive baseline", "quick sync job",
                           "no-change run overhead"]
    for name in ("one account", "two accounts", "cpu-bound", "load+transform, 1% changed",
                 "naive baseline"):
        assert int(cells[name][4]) > 0  # pages read
        assert float(cells[name][5]) > 0  # the tap process, start to exit
    for name in ("one account", "two accounts"):
        assert float(cells[name][8].strip("*")) > 0  # process / floor
        assert float(cells[name][10]) > 0  # the first run (no state)
        assert cells[name][11] == "0"  # reference data fresh: no category or VAT request
    load = cells["load+transform, 1% changed"][17]
    assert " vs " in load and load.endswith("%")  # incremental vs full load+transform
    quick = cells["quick sync job"]
    assert quick[4] == "0" and float(quick[5]) > 0  # no product page; the whole job's time
    assert quick[17].startswith("whole job ") and " vs scan job " in quick[17]
    assert cells["no-change run overhead"][17].endswith("outside the scan")
    assert "no-change job by stage: meltano start" in result.stdout
