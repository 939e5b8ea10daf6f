"""CKV_MLOPS_18: images by digest, pulled every time, outside dev.

Only dev deploys the CI tag: a workload labelled environment: dev may run a tag; any other
workload (policy_facts.DIGEST_REQUIRED_IN, or no known label) pins image@sha256:.... Every
environment pulls with imagePullPolicy: Always (a digest or a moving tag is fetched, never a stale
copy).
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from policy_facts import digest_required
from workload import WORKLOAD_KINDS, environment, every_container


class ImageByDigest(BaseK8Check):
    """Ensure every image is pinned by digest outside dev and pulled Always."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure every image is pinned by digest outside dev and pulled Always",
            id="CKV_MLOPS_18",
            categories=(CheckCategories.KUBERNETES,),
            supported_entities=WORKLOAD_KINDS,
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        """FAILED on a tagged image outside dev, or a pull policy other than Always."""
        required = digest_required(environment(conf))

        def ok(container: dict[str, Any]) -> bool:
            image = str(container.get("image") or "")
            pinned = "@sha256:" in image or not required
            return container.get("imagePullPolicy") == "Always" and pinned

        return CheckResult.PASSED if every_container(conf, ok) else CheckResult.FAILED


check = ImageByDigest()
