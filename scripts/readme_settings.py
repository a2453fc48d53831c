"""Paste the tap's settings where they are shown: README, Hub definition, meltano.yml.

All come from the tap's --about output and config schema (tap_emag/config.py), the one home of
every setting's description. `python scripts/readme_settings.py` (`make readme`) rewrites the
README's block between the settings markers (from `tap-emag --about --format=markdown`), the
Hub-format plugin definition plugins/extractors/tap-emag.yml (what a user's
`meltano add tap-emag --from-ref` reads) and the tap-emag extractor of meltano.yml (that same
definition as `--from-ref` writes it, plus this project's own pip_url, catalog and config);
`--check` exits 1 when any is out of date. tests/unit/test_config.py checks the definition and
meltano.yml, tests/pipeline/test_readme.py the README, tests/pipeline/test_own_stack.py that
`--from-ref` in a new project writes what meltano.yml declares.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import typing as t
from pathlib import Path

import yaml

from tap_emag.config import CONFIG_SCHEMA, TAP_SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MELTANO_YML = ROOT / "meltano.yml"
DEFINITION = ROOT / "plugins" / "extractors" / "tap-emag.yml"
START, END = "<!-- settings:start -->", "<!-- settings:end -->"
EXTRACTOR = "  - name: tap-emag\n"
# The plugin as a user adds it: the distribution name (`pip install tap-emag`). This project
# installs its own checkout instead (PROJECT_OVERRIDES).
PIP_URL = "tap-emag"
LABEL = "eMAG Marketplace"
DESCRIPTION = ("Product offers and their GPSR details, orders, categories and VAT rates of every"
               " eMAG seller account, and a sync log.")
# The Hub's fields `meltano add --from-ref` keeps, in the order it writes them to meltano.yml
# (keywords, maintenance_status and domain_url are the Hub's own and not written).
FROM_REF_KEYS = ("name", "namespace", "label", "pip_url", "executable", "description",
                 "capabilities", "settings_group_validation", "settings")
# This project's own lines of the extractor, after the definition's: its checkout installed
# editable, with the pinned dependencies, its committed catalog and the dev accounts.
PROJECT_OVERRIDES = """\
    # This project's own, over the definition: its checkout, installed editable with the pinned
    # dependencies; the committed catalog; the dev accounts.
    pip_url: -e . -c $MELTANO_PROJECT_ROOT/constraints.txt
    # What `tap-emag --discover` prints, committed (`make catalog`; tests/unit/test_catalog.py
    # keeps it current). Meltano never caches the catalog of a plugin installed with -e, so
    # without it every run started the tap once more only to discover (about 3 s a run).
    catalog: plugins/catalogs/tap-emag.json
    config:
      accounts:
      - name: main
      - name: fbe
"""
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


def about() -> dict[str, t.Any]:
    """The tap's own `--about --format=json`."""
    out = subprocess.run(
        [sys.executable, "-m", "tap_emag.tap", "--about", "--format=json"],
        capture_output=True, text=True, check=True,
    ).stdout
    return t.cast("dict[str, t.Any]", json.loads(out))


def _label(name: str) -> str:
    """A setting's label: its name in words (`items_per_page`: `Items per page`)."""
    return name.replace("_", " ").capitalize()


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
        setting: dict[str, t.Any] = {"name": name, "kind": KINDS[json_type],
                                     "label": _label(name), "description": spec["description"]}
        if _is_secret(spec):
            setting["sensitive"] = True
        settings.append(setting)
    return settings


def hub_definition() -> dict[str, t.Any]:
    """The Meltano Hub plugin definition, from `tap-emag --about`.

    The fields of meltano/hub's `_data/meltano/extractors/<name>/<variant>.yml`.
    """
    info = about()
    return {
        "name": info["name"],
        "namespace": info["name"].replace("-", "_"),
        "label": LABEL,
        "description": DESCRIPTION,
        "pip_url": PIP_URL,
        "executable": info["name"],
        "capabilities": sorted(info["capabilities"]),
        "settings_group_validation": [["accounts"]],
        "settings": meltano_settings(),
        "keywords": ["meltano_sdk", "ecommerce", "marketplace", "emag"],
        "maintenance_status": "active",
        "domain_url": "https://marketplace.emag.ro",
    }


