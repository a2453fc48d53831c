"""Repository rules: credentials stay out (`.env` ignored, placeholders only); the tap and the
sandbox share no code."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

from tests.support.meltano_project import ROOT

PLACEHOLDERS = {"change-me", ""}


def test_dot_env_is_git_ignored():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0


def test_env_example_holds_placeholders_only():
    settings = dict(
        line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    secrets = {key: value for key, value in settings.items()
               if key.endswith(("PASSWORD", "SECRET", "TOKEN"))}
    assert secrets, "the example names the password variables"
    assert set(secrets.values()) <= PLACEHOLDERS
    usernames = [value for key, value in settings.items() if key.endswith("USERNAME")]
    assert all(value.startswith("your-") for value in usernames)


def _imported_top_names(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def test_tap_and_sandbox_share_no_code():
    # two distributions, each blind to the other: an emulator built on the tap's reading of the
    # API would only confirm its mistakes, and the tap's wheel does not hold the sandbox
    tap_imports = _imported_top_names(ROOT / "tap_emag")
    sandbox_imports = _imported_top_names(ROOT / "sandbox" / "emag_sandbox")
    assert "tap_emag" in tap_imports and "emag_sandbox" in sandbox_imports  # the walk sees both
    assert "emag_sandbox" not in tap_imports
    assert "tap_emag" not in sandbox_imports
