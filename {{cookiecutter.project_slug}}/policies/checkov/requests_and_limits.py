"""CKV_MLOPS_17: CPU and memory requests and limits on every container."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from workload import WORKLOAD_KINDS, every_container


class RequestsAndLimits(BaseK8Check):
    """Ensure every container sets CPU and memory requests and limits."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure every container sets CPU and memory requests and limits",
            id="CKV_MLOPS_17",
            categories=(CheckCategories.KUBERNETES,),
            supported_entities=WORKLOAD_KINDS,
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        """FAILED when a container misses any of requests/limits x cpu/memory."""

        def ok(container: dict[str, Any]) -> bool:
            resources = container.get("resources") or {}
            return all(
                (resources.get(section) or {}).get(kind)
                for section in ("requests", "limits")
                for kind in ("cpu", "memory")
            )

        return CheckResult.PASSED if every_container(conf, ok) else CheckResult.FAILED


check = RequestsAndLimits()
