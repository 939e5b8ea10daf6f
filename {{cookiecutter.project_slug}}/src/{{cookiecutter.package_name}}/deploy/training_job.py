"""The `submit-training` subcommand: the Azure ML training pipeline, started by CD with lineage.

The pipeline job and each of its steps get the CI's lineage (commit, branch, repository, CI run,
actor): the job as tags, each step as `MLOPS_*` environment variables that `lifecycle.lineage`
reads inside Azure ML, where there is no `.git` and the user is the container's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import click
import yaml

from {{ cookiecutter.package_name }}.console import emit
from {{ cookiecutter.package_name }}.deploy import release
from {{ cookiecutter.package_name }}.deploy import rollout as driver
from {{ cookiecutter.package_name }}.deploy.release_commands import az_step, with_workspace
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle import lineage
from {{ cookiecutter.package_name }}.options import json_option

PIPELINE = Path("pipelines/training/pipeline.yml")


def pipeline_steps(spec: Path) -> list[str]:
    """The step names (`jobs`) of a pipeline job spec."""
    try:
        jobs = yaml.safe_load(spec.read_text(encoding="utf-8")).get("jobs")
    except (OSError, yaml.YAMLError, AttributeError) as exc:
        raise LifecycleError(f"{spec}: not a readable pipeline job spec ({exc})") from None
    if not isinstance(jobs, dict) or not jobs:
        raise LifecycleError(f"{spec} has no jobs: restore it from the template")
    return [str(name) for name in jobs]


def submit_command(
    spec: Path,
    name: str,
    reason: str,
    where: Sequence[str],
    tags: Mapping[str, str],
    steps: Sequence[str],
) -> tuple[str, ...]:
    """`az ml job create` of the pipeline with its reason, lineage tags and step variables."""
    args = ["az", "ml", "job", "create", "--file", str(spec), "--name", name, "--stream"]
    args += ["--set", f"inputs.reason={reason}"]
    args += [arg for tag, value in tags.items() for arg in ("--set", f"tags.{tag}={value}")]
    variables = {f"MLOPS_{tag.upper()}": value for tag, value in tags.items()}
    for step in steps:
        for variable, value in variables.items():
            args += ["--set", f"jobs.{step}.environment_variables.{variable}={value}"]
    return (*args, *where)


def submit(spec: Path, name: str, reason: str, where: Sequence[str]) -> dict[str, str]:
    """Run the pipeline to its end; refuse unless it completed; return its lineage tags."""
    tags = lineage.run_tags()
    driver.az_runner(submit_command(spec, name, reason, where, tags, pipeline_steps(spec)))
    show = ("az", "ml", "job", "show", "--name", name, *where, "--query", "status")
    status = driver.az_runner((*show, "--output", "tsv")).strip()
    if status != "Completed":
        raise LifecycleError(f"training pipeline {name} ended {status or 'without a status'}")
    return tags


@click.command("submit-training")
@click.option("--job-name", metavar="NAME", required=True, help="Unique per CI run and attempt.")
@click.option("--reason", required=True, help="Why this run (recorded with the model).")
@click.option(
    "--file",
    "spec",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=PIPELINE,
    show_default=True,
)
@with_workspace
@json_option
def submit_training(
    job_name: str, reason: str, spec: Path, resource_group: str, workspace_name: str, as_json: bool
) -> None:
    """Run the Azure ML training pipeline with the CI's lineage; fail unless it completes."""
    where = release.scope(resource_group, workspace_name)
    tags = az_step(lambda: submit(spec, job_name, reason, where))
    emit({"job": job_name, "tags": tags}, [f"{job_name}: Completed"], as_json)
