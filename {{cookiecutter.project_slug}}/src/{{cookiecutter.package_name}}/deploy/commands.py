"""The `rollout` subcommand: blue/green rollout to the Azure ML online endpoint with `az ml`."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import click

from {{ cookiecutter.package_name }}.console import emit
from {{ cookiecutter.package_name }}.deploy import plan as rollout_plan
from {{ cookiecutter.package_name }}.deploy import rollout as driver
from {{ cookiecutter.package_name }}.deploy.ci import annotation
from {{ cookiecutter.package_name }}.deploy.plan import Config
from {{ cookiecutter.package_name }}.deploy.slots import (
    DEPLOYMENTS,
    other,
    slots_from_json,
)
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.events.sink import EventSink
from {{ cookiecutter.package_name }}.options import json_option
from {{ cookiecutter.package_name }}.settings import load_settings

EXIT_CODES = (
    "Without --live and --candidate, the deployment with the most traffic stays live (a tie: "
    "blue) and the other one gets the model. "
    "Exit codes: 0 done, 1 rolled back, 2 refused (nothing changed), 3 rollback incomplete."
)
OUTCOME_MESSAGES = {
    driver.EXIT_ROLLED_BACK: "rollout failed a gate and was rolled back: {cfg.live} serves again",
    driver.EXIT_REFUSED: "rollout refused, nothing changed: see the message above",
    driver.EXIT_ROLLBACK_INCOMPLETE: "rollback incomplete: fix {cfg.endpoint}'s traffic by hand",
}


@click.command(epilog=EXIT_CODES)
@click.option("--endpoint-name", metavar="NAME", required=True, help="Azure ML online endpoint.")
@click.option("--model-version", metavar="N", required=True, help="Registered version to roll out.")
@click.option("--resource-group", metavar="RG", required=True)
@click.option("--workspace-name", metavar="WS", required=True)
@click.option("--model-name", metavar="NAME", default=Config.model_name, show_default=True)
@click.option(
    "--image-environment",
    metavar="azureml:NAME:VERSION",
    required=True,
    callback=lambda _ctx, _param, value: checked_environment(value),
    help="The environment register-environment printed: the scanned image the candidate runs.",
)
@click.option(
    "--live",
    metavar="NAME",
    help="Serving now (default: the one with the most traffic, see slots).",
)
@click.option("--candidate", metavar="NAME", help="Gets the model (default: the other one).")
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
@click.option(
    "--environment",
    type=click.Choice(["dev", "staging", "prod"]),
    help="Tag the version deployed_<environment>=<endpoint>/<deployment> once it serves.",
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
    image_environment: str,
    live: str | None,
    candidate: str | None,
    deployment_file: Path | None,
    request_file: Path,
    mirror_percent: int,
    canary_percent: int,
    probes: int,
    max_error_rate: float,
    environment: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Roll a registered model version out to the endpoint's candidate deployment.

    Deploy at 0 % traffic, smoke-test, mirror live traffic, canary, then all traffic; a failed
    gate or command puts all traffic back on the live deployment.
    """
    chosen = _given_slots(live, candidate)
    cfg = Config(
        endpoint=endpoint_name,
        model_version=model_version,
        resource_group=resource_group,
        workspace=workspace_name,
        model_name=model_name,
        image_environment=image_environment,
        live=chosen[0] if chosen else Config.live,
        candidate=chosen[1] if chosen else Config.candidate,
        deployment_file=deployment_file,
        request_file=request_file,
        mirror_percent=mirror_percent,
        canary_percent=canary_percent,
        probes=probes,
        max_error_rate=max_error_rate,
        environment=environment,
    )
    if dry_run:
        emit(*rollout_plan.dry_run(cfg), as_json)
        return
    try:
        settings = load_settings()
        events = EventSink(settings.monitoring.events)
        cfg = replace(cfg, classes=settings.contract.target.classes)
        if chosen is None:
            cfg = _with_chosen_slots(cfg)
    except (LifecycleError, driver.AzError) as exc:  # refused before any change
        _log(f"rollout: refused, nothing changed: {exc}")
        code = driver.EXIT_REFUSED
    else:
        code = driver.run_rollout(cfg, driver.az_runner, _log, events)
    if code != driver.EXIT_OK:
        _log(annotation(OUTCOME_MESSAGES[code].format(cfg=cfg)))
    if as_json:
        outcome = {"outcome": driver.OUTCOMES[code], "exit_code": code}
        emit({**outcome, "endpoint": cfg.endpoint, "model_version": cfg.model_version}, [], True)
    ctx.exit(code)


def checked_environment(value: str) -> str:
    """A registered environment reference ``azureml:<name>:<version>``, else a usage error."""
    if not re.fullmatch(r"azureml:[A-Za-z0-9][A-Za-z0-9._-]*:[A-Za-z0-9._-]+", value):
        raise click.BadParameter(
            f"{value!r} is not azureml:<name>:<version>: pass what register-environment printed",
            param_hint="'--image-environment'",
        )
    return value


def _given_slots(live: str | None, candidate: str | None) -> tuple[str, str] | None:
    """The slots the options name (one names both), or None: chosen from the traffic."""
    try:
        if live is None and candidate is None:
            return None
        if live is None:
            return other(str(candidate)), str(candidate)
        if candidate is None:
            return live, other(live)
    except LifecycleError as exc:
        raise click.BadParameter(str(exc), param_hint="'--live'/'--candidate'") from None
    if live == candidate or {live, candidate} != set(DEPLOYMENTS):
        raise click.BadParameter(
            "--live and --candidate must be blue and green, one each", param_hint="'--candidate'"
        )
    return live, candidate


def _with_chosen_slots(cfg: Config) -> Config:
    """``cfg`` with live and candidate chosen from the endpoint's traffic (slots.choose_slots)."""
    live, candidate = slots_from_json(driver.az_runner(rollout_plan.preflight_commands(cfg)[0]))
    _log(f"rollout: {live} serves the most traffic: it stays live, {candidate} gets the model")
    return replace(cfg, live=live, candidate=candidate)


def _log(line: str) -> None:
    click.echo(line, err=True)
