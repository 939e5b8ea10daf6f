"""The lifecycle command line: one subcommand per step, `--help` and `--json` on each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from {{ cookiecutter.package_name }} import __version__, console, steps
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.settings import load_settings

json_option = click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
input_option = click.option(
    "--input",
    "input_csv",
    type=click.Path(path_type=Path),
    default=None,
    help="CSV with columns age, sex, bmi, bp, s1..s6, target (default: bundled diabetes set).",
)


class LifecycleGroup(click.Group):
    """A group that turns known failures into one clear line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; report user-fixable errors without a traceback."""
        try:
            return super().invoke(ctx)
        except LifecycleError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            from mlflow.exceptions import MlflowException

            if isinstance(exc, MlflowException):
                first_line = str(exc.message).strip().splitlines()[0]
                raise click.ClickException(f"MLflow: {first_line}") from None
            raise


@click.group(cls=LifecycleGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__)
def cli() -> None:
    """Prep, train, evaluate, register and promote the model.

    Tracking and registry use the project's SQLite MLflow store unless MLFLOW_TRACKING_URI
    is set (in Azure ML: the workspace's MLflow URI).
    """


def _run(action: Callable[..., tuple[object, list[str]]], as_json: bool, **kwargs: Any) -> None:
    result, lines = action(load_settings(), **kwargs)
    console.emit(result, lines, as_json)


@cli.command()
@input_option
@json_option
def prep(input_csv: Path | None, as_json: bool) -> None:
    """Validate the data and write the seeded train/validation/test split as Parquet."""
    _run(steps.prep, as_json, input_csv=input_csv)


@cli.command()
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a hyperparameter (n_estimators, max_depth); repeatable.",
)
@json_option
def train(params: tuple[str, ...], as_json: bool) -> None:
    """Fit the model and log params, metrics and the model to MLflow."""
    _run(steps.train, as_json, params=list(params))


@cli.command()
@json_option
def evaluate(as_json: bool) -> None:
    """Compute rmse, mae and r2 on the test split and log diagnostic plots."""
    _run(steps.evaluate, as_json)


@cli.command()
@click.option(
    "--reason",
    default="new training run",
    show_default=True,
    help="Why this model is published (stored as a tag).",
)
@json_option
def register(reason: str, as_json: bool) -> None:
    """Register the latest finished training run with lineage tags."""
    _run(steps.register, as_json, reason=reason)


@cli.command()
@click.option("--dry-run", is_flag=True, help="Decide and print, but change nothing.")
@json_option
def promote(dry_run: bool, as_json: bool) -> None:
    """Promote the newest version to `champion` only if it beats the current champion."""
    _run(steps.promote, as_json, dry_run=dry_run)


@cli.command(name="all")
@input_option
@click.option(
    "--reason", default="lifecycle run", show_default=True, help="Why this model is published."
)
@json_option
def run_all(input_csv: Path | None, reason: str, as_json: bool) -> None:
    """Run prep, train, evaluate, register and promote in order."""
    _run(steps.run_all, as_json, input_csv=input_csv, reason=reason)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="{{ cookiecutter.project_slug }}")
