"""The rollout plan: which `az ml` commands run in which order, as pure data (no side effects)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

SMOKE, PROBE = "smoke", "probe"


@dataclass(frozen=True)
class Config:
    """What to roll out where, and the gates it has to pass."""

    endpoint: str
    model_version: str
    resource_group: str
    workspace: str
    # The packaged model folder's registered name, see pipelines/README.md.
    model_name: str = "{{ cookiecutter.project_slug }}-serving"
    # The environment registered from the scanned scoring image (register-environment); None
    # keeps the deployment file's.
    image_environment: str | None = None
    live: str = "blue"
    candidate: str = "green"
    deployment_file: Path | None = None  # default: pipelines/online/<candidate>.yml
    request_file: Path = Path("pipelines/online/sample-request.json")
    mirror_percent: int = 10
    canary_percent: int = 10
    probes: int = 20
    max_error_rate: float = 0.05
    # The contract's class labels for a classifier (its predictions must be among them); for
    # regression none, and predictions must be finite numbers.
    classes: tuple[str | int, ...] = ()
    # dev, staging or prod: a completed rollout records itself in the registry under this name
    # (registry_record); none, no record.
    environment: str | None = None

    @property
    def scope(self) -> tuple[str, ...]:
        """The resource group and workspace arguments every command takes."""
        return ("--resource-group", self.resource_group, "--workspace-name", self.workspace)


@dataclass(frozen=True)
class Step:
    """One stage: its progress label, its az arguments and the gate applied to its output."""

    stage: str
    args: tuple[str, ...]
    gate: str = ""


def endpoint_update(cfg: Config, *flags: str) -> tuple[str, ...]:
    """`az ml online-endpoint update` of the endpoint's traffic or mirror traffic."""
    return ("az", "ml", "online-endpoint", "update", "--name", cfg.endpoint, *flags, *cfg.scope)


def stop_mirroring(cfg: Config) -> tuple[str, ...]:
    """Mirror nothing to the candidate (a deployment takes mirrored or live traffic, not both)."""
    return endpoint_update(cfg, "--mirror-traffic", f"{cfg.candidate}=0")


def preflight_commands(cfg: Config) -> list[tuple[str, ...]]:
    """Read-only commands: the endpoint's live traffic and its deployments."""
    show = ("az", "ml", "online-endpoint", "show", "--name", cfg.endpoint)
    listing = ("az", "ml", "online-deployment", "list", "--endpoint-name", cfg.endpoint)
    query = ("--output", "json", "--query")
    return [(*show, *cfg.scope, *query, "traffic"), (*listing, *cfg.scope, *query, "[].name")]


def plan(cfg: Config, candidate_exists: bool) -> list[Step]:
    """The rollout as a pure sequence of steps (preflight and rollback excluded)."""
    live, new, canary = cfg.live, cfg.candidate, cfg.canary_percent
    file = cfg.deployment_file or Path("pipelines/online") / f"{new}.yml"
    deploy: tuple[str, ...] = ("az", "ml", "online-deployment")
    deploy += ("update" if candidate_exists else "create",)
    deploy += ("--name", new, "--endpoint-name", cfg.endpoint, "--file", str(file))
    deploy += ("--set", f"model=azureml:{cfg.model_name}:{cfg.model_version}")
    if cfg.image_environment:
        deploy += ("--set", f"environment={cfg.image_environment}")
    deploy += cfg.scope
    invoke: tuple[str, ...] = ("az", "ml", "online-endpoint", "invoke", "--name", cfg.endpoint)
    invoke += ("--deployment-name", new, "--request-file", str(cfg.request_file), *cfg.scope)
    invoke += ("--output", "json")
    mirror_on = endpoint_update(cfg, "--mirror-traffic", f"{new}={cfg.mirror_percent}")
    split = f"{live}={100 - canary} {new}={canary}"
    return [
        Step(f"deploy model version {cfg.model_version} to {new} at 0 % traffic", deploy),
        Step(f"smoke-test {new} directly", invoke, SMOKE),
        Step(f"mirror {cfg.mirror_percent} % of live traffic to {new}", mirror_on),
        Step(f"probe {new} while it is mirrored", invoke, PROBE),
        Step(f"stop mirroring before {new} takes live traffic", stop_mirroring(cfg)),
        Step(f"canary {split}", endpoint_update(cfg, "--traffic", split)),
        Step(f"probe {new} under live traffic", invoke, PROBE),
        Step(
            f"promote {live}=0 {new}=100", endpoint_update(cfg, "--traffic", f"{live}=0 {new}=100")
        ),
    ]


def rollback_plan(cfg: Config) -> list[Step]:
    """All live traffic back to the live deployment, and no mirroring."""
    split = f"{cfg.live}=100 {cfg.candidate}=0"
    return [
        Step(f"rollback: {split}", endpoint_update(cfg, "--traffic", split)),
        Step("rollback: stop mirroring", stop_mirroring(cfg)),
    ]


def dry_run(cfg: Config) -> tuple[dict[str, object], list[str]]:
    """Every command of a rollout, in order, as data and as annotated shell lines."""
    first_run = plan(cfg, candidate_exists=False)
    document = {
        "preflight": [list(args) for args in preflight_commands(cfg)],
        "steps": [{"stage": s.stage, "command": list(s.args), "gate": s.gate} for s in first_run],
        "rollback": [{"stage": s.stage, "command": list(s.args)} for s in rollback_plan(cfg)],
    }
    lines = ["# preflight (read-only)", *(shlex.join(args) for args in preflight_commands(cfg))]
    for step in first_run:
        times = f" (x{cfg.probes})" if step.gate == PROBE else ""
        lines += [f"# {step.stage}{times}", shlex.join(step.args)]
    lines.append(f"# `create` becomes `update` when {cfg.candidate} exists; on any failure:")
    for step in rollback_plan(cfg):
        lines += [f"# {step.stage}", shlex.join(step.args)]
    return document, lines
