"""Where each model version is deployed, recorded in the workspace's model registry.

After a completed rollout the new version gets the tag ``deployed_<environment>`` with the value
``<endpoint>/<deployment>``, and the version the old live deployment served loses it: each
environment's tag is on exactly the version that takes its traffic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from {{ cookiecutter.package_name }}.deploy.plan import Config

Runner = Callable[[Sequence[str]], str]
TAG_PREFIX = "deployed_"
# `az ml online-deployment show --query model`: an ARM id (.../models/<name>/versions/<v>) or
# the short form azureml:<name>:<v>.
MODEL_REFERENCE = re.compile(r"(?:/models/|^azureml:)([^/:]+)(?:/versions/|:)([^/:]+)$")


def tag_name(environment: str) -> str:
    """The registry tag that records a deployment to ``environment``."""
    return f"{TAG_PREFIX}{environment}"


def model_of(reference: str) -> tuple[str, str] | None:
    """(name, version) of a deployment's model reference, or None when it names none."""
    match = MODEL_REFERENCE.search(reference.strip().strip('"'))
    return (match[1], match[2]) if match else None


def record_commands(cfg: Config, previous: tuple[str, str] | None) -> list[tuple[str, ...]]:
    """Tag the rolled-out version; untag the one the old live deployment served."""
    if not cfg.environment:
        return []
    tag = tag_name(cfg.environment)
    update = ("az", "ml", "model", "update", "--name", cfg.model_name)
    value = f"{cfg.endpoint}/{cfg.candidate}"
    commands = [(*update, "--version", cfg.model_version, "--set", f"tags.{tag}={value}")]
    if previous and previous != (cfg.model_name, cfg.model_version):
        untag = ("az", "ml", "model", "update", "--name", previous[0], "--version", previous[1])
        commands.append((*untag, "--remove", f"tags.{tag}"))
    return [(*command, *cfg.scope) for command in commands]


def previous_model(cfg: Config, runner: Runner) -> tuple[str, str] | None:
    """The model the (old) live deployment serves."""
    show: tuple[str, ...] = ("az", "ml", "online-deployment", "show", "--name", cfg.live)
    show += ("--endpoint-name", cfg.endpoint, *cfg.scope, "--query", "model", "--output", "tsv")
    return model_of(runner(show))


def record(cfg: Config, runner: Runner) -> list[str]:
    """Record where the version is deployed; return the commands that failed (none: done)."""
    if not cfg.environment:
        return []
    failed = []
    try:
        previous = previous_model(cfg, runner)
    except Exception as exc:
        previous, failed = None, [f"reading {cfg.live}'s model: {exc}"]
    for command in record_commands(cfg, previous):
        try:
            runner(command)
        except Exception as exc:
            failed.append(str(exc))
    return failed
