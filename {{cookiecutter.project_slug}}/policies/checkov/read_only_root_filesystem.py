"""CKV_MLOPS_13: a read-only root filesystem, /tmp an emptyDir (the only writable path)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
from workload import WORKLOAD_KINDS, every_container, pod_spec


class ReadOnlyRootFilesystem(BaseK8Check):
    """Ensure every container has a read-only root filesystem and /tmp on an emptyDir."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure every container has a read-only root filesystem and /tmp on an emptyDir",
            id="CKV_MLOPS_13",
            categories=(CheckCategories.KUBERNETES,),
            supported_entities=WORKLOAD_KINDS,
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        """FAILED when a root filesystem is writable or /tmp is not an emptyDir mount."""
        volumes = pod_spec(conf).get("volumes") or []
        scratch = {v.get("name") for v in volumes if isinstance(v.get("emptyDir"), dict)}

        def ok(container: dict[str, Any]) -> bool:
            context = container.get("securityContext") or {}
            mounts = {
                m.get("mountPath"): m.get("name") for m in container.get("volumeMounts") or []
            }
            tmp = mounts.get("/tmp")  # noqa: S108  # nosec B108 - the mount path checked, no file
            return context.get("readOnlyRootFilesystem") is True and tmp in scratch

        return CheckResult.PASSED if every_container(conf, ok) else CheckResult.FAILED


check = ReadOnlyRootFilesystem()
