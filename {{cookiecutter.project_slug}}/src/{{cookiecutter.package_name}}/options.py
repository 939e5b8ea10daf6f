"""Click options shared by the subcommands, and the runner that turns a step into output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from {{ cookiecutter.package_name }} import console
from {{ cookiecutter.package_name }}.settings import load_settings


class FindingCommand(click.Command):
    """A check whose exit code 1 is a finding (e.g. drift): its errors exit 2 instead."""


class FindingCommandError(click.ClickException):
    """An error of a FindingCommand: one line, exit code 2."""

    exit_code = 2


json_option = click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
input_csv_option = click.option(
    "--input",
    "input_csv",
    type=click.Path(path_type=Path),
    default=None,
    help="CSV with columns age, sex, bmi, bp, s1..s6, target (default: bundled diabetes set).",
)
version_option = click.option(
    "--version",
    "version",
    type=click.IntRange(min=1),
    default=None,
    help="Registered model version (default: the champion).",
)
model_dir_option = click.option(
    "--model-dir",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    help="A folder written by `package` (default: the registry's model).",
)


def workers_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--workers N` (at least 1, default 1) with a command-specific help text."""
    return click.option(
        "--workers", type=click.IntRange(min=1), default=1, show_default=True, help=help_text
    )


def run_step(step: Callable[..., tuple[object, list[str]]], as_json: bool, **kwargs: Any) -> None:
    """Run a step with the project's settings and print its result."""
    result, lines = step(load_settings(), **kwargs)
    console.emit(result, lines, as_json)
