"""The distributions as a user gets them: the tap's wheel alone in a clean virtual environment.

Builds both distributions the way `make dist` does, installs the tap's wheel into a fresh venv
(its dependencies from the package index, held to this repository's constraints.txt) and runs
the installed command. The test environment has the sandbox, Meltano and dbt, so only a clean
venv can show that the wheel neither holds nor pulls them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tap_emag.tap import TapEmag
from tests.support.meltano_project import ROOT

VERSION = "0.1.0"


def _build(project: Path, outdir: Path) -> tuple[Path, Path]:
    """Sdist, then the wheel built from that sdist (so the sdist is proven complete)."""
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(outdir), str(project)],
                   check=True, capture_output=True, text=True, timeout=300)
    (sdist,) = outdir.glob("*.tar.gz")
    (wheel,) = outdir.glob("*.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def tap_dist(tmp_path_factory) -> tuple[Path, Path]:
    return _build(ROOT, tmp_path_factory.mktemp("tap-dist"))


@pytest.fixture(scope="module")
def sandbox_dist(tmp_path_factory) -> tuple[Path, Path]:
    return _build(ROOT / "sandbox", tmp_path_factory.mktemp("sandbox-dist"))


@pytest.fixture(scope="module")
def target_dist(tmp_path_factory) -> tuple[Path, Path]:
    return _build(ROOT / "target", tmp_path_factory.mktemp("target-dist"))


@pytest.fixture(scope="module")
def clean_venv(tmp_path_factory, tap_dist) -> Path:
    """A venv holding the tap's wheel and what it depends on, nothing else of this repository."""
    venv = tmp_path_factory.mktemp("clean") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet",
                    "-c", str(ROOT / "constraints.txt"), str(tap_dist[1])],
                   check=True, capture_output=True, text=True, timeout=600)
    return venv


def _wheel_files(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


# (distribution's fixture, its package, a module it must hold, its console script)
DISTRIBUTIONS = {
    "tap-emag": ("tap_dist", "tap_emag", "tap.py", "tap-emag = tap_emag.tap:TapEmag.cli"),
    "target-emag": ("target_dist", "target_emag", "push.py",
                    "target-emag = target_emag.target:TargetEmag.cli"),
    "emag-sandbox": ("sandbox_dist", "emag_sandbox", "cli.py",
                     "emag-sandbox = emag_sandbox.cli:main"),
}


@pytest.mark.parametrize("distribution", sorted(DISTRIBUTIONS))
def test_each_wheel_holds_its_own_package_only(distribution, request):
    fixture, package, module, script = DISTRIBUTIONS[distribution]
    sdist, wheel = request.getfixturevalue(fixture)
    assert wheel.name == f"{package}-{VERSION}-py3-none-any.whl"
    assert sdist.name == f"{package}-{VERSION}.tar.gz"
    files = _wheel_files(wheel)
    dist_info = f"{package}-{VERSION}.dist-info/"
    outside = [name for name in files if not name.startswith((f"{package}/", dist_info))]
    assert outside == []
    assert f"{package}/{module}" in files
    assert f"{dist_info}licenses/LICENSE" in files
    with zipfile.ZipFile(wheel) as archive:
        entry_points = archive.read(f"{dist_info}entry_points.txt").decode()
        metadata = archive.read(f"{dist_info}METADATA").decode()
    assert script in entry_points.splitlines()
    others = [s.split(" = ")[0] for s in (d[3] for d in DISTRIBUTIONS.values()) if s != script]
    assert not any(f"{other} =" in entry_points for other in others)
    assert "License-Expression: Apache-2.0" in metadata
    assert "Project-URL: Repository, " in metadata


def test_the_tap_pulls_no_meltano_dbt_sandbox_or_target(tap_dist):
    with zipfile.ZipFile(tap_dist[1]) as archive:
        metadata = archive.read(f"tap_emag-{VERSION}.dist-info/METADATA").decode()
    requirements = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    runtime = [line for line in requirements if "extra ==" not in line]
    assert not any(name in line for line in runtime
                   for name in ("meltano", "dbt", "sandbox", "target-emag"))


def test_twine_check_passes_on_every_distribution(tap_dist, target_dist, sandbox_dist):
    files = [str(path) for path in (*tap_dist, *target_dist, *sandbox_dist)]
    out = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *files],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("PASSED") == 6


def test_license_is_one_text():
    # a distribution can only ship a file under its own folder: copies, kept equal
    for folder in ("sandbox", "target"):
        assert (ROOT / folder / "LICENSE").read_text() == (ROOT / "LICENSE").read_text()
    assert "Apache License" in (ROOT / "LICENSE").read_text()


def test_clean_install_has_no_sandbox_meltano_or_dbt(clean_venv):
    python = str(clean_venv / "bin" / "python")
    found = subprocess.run(
        [python, "-c", "import importlib.util, json; print(json.dumps({name: "
         "importlib.util.find_spec(name) is not None for name in "
         "('tap_emag', 'emag_sandbox', 'meltano', 'dbt')}))"],
        check=True, capture_output=True, text=True, timeout=60)
    assert json.loads(found.stdout) == {
        "tap_emag": True, "emag_sandbox": False, "meltano": False, "dbt": False}
    listed = subprocess.run([python, "-m", "pip", "list", "--format=json"],
                            check=True, capture_output=True, text=True, timeout=60)
    names = {package["name"].lower() for package in json.loads(listed.stdout)}
    assert "tap-emag" in names
    assert not {name for name in names if name.startswith(("emag-sandbox", "meltano", "dbt"))}
    assert not (clean_venv / "bin" / "emag-sandbox").exists()


def _about(executable: Path) -> dict[str, Any]:
    out = subprocess.run([str(executable), "--about", "--format=json"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_installed_tap_about_lists_every_setting(clean_venv):
    about = _about(clean_venv / "bin" / "tap-emag")
    assert about["name"] == "tap-emag"
    assert set(TapEmag.config_jsonschema["properties"]) <= set(about["settings"]["properties"])
    assert "accounts" in about["settings"]["required"]
    # what the wheel installs is what the source tree (installed editable here) describes
    assert about == _about(Path(sys.executable).parent / "tap-emag")
