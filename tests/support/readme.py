"""The README's "Add it to your own Meltano and dbt project" blocks, as tests run them."""

from __future__ import annotations

import re
import shlex

from tests.support.scripts import ROOT

SECTION = "## Add it to your own Meltano and dbt project"


def own_project_block(language: str) -> str:
    """The section's fenced block in `language` (bash: the commands; yaml: packages.yml)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION)[1].split("\n## ")[0]
    match = re.search(rf"^```{language}\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert match, f"the section shows a {language} block"
    return match.group(1)


def own_project_commands() -> set[str]:
    """Each `&&` part of the bash block, its words as the shell passes them."""
    return {" ".join(shlex.split(part)) for line in own_project_block("bash").splitlines()
            for part in line.split("&&") if part.strip()}
