"""Paste the tap's settings where they are shown: README.md's table, meltano.yml's extractor.

Both come from the tap's config schema (tap_emag/config.py), the one home of every setting's
description. `python scripts/readme_settings.py` (`make readme`) rewrites the README's block
between the settings markers (from `tap-emag --about --format=markdown`) and the `settings:`
list of the tap-emag extractor in meltano.yml; `--check` exits 1 when either is out of date.
tests/unit/test_config.py checks meltano.yml, tests/pipeline/test_readme.py the README.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import typing as t
from pathlib import Path

from tap_emag.config import CONFIG_SCHEMA, TAP_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MELTANO_YML = ROOT / "meltano.yml"
START, END = "<!-- settings:start -->", "<!-- settings:end -->"
EXTRACTOR, SETTINGS = "  - name: tap-emag\n", "    settings:\n"
# Meltano 4.4 cannot serialise a `decimal` setting given through an environment variable, so
# numbers are declared `integer` (the tap itself takes fractions from a config file).
KINDS = {"array": "array", "object": "object", "boolean": "boolean", "integer": "integer",
         "number": "integer", "string": "string"}


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


def _is_secret(spec: t.Any) -> bool:
    """Whether the setting is or holds a secret (an account list holds passwords)."""
    if isinstance(spec, dict):
        return spec.get("secret") is True or any(_is_secret(value) for value in spec.values())
    return isinstance(spec, list) and any(_is_secret(value) for value in spec)


def meltano_settings() -> list[dict[str, t.Any]]:
    """The tap's own settings as Meltano declares them: name, kind, secrecy, description."""
    settings = []
    for name in TAP_SETTINGS:
        spec = CONFIG_SCHEMA["properties"][name]
        types = spec["type"] if isinstance(spec["type"], list) else [spec["type"]]
        (json_type,) = [kind for kind in types if kind != "null"]
        setting: dict[str, t.Any] = {"name": name, "kind": KINDS[json_type]}
        if _is_secret(spec):
            setting["sensitive"] = True
        setting["description"] = spec["description"]
        settings.append(setting)
    return settings


def with_meltano_settings(text: str) -> str:
    """meltano.yml's text with the tap-emag extractor's `settings:` list generated."""
    lines = text.splitlines(keepends=True)
    first = lines.index(SETTINGS, lines.index(EXTRACTOR)) + 1
    end = first
    while end < len(lines) and lines[end].startswith(("    - ", "      ", "    #")):
        end += 1
    block = ["    # Generated from the tap's config schema (tap_emag/config.py) by `make"
             " readme`;\n    # tests/unit/test_config.py fails when it differs.\n"]
    for setting in meltano_settings():
        block.append(f"    - name: {setting['name']}\n      kind: {setting['kind']}\n")
        if setting.get("sensitive"):
            block.append("      sensitive: true\n")
        block.append("      description: >-\n")
        block.extend(f"        {line}\n" for line in textwrap.wrap(setting["description"], 92))
    return "".join(lines[:first] + block + lines[end:])


def main() -> int:
    """Rewrite (or with --check, verify) both blocks."""
    text = README.read_text(encoding="utf-8")
    block = f"{START}\n{settings_table()}\n{END}"
    readme = re.sub(re.escape(START) + r".*?" + re.escape(END), block, text, flags=re.DOTALL)
    meltano_text = MELTANO_YML.read_text(encoding="utf-8")
    meltano = with_meltano_settings(meltano_text)
    if "--check" in sys.argv:
        stale = [name for name, old, new in (("README.md", text, readme),
                                              ("meltano.yml", meltano_text, meltano))
                 if old != new]
        for name in stale:
            print(f"{name}: the tap's settings are out of date: run make readme",
                  file=sys.stderr)
        return 1 if stale else 0
    README.write_text(readme, encoding="utf-8")
    MELTANO_YML.write_text(meltano, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
