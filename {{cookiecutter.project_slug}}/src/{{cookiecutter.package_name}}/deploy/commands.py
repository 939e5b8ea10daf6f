"""The `rollout` subcommand: blue/green rollout to the Azure ML online endpoint with `az ml`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from {{ cookiecutter.package_name }}.console import emit
from {{ cookiecutter.package_name }}.deploy import plan as rollout_plan
from {{ cookiecutter.package_name }}.deploy import rollout as driver
from {{ cookiecutter.package_name }}.deploy.plan import Config
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.events.sink import EventSink
from {{ cookiecutter.package_name }}.options import json_option
from {{ cookiecutter.package_name }}.settings import load_settings

EXIT_CODES = (
    "Exit codes: 0 done, 1 rolled back, 2 refused (nothing changed), 3 rollback incomplete."
)


@click.command(epilog=EXIT_CODES)
@click.option("--endpoint-name", metavar="NAME", required=True, help="Azure ML online endpoint.")
@click.option("--model-version", metavar="N", required=True, help="Registered version to roll out.")
@click.option("--resource-group", metavar="RG", required=True)
@click.option("--workspace-name", metavar="WS", required=True)
@click.option("--model-name", metavar="NAME", default=Config.model_name, show_default=True)
@click.option("--live", metavar="NAME", default=Config.live, show_default=True, help="Serving now.")
@click.option("--candidate", metavar="NAME", default=Config.candidate, show_default=True)
@click.option(
    "--deployment-file", type=click.Path(path_type=Path), help="Default: <candidate>.yml."
)
@click.option(
    "--request-file",
    type=click.Path(path_type=Path),
    default=Config.request_file,
    show_default=True,
)
@click.option(
    "--mirror-percent", type=click.IntRange(1, 50), default=Config.mirror_percent, show_default=True
)
@click.option(
    "--canary-percent", type=click.IntRange(1, 99), default=Config.canary_percent, show_default=True
)
@click.option("--probes", type=click.IntRange(1, 1000), default=Config.probes, show_default=True)
@click.option(
    "--max-error-rate",
    type=click.FloatRange(0, 0.99),
    default=Config.max_error_rate,
    show_default=True,
    help="Largest share of failed probes per check.",
)
@click.option("--dry-run", is_flag=True, help="Print the commands, run nothing.")
@json_option
@click.pass_context
def rollout(
    ctx: click.Context,
    endpoint_name: str,
    model_version: str,
    resource_group: str,
    workspace_name: str,
    model_name: str,
    live: str,
    candidate: str,
    deployment_file: Path | None,
    request_file: Path,
    mirror_percent: int,
    canary_percent: int,
    probes: int,
    max_error_rate: float,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Roll a registered model version out to the endpoint's candidate deployment.

    Deploy at 0 % traffic, smoke-test, mirror live traffic, canary, then all traffic; a failed
    gate or command puts all traffic back on the live deployment.
    """
    if live == candidate:
        raise click.BadParameter("--live and --candidate must differ", param_hint="'--candidate'")
    cfg = Config(
        endpoint=endpoint_name,
        model_version=model_version,
        resource_group=resource_group,
        workspace=workspace_name,
        model_name=model_name,
        live=live,
        candidate=candidate,
        deployment_file=deployment_file,
        request_file=request_file,
        mirror_percent=mirror_percent,
        canary_percent=canary_percent,
        probes=probes,
        max_error_rate=max_error_rate,
    )
    if dry_run:
        emit(*rollout_plan.dry_run(cfg), as_json)
        return
    try:
        settings = load_settings()
        events = EventSink(settings.monitoring.events)
        cfg = replace(cfg, classes=settings.contract.target.classes)
    except LifecycleError as exc:  # a misconfigured sink or contract: refused before any az
        _log(f"rollout: refused, nothing changed: {exc}")
        code = driver.EXIT_REFUSED
    else:
        code = driver.run_rollout(cfg, driver.az_runner, _log, events)
    if as_json:
        outcome = {"outcome": driver.OUTCOMES[code], "exit_code": code}
        emit({**outcome, "endpoint": cfg.endpoint, "model_version": cfg.model_version}, [], True)
    ctx.exit(code)


def _log(line: str) -> None:
    click.echo(line, err=True)
