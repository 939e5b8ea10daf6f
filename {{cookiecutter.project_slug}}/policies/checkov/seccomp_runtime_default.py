"""CKV_MLOPS_16: the RuntimeDefault seccomp profile on every container (own or the pod's)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from workload import WORKLOAD_KINDS, every_container, pod_spec


class SeccompRuntimeDefault(BaseK8Check):
    """Ensure every container runs with the RuntimeDefault seccomp profile."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure every container runs with the RuntimeDefault seccomp profile",
            id="CKV_MLOPS_16",
            categories=(CheckCategories.KUBERNETES,),
            supported_entities=WORKLOAD_KINDS,
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        """FAILED when a container's effective seccomp profile is not RuntimeDefault."""
        pod = (pod_spec(conf).get("securityContext") or {}).get("seccompProfile")

        def ok(container: dict[str, Any]) -> bool:
            own = (container.get("securityContext") or {}).get("seccompProfile")
            return (own or pod or {}).get("type") == "RuntimeDefault"

        return CheckResult.PASSED if every_container(conf, ok) else CheckResult.FAILED


check = SeccompRuntimeDefault()
