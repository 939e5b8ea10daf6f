"""The `contract` subcommands: `init` drafts a contract from a data file, `check` checks a file."""

from __future__ import annotations

from pathlib import Path

import click

from {{ cookiecutter.package_name }}.console import emit
from {{ cookiecutter.package_name }}.contract.schema import TASKS
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.options import (
    FindingCommand,
    ProjectGroup,
    json_option,
)
from {{ cookiecutter.package_name }}.settings import load_settings

FILE = click.argument("file", type=click.Path(path_type=Path, dir_okay=False))


@click.group(cls=ProjectGroup)
def contract() -> None:
    """The data contract (data/contract.yaml): draft one from a file, check a file against it."""


@contract.command()
@FILE
@click.option("--target", required=True, metavar="COLUMN", help="The column to predict.")
@click.option("--task", type=click.Choice(TASKS), default=None, help="Default: inferred.")
@click.option("--id", "ids", multiple=True, metavar="COLUMN", help="An id column; repeatable.")
@click.option(
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Where to write (default: mlops.toml's [data] contract, data/contract.yaml).",
)
@click.option("--force", is_flag=True, help="Replace an existing contract file.")
@json_option
def init(
    file: Path,
    target: str,
    task: str | None,
    ids: tuple[str, ...],
    output: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """Draft a contract from a CSV or Parquet file: check the types, roles and task it infers."""
    from {{ cookiecutter.package_name }}.contract.files import read_table
    from {{ cookiecutter.package_name }}.contract.infer import draft_contract
    from {{ cookiecutter.package_name }}.contract.render import render_contract

    path = output or load_settings().contract_path
    if path.exists() and not force:
        raise LifecycleError(f"{path} exists: pass --force to replace it, or --output elsewhere")
    draft = draft_contract(read_table(file), target, task, ids)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_contract(draft.contract, draft.notes), encoding="utf-8")
    lines = [f"wrote {path} ({len(draft.contract.columns)} columns)", *draft.notes]
    emit({"contract": str(path), "notes": list(draft.notes)}, lines, as_json)


@contract.command(cls=FindingCommand)
@FILE
@click.option(
    "--contract",
    "contract_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="The contract (default: mlops.toml's [data] contract).",
)
@json_option
@click.pass_context
def check(ctx: click.Context, file: Path, contract_file: Path | None, as_json: bool) -> None:
    """Check every cell of FILE: exit 0 if it meets the contract, 1 on violations, 2 on errors."""
    from {{ cookiecutter.package_name }}.contract.check import check_frame
    from {{ cookiecutter.package_name }}.contract.files import read_table
    from {{ cookiecutter.package_name }}.contract.load import load_contract

    rules = load_contract(contract_file or load_settings().contract_path)
    report = check_frame(rules, read_table(file), str(file))
    lines = [
        f"{file}: {report.rows} rows {'meet' if report.ok else 'break'} the contract"
        + ("" if report.ok else " (rows counted from 0, the first data row)"),
        *(violation.line() for violation in report.violations),
    ]
    emit({**report.__dict__, "ok": report.ok}, lines, as_json)
    if not report.ok:
        ctx.exit(1)
