"""What the README and docs/ show works.

The settings table is the one `tap-emag --about --format=markdown` prints; every command in a
`bash` or `cron` block is checked against this project without side effects (`make -n`,
`meltano run --dry-run`, the plugin's commands, `--help`); the GraphQL validates against the
installed Dagster's schema; the commands for the reader's own Meltano project are the ones
tests/pipeline/test_own_stack.py runs in a new project; every relative link and anchor
resolves, and the README links every page of docs/. A command of a form with no check fails
the test: add a check, do not skip it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import typing as t
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import yaml

from tests.support.readme import own_project_commands

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
DAGSTER_PYTHON = ROOT / ".meltano" / "utilities" / "dagster" / "venv" / "bin" / "python"
DBT = ROOT / ".meltano" / "utilities" / "dbt" / "venv" / "bin" / "dbt"
FENCE = re.compile(r"^( *)```(\w*)\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
ASSIGNMENT = re.compile(r"^[A-Z][A-Z0-9_]*=")
CRON_FIELDS = 5
# The README's commands for the reader's own Meltano project, run in order in a new project by
# tests/pipeline/test_own_stack.py
USER_PROJECT_COMMANDS = own_project_commands()


@dataclass(frozen=True)
class Shown:
    """One command as a page shows it."""

    page: str
    text: str
    cron: str | None = None

    def __str__(self) -> str:
        return f"{self.page}: {self.text}"


def blocks(text: str) -> t.Iterator[tuple[str, str]]:
    """(language, body) of each fenced block, the body dedented."""
    for match in FENCE.finditer(text):
        indent = len(match.group(1))
        body = "\n".join(line[indent:] for line in match.group(3).splitlines())
        yield match.group(2), body


def logical_lines(body: str) -> list[str]:
    """Lines with `\\` continuations joined, blank and comment-only lines left out."""
    joined = re.sub(r"\\\n\s*", " ", body)
    return [line for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def shown_commands() -> list[Shown]:
    """Every command line of every bash and cron block of the README and docs/."""
    shown = []
    for page in PAGES:
        name = page.relative_to(ROOT).as_posix()
        for language, body in blocks(page.read_text(encoding="utf-8")):
            if language in {"bash", "sh", "shell"}:
                shown += [Shown(name, line) for line in logical_lines(body)]
            elif language == "cron":
                for line in logical_lines(body):
                    fields = line.split(maxsplit=CRON_FIELDS)
                    shown.append(Shown(name, fields[CRON_FIELDS], " ".join(fields[:CRON_FIELDS])))
    return shown


def clean_env() -> dict[str, str]:
    """This environment without make's own variables (under `make test` they change its output)."""
    return {key: value for key, value in os.environ.items()
            if key not in {"MAKEFLAGS", "MAKELEVEL", "MFLAGS"}}


def run(args: list[str], **kwargs: t.Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          check=False, env=clean_env(), **kwargs)


@cache
def meltano_yml() -> dict[str, t.Any]:
    return t.cast("dict[str, t.Any]", yaml.safe_load((ROOT / "meltano.yml").read_text()))


@cache
def read_by_project(name: str) -> bool:
    """Whether a variable name is read somewhere in the project (any tracked file but the docs
    and this test)."""
    this_test = Path(__file__).relative_to(ROOT).as_posix()
    found = run(["git", "grep", "-q", "-w", name, "--", ".", ":!*.md", f":!{this_test}"])
    return found.returncode == 0


def words(argv: list[str]) -> list[str]:
    """The command's words without redirections (`> file`, `>> file`, `2>&1`)."""
    kept: list[str] = []
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in {">", ">>", "<"}:
            skip = True
        elif not re.fullmatch(r"\d?>&\d", word):
            kept.append(word)
    return kept


def flags(argv: list[str]) -> list[str]:
    """The long options a command line uses (`[--seed S]` counts as `--seed`)."""
    return [match.group(1) for word in argv if (match := re.match(r"^\[?(--[a-z][\w-]*)", word))]


