"""The `score-batch` subcommand: crash-safe batch scoring of a folder of files."""

from __future__ import annotations

from pathlib import Path

import click

from {{ cookiecutter.package_name }}.console import emit, step
from {{ cookiecutter.package_name }}.options import (
    json_option,
    model_dir_option,
    version_option,
    workers_option,
)
from {{ cookiecutter.package_name }}.settings import load_settings


@click.command(name="score-batch")
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
@workers_option("Processes scoring files in parallel.")
@click.option("--restart", is_flag=True, help="Forget earlier progress in --output and start over.")
@version_option
@model_dir_option
@json_option
@click.pass_context
def score_batch(
    ctx: click.Context,
    input_dir: Path,
    output_dir: Path,
    workers: int,
    restart: bool,
    version: int | None,
    model_dir: Path | None,
    as_json: bool,
) -> None:
    """Batch-score files; survives kill -9 and resumes; exits 1 if any file failed."""
    from {{ cookiecutter.package_name }}.batch.runner import score_batch as run_batch
    from {{ cookiecutter.package_name }}.lifecycle.steps import packaged_model
    from {{ cookiecutter.package_name }}.model.folder import load_model_dir

    folder = model_dir or packaged_model(load_settings(), version)
    loaded = load_model_dir(folder)  # a bad or altered model is refused before any worker starts
    model = folder if workers > 1 else loaded
    with step(f"score-batch: {input_dir} -> {output_dir}"):
        report = run_batch(model, input_dir, output_dir, workers=workers, restart=restart)
    lines = [
        f"scored {report.rows} rows in {len(report.scored)} file(s) "
        f"({report.rows_per_second:,.0f} rows/s); {len(report.skipped)} already done"
    ]
    lines += [failure.line() for failure in report.failed]
    emit(report.to_dict(), lines, as_json)
    if report.failed:
        ctx.exit(1)
