"""The `register-model`, `smoke-test` and `point-monitor` subcommands (CD's steps, via `az ml`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from {{ cookiecutter.package_name }}.console import emit
from {{ cookiecutter.package_name }}.deploy import release
from {{ cookiecutter.package_name }}.deploy import rollout as driver
from {{ cookiecutter.package_name }}.deploy.plan import Config
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.options import json_option
from {{ cookiecutter.package_name }}.settings import load_settings

_T = TypeVar("_T")
workspace_options = (
    click.option("--resource-group", metavar="RG", required=True),
    click.option("--workspace-name", metavar="WS", required=True),
)
endpoint_option = click.option(
    "--endpoint-name", metavar="NAME", required=True, help="Azure ML online endpoint."
)


def with_workspace(command: Callable[..., None]) -> Callable[..., None]:
    """Add --resource-group and --workspace-name to a command."""
    for option in reversed(workspace_options):
        command = option(command)
    return command


def az_step(step: Callable[[], _T]) -> _T:
    """Run a step; a failed az command becomes one clear line."""
    try:
        return step()
    except driver.AzError as exc:
        raise LifecycleError(str(exc)) from None


@click.command("register-model")
@click.option(
    "--model-dir",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=Path("build/model"),
    show_default=True,
    help="The folder `package` wrote.",
)
@click.option("--model-name", metavar="NAME", default=Config.model_name, show_default=True)
@with_workspace
@json_option
def register_model(
    model_dir: Path, model_name: str, resource_group: str, workspace_name: str, as_json: bool
) -> None:
    """Register the packaged model in the workspace once per version; print the version."""
    where = release.scope(resource_group, workspace_name)
    version, created = az_step(
        lambda: release.register_model(model_dir, model_name, where, driver.az_runner)
    )
    result = {"model": model_name, "version": version, "registered": created}
    emit(result, [version], as_json)


@click.command("smoke-test")
@endpoint_option
@click.option(
    "--request-file",
    type=click.Path(path_type=Path),
    default=Config.request_file,
    show_default=True,
)
@with_workspace
@json_option
def smoke_test(
    endpoint_name: str, request_file: Path, resource_group: str, workspace_name: str, as_json: bool
) -> None:
    """Score the sample request through the endpoint; fail unless every prediction is valid."""
    classes = load_settings().contract.target.classes
    where = release.scope(resource_group, workspace_name)
    rows = az_step(
        lambda: release.smoke_test(endpoint_name, request_file, where, driver.az_runner, classes)
    )
    emit(
        {"endpoint": endpoint_name, "rows": rows}, [f"{endpoint_name}: {rows} rows scored"], as_json
    )


@click.command("point-monitor")
@endpoint_option
@click.option(
    "--monitor-file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=Path("pipelines/monitoring/monitor.yml"),
    show_default=True,
)
@with_workspace
@json_option
def point_monitor(
    endpoint_name: str, monitor_file: Path, resource_group: str, workspace_name: str, as_json: bool
) -> None:
    """Point the drift monitor at the deployment serving the endpoint's traffic now."""
    where = release.scope(resource_group, workspace_name)
    live = az_step(
        lambda: release.point_monitor(endpoint_name, monitor_file, where, driver.az_runner)
    )
    emit(
        {"endpoint": endpoint_name, "deployment": live},
        [f"monitoring {endpoint_name}:{live}"],
        as_json,
    )


RELEASE_COMMANDS = (register_model, smoke_test, point_monitor)
