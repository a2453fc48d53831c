"""This repository's scripts that are files, not packages, loaded as modules for tests."""

from __future__ import annotations

import importlib.util
import typing as t
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_script(relative: str) -> t.Any:
    """The module in ROOT/relative (e.g. scripts/readme_settings.py), loaded under its stem."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
