"""transform/run_exclusive.py: `dbt:run` is two dbt commands, and a user's flags reach both."""

from __future__ import annotations

import pytest

from tests.support.scripts import load_script

run_exclusive = load_script("transform/run_exclusive.py")


def test_one_command_is_passed_as_it_is():
    command = ["run", "-s", "emag_products"]
    assert run_exclusive.commands(command) == [command]


def test_then_splits_and_the_users_arguments_go_to_the_build():
    assert run_exclusive.commands(
        ["run-operation", "prepare_sources", "--then", "run", "--full-refresh"]) == [
        ["run-operation", "prepare_sources"], ["run", "--full-refresh"]]


def test_where_dbt_runs_holds_for_the_steps_before_the_build():
    """--vars or --target given to `meltano invoke dbt:run` must not leave the step on the
    defaults while the build reads elsewhere."""
    given = ["run-operation", "prepare_sources", "--then", "run", "--vars",
             "{emag_local_schema: x}", "--target=prod", "--full-refresh", "-s", "emag_products"]
    prepare, build = run_exclusive.commands(given)
    assert prepare == ["run-operation", "prepare_sources", "--vars", "{emag_local_schema: x}",
                       "--target=prod"]
    assert build == given[3:]


@pytest.mark.parametrize("args", [["--then", "run"], ["run-operation", "x", "--then"]])
def test_an_empty_command_is_refused_naming_the_arguments(args):
    with pytest.raises(SystemExit, match="an empty dbt command"):
        run_exclusive.commands(args)
