"""The project's command line: the lifecycle, serving, batch, deployment and drift subcommands.

Each subcommand has `--help`; every one that returns a result has `--json` (`serve` runs until
stopped). Importing this module stays cheap: heavy libraries load inside the command that runs.
"""

from __future__ import annotations

import click

from {{ cookiecutter.package_name }} import __version__
from {{ cookiecutter.package_name }}.batch.commands import score_batch
from {{ cookiecutter.package_name }}.contract.commands import contract
from {{ cookiecutter.package_name }}.deploy.commands import rollout
from {{ cookiecutter.package_name }}.deploy.image_commands import IMAGE_COMMANDS
from {{ cookiecutter.package_name }}.deploy.release_commands import RELEASE_COMMANDS
from {{ cookiecutter.package_name }}.deploy.specs import azureml_specs
from {{ cookiecutter.package_name }}.deploy.training_job import submit_training
from {{ cookiecutter.package_name }}.lifecycle.commands import LIFECYCLE_COMMANDS
from {{ cookiecutter.package_name }}.monitoring.commands import drift
from {{ cookiecutter.package_name }}.options import ProjectGroup
from {{ cookiecutter.package_name }}.serving.commands import serve
from {{ cookiecutter.package_name }}.serving.image_entry import serve_image


@click.group(cls=ProjectGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__)
def cli() -> None:
    """Train, register, promote and serve the model; batch-score; check drift; roll out to Azure ML.

    Tracking and registry use the project's SQLite MLflow store unless MLFLOW_TRACKING_URI
    is set (in Azure ML: the workspace's MLflow URI).
    """


COMMANDS = (
    *LIFECYCLE_COMMANDS,
    contract,
    serve,
    serve_image,
    score_batch,
    rollout,
    *RELEASE_COMMANDS,
    *IMAGE_COMMANDS,
)
for command in (*COMMANDS, submit_training, azureml_specs, drift):
    cli.add_command(command)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="{{ cookiecutter.project_slug }}")
