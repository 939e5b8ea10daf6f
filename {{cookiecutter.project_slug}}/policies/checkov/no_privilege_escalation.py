"""CKV_MLOPS_14: no container is privileged or may escalate its privileges."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from workload import WORKLOAD_KINDS, every_container


class NoPrivilegeEscalation(BaseK8Check):
    """Ensure no container is privileged or allows privilege escalation."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure no container is privileged or allows privilege escalation",
            id="CKV_MLOPS_14",
            categories=(CheckCategories.KUBERNETES,),
            supported_entities=WORKLOAD_KINDS,
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        """FAILED unless every container sets allowPrivilegeEscalation false and is unprivileged."""

        def ok(container: dict[str, Any]) -> bool:
            context = container.get("securityContext") or {}
            return context.get("allowPrivilegeEscalation") is False and not context.get(
                "privileged"
            )

        return CheckResult.PASSED if every_container(conf, ok) else CheckResult.FAILED


check = NoPrivilegeEscalation()
