"""What the Kubernetes checks read from a workload manifest (imported by the check files).

checkov puts this folder on ``sys.path`` while it loads the checks, so they import it by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Pod")


def pod_spec(conf: dict[str, Any]) -> dict[str, Any]:
    """The pod spec of a workload: the Pod's own spec or the template's (a CronJob's job's)."""
    spec = conf.get("spec") or {}
    if conf.get("kind") == "Pod":
        return dict(spec)
    template = spec.get("template") or {}
    return dict(template.get("spec") or {})


def containers(conf: dict[str, Any]) -> list[dict[str, Any]]:
    """Every init and app container of the workload."""
    pod = pod_spec(conf)
    return [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]


def every_container(conf: dict[str, Any], ok: Callable[[dict[str, Any]], bool]) -> bool:
    """True when the workload has containers and ``ok`` holds for each of them."""
    found = containers(conf)
    return bool(found) and all(ok(container) for container in found)


def environment(conf: dict[str, Any]) -> str | None:
    """The ``environment`` label of the pod template (or of the workload itself)."""
    template = (conf.get("spec") or {}).get("template") or {}
    for meta in (template.get("metadata") or {}, conf.get("metadata") or {}):
        value = (meta.get("labels") or {}).get("environment")
        if value:
            return str(value)
    return None
