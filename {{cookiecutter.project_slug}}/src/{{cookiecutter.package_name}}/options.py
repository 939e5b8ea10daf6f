"""Click options shared by the subcommands, and the runner that turns a step into output."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from {{ cookiecutter.package_name }} import console
from {{ cookiecutter.package_name }}.errors import LifecycleError
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
    help="CSV or Parquet file meeting data/contract.yaml (default: mlops.toml's [data] source).",
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


class ProjectGroup(click.Group):
    """A group that turns known failures into one clear line and a non-zero exit.

    The exit code is 1, or 2 for a FindingCommand (`drift`), whose 1 means a finding; such a
    command also exits 2, after the traceback, on an unexpected error.
    """

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; report user-fixable errors without a traceback."""
        try:
            return super().invoke(ctx)
        except LifecycleError as exc:
            raise self._failure(ctx, str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            mlflow_errors = sys.modules.get("mlflow.exceptions")  # only loaded if MLflow ran
            if mlflow_errors and isinstance(exc, mlflow_errors.MlflowException):
                first_line = str(exc.message).strip().splitlines()[0]
                raise self._failure(ctx, f"MLflow: {first_line}") from None
            if not self._is_finding(ctx):
                raise
            traceback.print_exc()
            raise click.exceptions.Exit(FindingCommandError.exit_code) from None

    def _is_finding(self, ctx: click.Context) -> bool:
        return isinstance(self.get_command(ctx, ctx.invoked_subcommand or ""), FindingCommand)

    def _failure(self, ctx: click.Context, message: str) -> click.ClickException:
        error = FindingCommandError if self._is_finding(ctx) else click.ClickException
        return error(message)


def workers_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--workers N` (at least 1, default 1) with a command-specific help text."""
    return click.option(
        "--workers", type=click.IntRange(min=1), default=1, show_default=True, help=help_text
    )


def run_step(step: Callable[..., tuple[object, list[str]]], as_json: bool, **kwargs: Any) -> None:
    """Run a step with the project's settings and print its result."""
    result, lines = step(load_settings(), **kwargs)
    console.emit(result, lines, as_json)
