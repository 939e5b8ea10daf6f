"""CKV_MLOPS_11: no service account token mounted into the pod."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from workload import WORKLOAD_KINDS, pod_spec


class NoServiceAccountToken(BaseK8Check):
    """Ensure the pod does not mount a service account token."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure the pod does not mount a service account token",
            id="CKV_MLOPS_11",
            categories=(CheckCategories.KUBERNETES,),
            supported_entities=WORKLOAD_KINDS,
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        """FAILED unless the pod spec sets automountServiceAccountToken to false."""
        mounted = pod_spec(conf).get("automountServiceAccountToken") is not False
        return CheckResult.FAILED if mounted else CheckResult.PASSED


check = NoServiceAccountToken()