def help_lists(command: list[str], argv: list[str]) -> None:
    """`command --help` names every long option of argv."""
    result = run([*command, "--help"])
    assert result.returncode == 0, result.stderr
    missing = [flag for flag in flags(argv) if flag not in result.stdout]
    assert not missing, f"{' '.join(command)} --help does not list {missing}"


def check_make(args: list[str]) -> None:
    for word in args:
        if "=" in word:
            assert read_by_project(word.split("=", 1)[0]), f"nothing reads {word}"
    result = run(["make", "-s", "-n", "--no-print-directory", *args])
    assert result.returncode == 0, result.stderr


def check_meltano(args: list[str], cron: str | None) -> None:
    options = [word for word in args if word.startswith("--environment=")]
    rest = [word for word in args if word not in options]
    meltano = [str(BIN / "meltano"), *options]
    if rest[:1] == ["run"]:
        result = run([*meltano, "run", "--dry-run", *rest[1:]])
    elif rest[:2] == ["schedule", "run"]:
        schedule = next(item for item in meltano_yml()["schedules"] if item["name"] == rest[2])
        if cron is not None:
            assert cron == schedule["interval"], f"the crontab runs {rest[2]} at {cron}"
        result = run([*meltano, "schedule", "run", *rest[2:], "--dry-run"])
    elif rest[:1] == ["invoke"]:
        plugin, _, command = rest[1].partition(":")
        result = run([*meltano, "invoke", "--list-commands", plugin])
        assert not command or f"{plugin}:{command} " in result.stdout, result.stdout
    elif rest in (["schedule", "list"], ["job", "list"]):
        result = run([*meltano, *rest])
    else:
        pytest.fail(f"no check for `meltano {' '.join(rest)}`: add one")
    assert result.returncode == 0, result.stdout + result.stderr


def check_curl(args: list[str]) -> None:
    url = next(word for word in args if word.startswith("http"))
    assert url == "http://127.0.0.1:3000/graphql", "the API `make orchestrate` serves"
    body = json.loads(args[args.index("-d") + 1])
    assert not graphql_errors([body["query"]])


def check(shown: Shown) -> None:
    """Check one command line, each `&&` part on its own."""
    for part in shown.text.split("&&"):
        if " ".join(shlex.split(part, comments=True)) in USER_PROJECT_COMMANDS:
            continue
        argv = words(shlex.split(part, comments=True))
        while argv and ASSIGNMENT.match(argv[0]):
            name = argv.pop(0).split("=", 1)[0]
            assert read_by_project(name), f"nothing in the project reads {name}"
        if not argv or argv[0] == "cd":
            continue
        program, args = argv[0].removeprefix(".venv/bin/"), argv[1:]
        if program == "export":
            for assignment in args:
                name = assignment.split("=", 1)[0]
                assert read_by_project(name), f"nothing in the project reads {name}"
        elif program == "bash":
            assert (ROOT / args[0]).is_file(), args[0]
        elif program == "make":
            check_make(args)
        elif program == "meltano":
            check_meltano(args, shown.cron)
        elif program == "python":
            assert (ROOT / args[0]).is_file(), args[0]
            help_lists([str(BIN / "python"), args[0]], args[1:])
        elif program == "pytest":
            result = run([str(BIN / "pytest"), "--collect-only", "-q", "-p", "no:cacheprovider",
                          *args])
            assert result.returncode == 0, result.stdout
        elif program == "dbt":  # a user's own dbt project: the subcommand and its options
            help_lists([str(DBT), args[0]], args[1:])
        elif program == "tap-emag":
            help_lists([str(BIN / "tap-emag")], args)
        elif program == "emag-sandbox":
            # without a subcommand the sandbox serves
            sub = args[:1] if args and not args[0].startswith("-") else ["serve"]
            help_lists([str(BIN / "emag-sandbox"), *sub], args)
        elif program == "curl":
            check_curl(args)
        else:
            pytest.fail(f"no check for `{program}`: add one")


