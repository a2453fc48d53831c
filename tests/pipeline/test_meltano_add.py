"""A user's own Meltano project adds tap-emag from the committed Hub definition.

From an empty folder: `meltano init`, the definition copied in, then the commands of the
README's "Add it to your own Meltano project" block as shown (`meltano add tap-emag --from-ref
plugins/extractors/tap-emag.yml`, no Hub needed), with pip_url pointed at this checkout after
the add (the definition's own, `tap-emag`, is the released distribution). Then the settings,
their kinds and secrecy are Meltano's, and the installed tap answers --about and --discover.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import typing as t
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MELTANO = str(Path(sys.executable).parent / "meltano")
DEFINITION = ROOT / "plugins" / "extractors" / "tap-emag.yml"
README = ROOT / "README.md"
PASSWORD = "not-in-meltano-yml-0"  # a marker to look for


def _settings_script() -> t.Any:
    spec = importlib.util.spec_from_file_location(
        "readme_settings", ROOT / "scripts" / "readme_settings.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def meltano(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run meltano in the project (its logs go to stderr, the tap's output to stdout)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MELTANO_", "TAP_EMAG_", "EMAG_"))}
    env["MELTANO_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    result = subprocess.run([MELTANO, *args], cwd=project, env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def readme_commands() -> list[str]:
    """The command lines of the README's "Add it to your own Meltano project" bash block."""
    section = README.read_text(encoding="utf-8").split("## Add it to your own Meltano project")[1]
    match = re.search(r"^```bash\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert match, "the section shows its commands in a bash block"
    return [line for line in match.group(1).splitlines() if line.strip()]


def extractors(project: Path) -> dict[str, dict[str, t.Any]]:
    plugins = yaml.safe_load((project / "meltano.yml").read_text())["plugins"]
    assert list(plugins) == ["extractors"], "extractors added, nothing else (no utility)"
    return {plugin["name"]: plugin for plugin in plugins["extractors"]}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, t.Any]]:
    """A new Meltano project after the README's commands; and tap-emag as --from-ref added it."""
    folder = tmp_path_factory.mktemp("user")
    meltano(folder, "init", "shop", "--no_usage_stats")
    project = folder / "shop"
    (project / "plugins" / "extractors").mkdir(parents=True)
    shutil.copy(DEFINITION, project / "plugins" / "extractors" / "tap-emag.yml")
    added: dict[str, t.Any] = {}
    for line in readme_commands():
        program, *args = shlex.split(line)
        assert program == "meltano", line
        meltano(project, *args)
        if "--from-ref" in args:
            added = extractors(project)["tap-emag"]
            text = (project / "meltano.yml").read_text()
            assert "    pip_url: tap-emag\n" in text
            checkout = f"-e {ROOT} -c {ROOT / 'constraints.txt'}"
            (project / "meltano.yml").write_text(
                text.replace("pip_url: tap-emag", f"pip_url: {checkout}"))
    assert added, "the README adds tap-emag from the definition"
    return project, added


def test_from_ref_writes_what_this_projects_meltano_yml_declares(
        project: tuple[Path, dict[str, t.Any]]):
    """meltano.yml's tap-emag is generated as --from-ref writes it: the two agree."""
    assert project[1] == _settings_script().from_ref_plugin()


def test_the_readme_commands_configure_both_plugins(project: tuple[Path, dict[str, t.Any]]):
    folder, _ = project
    plugins = extractors(folder)
    assert plugins["tap-emag--quick"]["inherit_from"] == "tap-emag"
    assert plugins["tap-emag--quick"]["config"] == {"quick_sync": True}
    assert "accounts" not in plugins["tap-emag"].get("config", {}), "sensitive: kept in .env"
    assert "TAP_EMAG_ACCOUNTS=" in (folder / ".env").read_text()


def test_the_added_tap_keeps_passwords_out_of_meltano_yml_and_runs(
        project: tuple[Path, dict[str, t.Any]]):
    folder = project[0]
    accounts = json.dumps([{"name": "main", "username": "seller", "password": PASSWORD}])
    said = meltano(folder, "config", "set", "tap-emag", "accounts", accounts).stdout
    assert "set in `.env`" in said, said
    assert PASSWORD not in (folder / "meltano.yml").read_text()
    assert PASSWORD in (folder / ".env").read_text()

    listed = meltano(folder, "config", "list", "tap-emag", "--all").stdout
    assert PASSWORD not in listed and "(redacted)" in listed
    definition = yaml.safe_load(DEFINITION.read_text())
    for setting in definition["settings"]:
        assert f"{setting['name']} [env: TAP_EMAG_{setting['name'].upper()}]" in listed, listed
        assert f"\t{setting['label']}: " in listed
    kinds = {setting["name"]: setting["kind"]
             for setting in extractors(folder)["tap-emag"]["settings"]}
    assert kinds == {setting["name"]: setting["kind"] for setting in definition["settings"]}
    assert kinds["accounts"] == "array"

    about = json.loads(meltano(folder, "invoke", "tap-emag", "--about", "--format=json").stdout)
    assert about["name"] == "tap-emag"
    assert sorted(about["capabilities"]) == definition["capabilities"]
    catalog = json.loads(meltano(folder, "invoke", "tap-emag", "--discover").stdout)
    assert "products" in {stream["tap_stream_id"] for stream in catalog["streams"]}
