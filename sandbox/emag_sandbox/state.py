"""Persisting applied mutations so a restarted sandbox serves the same evolved catalogue.

The file holds the mutate calls themselves (with resolved seeds), not the catalogue: replaying
them on the deterministic base catalogue reproduces it exactly and keeps the file tiny.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

VERSION = 1


def load(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The recorded mutate calls, oldest first (empty when the file does not exist)."""
    file = Path(path)
    if not file.exists() or not file.read_text().strip():
        return []
    doc = json.loads(file.read_text())
    if isinstance(doc, list):
        return doc
    return list(doc.get("mutations", []))


def save(path: str | os.PathLike[str], seed: int, mutations: list[dict[str, Any]]) -> None:
    """Write atomically so a crash never leaves half a file behind."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    doc = {"version": VERSION, "seed": seed, "mutations": mutations}
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=file.name, suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(doc, fh, indent=1)
    os.replace(tmp, file)
