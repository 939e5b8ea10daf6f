"""Lifecycle subcommands: prep, train, evaluate, register, promote, all, export-onnx, package."""

from __future__ import annotations

from pathlib import Path

import click

from {{ cookiecutter.package_name }}.lifecycle import steps
from {{ cookiecutter.package_name }}.options import (
    input_csv_option,
    json_option,
    run_step,
    version_option,
)


@click.command()
@input_csv_option
@json_option
def prep(input_csv: Path | None, as_json: bool) -> None:
    """Hold the data to the contract and write the seeded train/validation/test split."""
    run_step(steps.prep, as_json, input_csv=input_csv)


@click.command()
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
    run_step(steps.train, as_json, params=list(params))


@click.command()
@json_option
def evaluate(as_json: bool) -> None:
    """Score the test split with the task's metrics; log its figures and fairness per group."""
    run_step(steps.evaluate, as_json)


@click.command()
@click.option(
    "--reason",
    default="new training run",
    show_default=True,
    help="Why this model is published (stored as a tag).",
)
@json_option
def register(reason: str, as_json: bool) -> None:
    """Register the latest finished training run with lineage tags."""
    run_step(steps.register, as_json, reason=reason)


@click.command()
@click.option("--dry-run", is_flag=True, help="Decide and print, but change nothing.")
@json_option
def promote(dry_run: bool, as_json: bool) -> None:
    """Promote the newest version to `champion` only if it beats the current champion."""
    run_step(steps.promote, as_json, dry_run=dry_run)


@click.command(name="all")
@input_csv_option
@click.option(
    "--reason", default="lifecycle run", show_default=True, help="Why this model is published."
)
@json_option
def run_all(input_csv: Path | None, reason: str, as_json: bool) -> None:
    """Run prep, train, evaluate, register and promote in order."""
    run_step(steps.run_all, as_json, input_csv=input_csv, reason=reason)


@click.command(name="export-onnx")
@version_option
@json_option
def export_onnx(version: int | None, as_json: bool) -> None:
    """Convert a registered version to ONNX and prove parity with scikit-learn."""
    run_step(steps.export_onnx, as_json, version=version)


@click.command()
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
    run_step(steps.package, as_json, version=version, output=output)


LIFECYCLE_COMMANDS = (prep, train, evaluate, register, promote, run_all, export_onnx, package)
