"""Credentials stay out of the repository: `.env` is ignored, `.env.example` holds placeholders."""

from __future__ import annotations

import subprocess

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
