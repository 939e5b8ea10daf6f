"""The command line: help everywhere, clear one-line errors, a real console script."""

from __future__ import annotations

import subprocess
import sys

import pytest

from {{ cookiecutter.package_name }}.settings import Settings

from .conftest import invoke

PACKAGE = "{{ cookiecutter.package_name }}"
COMMANDS = ("prep", "train", "evaluate", "register", "promote", "all")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_a_json_flag(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "--json" in result.stdout


def test_top_level_help_lists_every_command() -> None:
    listed = invoke("--help").stdout
    assert all(f"  {command} " in listed for command in COMMANDS)


def test_unknown_param_is_rejected_before_any_work(project: Settings) -> None:
    result = invoke("train", "--param", "depth=3")
    assert result.exit_code == 1
    assert "unknown parameter 'depth'; accepted: max_depth, n_estimators" in result.stderr


def test_train_without_prep_says_what_to_run(project: Settings) -> None:
    result = invoke("train")
    assert result.exit_code == 1
    assert "run `prep` first" in result.stderr


def test_promote_without_registered_model_says_what_to_run(project: Settings) -> None:
    invoke("prep")
    result = invoke("promote")
    assert result.exit_code == 1
    assert "has no registered version: run `register` first" in result.stderr


def test_module_entry_point_prints_errors_without_traceback(project: Settings) -> None:
    done = subprocess.run(
        [sys.executable, "-m", PACKAGE, "prep", "--input", "nope.csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == "Error: nope.csv: no such file; pass an existing CSV with --input"
    assert [line for line in lines if line.startswith("Error")] == lines[-1:]


def test_outside_a_project_the_error_says_where_to_run(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("prep")
    assert result.exit_code == 1
    assert "no mlops.toml" in result.stderr