def graphql_errors(queries: list[str]) -> list[str]:
    """Validation errors of each query against the schema of the Dagster `make install` set up."""
    script = (
        "import json, sys\n"
        "from dagster_graphql.schema import create_schema\n"
        "from graphql import parse, validate\n"
        "schema = create_schema().graphql_schema\n"
        "print(json.dumps([[e.message for e in validate(schema, parse(q))]"
        " for q in json.load(sys.stdin)]))\n"
    )
    result = subprocess.run([str(DAGSTER_PYTHON), "-c", script], input=json.dumps(queries),
                            capture_output=True, text=True, timeout=120, check=True)
    return [f"{query}: {errors}" for query, errors in zip(queries, json.loads(result.stdout),
                                                          strict=True) if errors]


def shown_graphql() -> list[str]:
    return [body for page in PAGES for language, body in blocks(page.read_text(encoding="utf-8"))
            if language == "graphql"]


def anchors(page: Path) -> set[str]:
    """GitHub's anchor of each heading of a page (headings inside code blocks are not headings)."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    headings = re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


def test_readme_settings_table_is_current():
    result = subprocess.run([sys.executable, "scripts/readme_settings.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "| accounts | True |" in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("shown", shown_commands(), ids=str)
def test_shown_command_works(shown: Shown):
    check(shown)


def test_checks_refuse_what_the_project_lacks():
    """The checks can fail: each of these names something that does not exist."""
    wrong = [
        Shown("-", "make no-such-target"),
        Shown("-", ".venv/bin/meltano run tap-emag no-such-loader"),
        Shown("-", ".venv/bin/meltano invoke dbt:no-such-command"),
        Shown("-", ".venv/bin/meltano --environment=prod schedule run emag-hourly-sync",
              cron="0 * * * *"),
        Shown("-", ".venv/bin/tap-emag --config config.json --no-such-option"),
        Shown("-", "NO_SUCH_VARIABLE_ANYWHERE=1 make unit"),
        Shown("-", "rm -rf .pgdata"),
        Shown("-", "meltano add tap-emag --from-ref plugins/extractors/no-such.yml"),
    ]
    for shown in wrong:
        with pytest.raises((AssertionError, pytest.fail.Exception, StopIteration)):
            check(shown)
    assert graphql_errors(["{ runsOrError { ... on Runs { results { noSuchField } } } }"])


def test_shown_graphql_validates_against_dagster():
    queries = shown_graphql()
    assert queries, "docs/ORCHESTRATION.md shows the API's operations"
    assert not graphql_errors(queries)
    meltano_names = {re.sub(r"[^A-Za-z0-9_]", "_", item["name"]): item["name"]
                     for key in ("jobs", "schedules") for item in meltano_yml()[key]}
    named = re.findall(r'(?:jobName|scheduleName): "(\w+)"', "\n".join(queries))
    assert named
    assert set(named) <= set(meltano_names), "every job and schedule named is in meltano.yml"


def broken_links(page: Path, text: str) -> list[str]:
    """Relative links of a page's text whose file, or heading, does not exist."""
    broken = []
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(f"{page.name}: {target}")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            broken.append(f"{page.name}: {target} (no such heading)")
    return broken


def test_links_resolve():
    assert not [link for page in PAGES
                for link in broken_links(page, page.read_text(encoding="utf-8"))]
    wrong = "[a](docs/NO_SUCH_PAGE.md) [b](docs/SYNC.md#no-such-heading) [c](#settings)"
    assert len(broken_links(README, wrong)) == 2


def test_readme_links_every_docs_page():
    text = README.read_text(encoding="utf-8")
    unlinked = [page.name for page in PAGES[1:] if f"(docs/{page.name}" not in text]
    assert not unlinked