def definition_text() -> str:
    """plugins/extractors/tap-emag.yml's text."""
    head = ("# Meltano Hub plugin definition of tap-emag, generated from `tap-emag --about` by\n"
            "# `make readme` (tests/unit/test_config.py fails when it differs). Add it to a\n"
            "# Meltano project (README.md, \"Add it to your own Meltano project\"):\n"
            "#   meltano add tap-emag --from-ref plugins/extractors/tap-emag.yml --no-install\n")
    return head + yaml.dump(hub_definition(), Dumper=_Dumper, sort_keys=False, width=96,
                            allow_unicode=True)


class _Dumper(yaml.SafeDumper):
    """Long strings folded (`>-`), as the Hub's files write descriptions."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = ">" if len(value) > 60 else None  # longer than fits beside the key
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def from_ref_plugin() -> dict[str, t.Any]:
    """The extractor as `meltano add --from-ref` writes the definition into meltano.yml."""
    definition = hub_definition()
    return {key: definition[key] for key in FROM_REF_KEYS}


def with_extractor(text: str) -> str:
    """meltano.yml's text with the tap-emag extractor generated.

    The definition's fields as `--from-ref` writes them, then this project's own overrides.
    """
    lines = text.splitlines(keepends=True)
    first = lines.index(EXTRACTOR)
    end = first + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    plugin = from_ref_plugin()
    block = [EXTRACTOR,
             "    # Generated by `make readme` from plugins/extractors/tap-emag.yml, the definition"
             " users\n    # add (tests/unit/test_config.py fails when it differs).\n"]
    for key, value in plugin.items():
        if key in {"name", "pip_url"}:
            continue
        if key == "settings":
            block.append("    settings:\n")
            for setting in value:
                block.append(f"    - name: {setting['name']}\n      kind: {setting['kind']}\n"
                             f"      label: {setting['label']}\n")
                if setting.get("sensitive"):
                    block.append("      sensitive: true\n")
                block.append("      description: >-\n")
                block.extend(f"        {line}\n"
                             for line in textwrap.wrap(setting["description"], 92))
        elif key == "settings_group_validation":
            block.append("    settings_group_validation:\n")
            block.extend(f"    - [{', '.join(group)}]\n" for group in value)
        elif isinstance(value, list):
            block.append(f"    {key}: [{', '.join(value)}]\n")
        else:
            block.append(f"    {key}: {value}\n")
    block.append(PROJECT_OVERRIDES)
    return "".join(lines[:first] + block + lines[end:])


def main() -> int:
    """Rewrite (or with --check, verify) both blocks."""
    text = README.read_text(encoding="utf-8")
    block = f"{START}\n{settings_table()}\n{END}"
    readme = re.sub(re.escape(START) + r".*?" + re.escape(END), block, text, flags=re.DOTALL)
    meltano_text = MELTANO_YML.read_text(encoding="utf-8")
    meltano = with_extractor(meltano_text)
    definition_old = DEFINITION.read_text(encoding="utf-8") if DEFINITION.exists() else ""
    definition = definition_text()
    if "--check" in sys.argv:
        stale = [name for name, old, new in (("README.md", text, readme),
                                              ("meltano.yml", meltano_text, meltano),
                                              ("plugins/extractors/tap-emag.yml",
                                               definition_old, definition))
                 if old != new]
        for name in stale:
            print(f"{name}: the tap's settings are out of date: run make readme",
                  file=sys.stderr)
        return 1 if stale else 0
    README.write_text(readme, encoding="utf-8")
    MELTANO_YML.write_text(meltano, encoding="utf-8")
    DEFINITION.parent.mkdir(exist_ok=True)
    DEFINITION.write_text(definition, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
