"""The release steps around the rollout that every CI provider runs the same way, with `az ml`.

Register the packaged model once per version, smoke-test the endpoint after a rollout and point
the drift monitor at the live deployment. Each takes an az runner (``rollout.az_runner``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from {{ cookiecutter.package_name }}.deploy.rollout import (
    AzError,
    GateError,
    Runner,
    check_predictions,
    request_rows,
)
from {{ cookiecutter.package_name }}.deploy.slots import slots_from_json
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle import lineage

MONITOR_TARGET = "create_monitor.monitoring_target.endpoint_deployment_id"


def scope(resource_group: str, workspace: str) -> tuple[str, ...]:
    """The resource group and workspace arguments every az ml command takes."""
    return ("--resource-group", resource_group, "--workspace-name", workspace)


def model_version(model_dir: Path) -> str:
    """The version a packaged model folder was built from (its model_card.json)."""
    card = model_dir / "model_card.json"
    try:
        version = json.loads(card.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError, AttributeError) as exc:
        raise LifecycleError(f"{card}: unreadable ({exc}): run `package` first") from None
    if version in (None, ""):
        raise LifecycleError(f"{card} has no version: package a registered model")
    return str(version)


def register_model(
    model_dir: Path, name: str, where: Sequence[str], runner: Runner
) -> tuple[str, bool]:
    """Register the folder as ``name:<version>`` (lineage tags: who released it, from what) unless
    it is; return (version, created)."""
    version = model_version(model_dir)
    try:
        runner(("az", "ml", "model", "show", "--name", name, "--version", version, *where))
    except AzError:
        create = ("az", "ml", "model", "create", "--name", name, "--version", version)
        tags = [arg for k, v in lineage.run_tags().items() for arg in ("--set", f"tags.{k}={v}")]
        runner((*create, "--path", str(model_dir), "--type", "custom_model", *tags, *where))
        return version, True
    return version, False


def live_deployment(endpoint: str, where: Sequence[str], runner: Runner) -> str:
    """The deployment that serves the endpoint's traffic now (``slots.choose_slots``)."""
    show = ("az", "ml", "online-endpoint", "show", "--name", endpoint, *where)
    return slots_from_json(runner((*show, "--output", "json", "--query", "traffic")))[0]


def point_monitor(endpoint: str, monitor_file: Path, where: Sequence[str], runner: Runner) -> str:
    """Create (or replace) the drift monitor on the live deployment; return its name."""
    live = live_deployment(endpoint, where, runner)
    target = f"{MONITOR_TARGET}=azureml:{endpoint}:{live}"
    runner(("az", "ml", "schedule", "create", "--file", str(monitor_file), "--set", target, *where))
    return live


def smoke_test(
    endpoint: str,
    request_file: Path,
    where: Sequence[str],
    runner: Runner,
    classes: Sequence[str | int] = (),
) -> int:
    """Score the sample request through the endpoint; insist on valid predictions; return rows."""
    rows = request_rows(request_file)
    invoke = ("az", "ml", "online-endpoint", "invoke", "--name", endpoint)
    output = runner((*invoke, "--request-file", str(request_file), *where, "--output", "json"))
    try:
        check_predictions(output, rows, classes)
    except GateError as exc:
        raise LifecycleError(f"smoke test of {endpoint} failed: {exc}") from None
    return rows
