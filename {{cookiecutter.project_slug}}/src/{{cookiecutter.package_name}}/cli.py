"""The project's command line: the lifecycle, serving, batch, deployment and drift subcommands.

Each subcommand has `--help`; every one that returns a result has `--json` (`serve` runs until
stopped). Importing this module stays cheap: heavy libraries load inside the command that runs.
"""

from __future__ import annotations

import sys
import traceback
from typing import Any

import click

from {{ cookiecutter.package_name }} import __version__
from {{ cookiecutter.package_name }}.batch.commands import score_batch
from {{ cookiecutter.package_name }}.deploy.commands import rollout
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle.commands import LIFECYCLE_COMMANDS
from {{ cookiecutter.package_name }}.monitoring.commands import drift
from {{ cookiecutter.package_name }}.options import FindingCommand, FindingCommandError
from {{ cookiecutter.package_name }}.serving.commands import serve


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


@click.group(cls=ProjectGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__)
def cli() -> None:
    """Train, register, promote and serve the model; batch-score; check drift; roll out to Azure ML.

    Tracking and registry use the project's SQLite MLflow store unless MLFLOW_TRACKING_URI
    is set (in Azure ML: the workspace's MLflow URI).
    """


for command in (*LIFECYCLE_COMMANDS, serve, score_batch, rollout, drift):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="{{ cookiecutter.project_slug }}")
