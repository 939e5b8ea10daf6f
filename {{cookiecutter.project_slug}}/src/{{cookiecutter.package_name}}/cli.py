"""The project's command line: the lifecycle, serving, batch and deployment subcommands.

Each subcommand has `--help`; every one that returns a result has `--json` (`serve` runs until
stopped). Importing this module stays cheap: heavy libraries load inside the command that runs.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from {{ cookiecutter.package_name }} import __version__
from {{ cookiecutter.package_name }}.batch.commands import score_batch
from {{ cookiecutter.package_name }}.deploy.commands import rollout
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle.commands import LIFECYCLE_COMMANDS
from {{ cookiecutter.package_name }}.serving.commands import serve


class ProjectGroup(click.Group):
    """A group that turns known failures into one clear line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; report user-fixable errors without a traceback."""
        try:
            return super().invoke(ctx)
        except LifecycleError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            mlflow_errors = sys.modules.get("mlflow.exceptions")  # only loaded if MLflow ran
            if mlflow_errors and isinstance(exc, mlflow_errors.MlflowException):
                first_line = str(exc.message).strip().splitlines()[0]
                raise click.ClickException(f"MLflow: {first_line}") from None
            raise


@click.group(cls=ProjectGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__)
def cli() -> None:
    """Train, register, promote, serve and batch-score the model; roll it out to Azure ML.

    Tracking and registry use the project's SQLite MLflow store unless MLFLOW_TRACKING_URI
    is set (in Azure ML: the workspace's MLflow URI).
    """


for command in (*LIFECYCLE_COMMANDS, serve, score_batch, rollout):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="{{ cookiecutter.project_slug }}")
