"""CKV_MLOPS_3: a workflow declares its top-level permissions, with no write scope.

Without a top-level ``permissions`` block every job gets the repository's default token (often
read/write everywhere). Write scopes belong on the jobs that need them (CKV_MLOPS_4).
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckResult
from checkov.github_actions.checks.base_github_action_check import BaseGithubActionsCheck
from checkov.yaml_doc.enums import BlockType


def read_only(permissions: Any) -> bool:
    """``{}``, ``read-all`` or a mapping of scopes none of which is ``write``."""
    if isinstance(permissions, str):
        return permissions == "read-all"
    if isinstance(permissions, dict):
        return all(v != "write" for k, v in permissions.items() if not str(k).startswith("__"))
    return False


class TopLevelPermissions(BaseGithubActionsCheck):
    """Ensure a workflow declares read-only top-level permissions."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure a workflow declares top-level permissions without any write scope",
            id="CKV_MLOPS_3",
            block_type=BlockType.DOCUMENT,
            supported_entities=("permissions",),
        )

    def scan_conf(self, conf: dict[str, Any]) -> tuple[CheckResult, dict[str, Any]]:
        """FAILED when top-level permissions are missing, write-all or grant a write scope."""
        if not isinstance(conf, dict):
            return CheckResult.UNKNOWN, conf
        ok = "permissions" in conf and read_only(conf["permissions"])
        return (CheckResult.PASSED if ok else CheckResult.FAILED), conf


check = TopLevelPermissions()
