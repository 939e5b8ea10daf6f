"""CKV_MLOPS_10: liveness on /health and readiness on /ready, both on port 8080."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from workload import WORKLOAD_KINDS, every_container

PROBES = {"livenessProbe": "/health", "readinessProbe": "/ready"}
PORT = 8080


def _port(port: Any, container: dict[str, Any]) -> Any:
    """A probe's port as a number (a named port resolves through the container's ports)."""
    if isinstance(port, str):
        for declared in container.get("ports") or []:
            if declared.get("name") == port:
                return declared.get("containerPort")
    return port


def _probe_ok(container: dict[str, Any], probe: str, path: str) -> bool:
    """The container's ``probe`` is an httpGet of ``path`` on port 8080."""
    get = (container.get(probe) or {}).get("httpGet") or {}
    return get.get("path") == path and _port(get.get("port"), container) == PORT


class HealthProbes(BaseK8Check):
    """Ensure every container probes liveness on /health and readiness on /ready at port 8080."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure every container probes /health (liveness) and /ready (readiness) on 8080",
            id="CKV_MLOPS_10",
            categories=(CheckCategories.KUBERNETES,),
            supported_entities=WORKLOAD_KINDS,
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        """FAILED when a container lacks either probe or probes another path or port."""

        def ok(container: dict[str, Any]) -> bool:
            return all(_probe_ok(container, probe, path) for probe, path in PROBES.items())

        return CheckResult.PASSED if every_container(conf, ok) else CheckResult.FAILED


check = HealthProbes()
