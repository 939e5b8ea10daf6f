"""CKV_MLOPS_12: the pod and every container run as the image's non-root user 10001."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from workload import WORKLOAD_KINDS, every_container, pod_spec

USER = 10001


class RunAsNonRoot(BaseK8Check):
    """Ensure the pod and every container run as non-root (runAsNonRoot, user 10001)."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure the pod and every container run as non-root (runAsNonRoot, user 10001)",
            id="CKV_MLOPS_12",
            categories=(CheckCategories.KUBERNETES,),
            supported_entities=WORKLOAD_KINDS,
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        """FAILED when the pod or a container may run as root or as another user."""
        pod = pod_spec(conf).get("securityContext") or {}

        def ok(container: dict[str, Any]) -> bool:
            context = container.get("securityContext") or {}
            return context.get("runAsNonRoot") is True and context.get("runAsUser") == USER

        passed = pod.get("runAsNonRoot") is True and every_container(conf, ok)
        return CheckResult.PASSED if passed else CheckResult.FAILED


check = RunAsNonRoot()
