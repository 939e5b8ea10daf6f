"""The `drift` subcommand: exit 0 without drift, 1 on drift, 2 when the check could not run."""

from __future__ import annotations

from pathlib import Path

import click

from {{ cookiecutter.package_name }}.console import emit, step
from {{ cookiecutter.package_name }}.options import FindingCommand, json_option
from {{ cookiecutter.package_name }}.settings import load_settings

EXIT_CODES = "Exit codes: 0 no drift, 1 drift, 2 the check could not run (the message says why)."


@click.command(cls=FindingCommand, epilog=EXIT_CODES)
@click.option(
    "--current",
    type=click.Path(path_type=Path),
    default=None,
    help="A .jsonl, .csv or .parquet file, or a folder of them (searched recursively); "
    "default: the collected logs in [monitoring.collection] directory.",
)
@click.option(
    "--reference",
    type=click.Path(path_type=Path),
    default=None,
    help="A baseline JSON, e.g. build/model/baseline.json (default: the champion's baseline).",
)
@click.option(
    "--report",
    "report_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder for drift.json and drift.html (default: build/drift).",
)
@json_option
@click.pass_context
def drift(
    ctx: click.Context,
    current: Path | None,
    reference: Path | None,
    report_dir: Path | None,
    as_json: bool,
) -> None:
    """Compare current inputs and predictions with the training baseline (PSI, KS, chi-square)."""
    from {{ cookiecutter.package_name }}.monitoring.check import check_drift

    settings = load_settings()
    with step("drift: comparing current data with the training baseline"):
        result, lines = check_drift(settings, current, reference, report_dir)
    emit(result, lines, as_json)
    ctx.exit(1 if result["drifted"] else 0)
