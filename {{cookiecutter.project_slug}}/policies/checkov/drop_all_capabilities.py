"""CKV_MLOPS_15: every container drops ALL capabilities and adds none back."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from workload import WORKLOAD_KINDS, every_container


class DropAllCapabilities(BaseK8Check):
    """Ensure every container drops ALL capabilities and adds none."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure every container drops ALL capabilities and adds none",
            id="CKV_MLOPS_15",
            categories=(CheckCategories.KUBERNETES,),
            supported_entities=WORKLOAD_KINDS,
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        """FAILED when a container keeps or adds a capability."""

        def ok(container: dict[str, Any]) -> bool:
            capabilities = (container.get("securityContext") or {}).get("capabilities") or {}
            return capabilities.get("drop") == ["ALL"] and not capabilities.get("add")

        return CheckResult.PASSED if every_container(conf, ok) else CheckResult.FAILED


check = DropAllCapabilities()
