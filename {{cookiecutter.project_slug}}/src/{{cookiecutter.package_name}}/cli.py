"""The lifecycle command line: one subcommand per step, `--help` and `--json` on each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from {{ cookiecutter.package_name }} import __version__, console, serving_steps, steps
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


@cli.command(name="export-onnx")
@version_option
@json_option
def export_onnx(version: int | None, as_json: bool) -> None:
    """Convert a registered version to ONNX and prove parity with scikit-learn."""
    _run(serving_steps.export_onnx, as_json, version=version)


@cli.command()
@version_option
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=Path("build/model"),
    show_default=True,
    help="Folder to write (replaced atomically).",
)
@json_option
def package(version: int | None, output: Path, as_json: bool) -> None:
    """Write a self-contained model folder for serving, batch scoring and Azure ML."""
    _run(serving_steps.package, as_json, version=version, output=output)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes; each loads the model once.",
)
@click.option("--no-auth", is_flag=True, help="Serve without the API key (local use only).")
@click.option(
    "--max-body-bytes",
    type=click.IntRange(min=1),
    default=1_048_576,
    show_default=True,
    help="Larger request bodies get 413.",
)
@version_option
@model_dir_option
def serve(**options: object) -> None:
    """Serve the model over HTTP: POST /score (Azure ML) and /invocations (MLflow)."""
    serving_steps.serve(load_settings(), options)


@cli.command(name="score-batch")
@click.option(
    "--input",
    "input_dir",
    required=True,
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Folder of *.csv and *.parquet files to score.",
)
@click.option(
    "--output",
    "output_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder for the predictions and the journal (created if missing).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes scoring files in parallel.",
)
@click.option("--restart", is_flag=True, help="Forget earlier progress in --output and start over.")
@version_option
@model_dir_option
@json_option
@click.pass_context
def score_batch(ctx: click.Context, as_json: bool, **options: object) -> None:
    """Batch-score files; survives kill -9 and resumes; exits 1 if any file failed."""
    report, lines = serving_steps.score_batch(load_settings(), options)
    console.emit(report, lines, as_json)
    if report["failed"]:
        ctx.exit(1)


@cli.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.pass_context
def rollout(ctx: click.Context) -> None:
    """Blue/green rollout to the Azure ML online endpoint (`rollout --help` for options)."""
    from {{ cookiecutter.package_name }}.rollout import main as run_rollout

    ctx.exit(run_rollout(ctx.args))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="{{ cookiecutter.project_slug }}")
