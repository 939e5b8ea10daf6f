"""When a CI job deploys to prod, read from its YAML (imported by the pipeline check files).

checkov puts this folder on ``sys.path`` while it loads the checks, so they import it by name.
A job deploys when a command, action input or template parameter runs ``pulumi up`` or the
project's ``rollout`` or ``register-model`` (policy_facts.DEPLOY_COMMAND), and it targets prod
when a stack, stack-name or environment input is ``prod``, a command selects the prod stack, or
it uses the prod service connection. Display names are prose and never count.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from policy_facts import PROD, deploys_command, targets_prod_command

TARGET_KEYS = ("stack", "stack-name", "environment")
PROSE_KEYS = ("displayName", "name", "description")


def pairs(node: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """Every (key, string value) in a YAML tree, prose and checkov's line marks left out."""
    if isinstance(node, dict):
        for child_key, child in node.items():
            name = str(child_key)
            if name not in PROSE_KEYS and not name.startswith("__"):
                yield from pairs(child, name)
    elif isinstance(node, list):
        for child in node:
            yield from pairs(child, key)
    elif isinstance(node, str):
        yield key, node


def deploys(node: Any) -> bool:
    """Something in ``node`` runs ``pulumi up``, a rollout or an online deployment change."""
    return any(
        (key == "command" and value.split()[:1] == ["up"]) or deploys_command(value)
        for key, value in pairs(node)
    )


def targets_prod(node: Any) -> bool:
    """Something in ``node`` names the prod stack, environment or service connection."""
    return any(
        (key in TARGET_KEYS and value.strip() == PROD) or targets_prod_command(value)
        for key, value in pairs(node)
    )


def environment_name(job: dict[str, Any]) -> str | None:
    """A job's environment: ``environment: prod``, ``{name: prod}`` or ``prod.resource``."""
    environment = job.get("environment")
    if isinstance(environment, dict):
        environment = environment.get("name")
    if not isinstance(environment, str):
        return None
    return environment.split(".")[0].strip()
