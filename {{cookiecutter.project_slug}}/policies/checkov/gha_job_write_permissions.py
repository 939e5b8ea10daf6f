"""CKV_MLOPS_4: a job's write scopes are only those its steps need.

Each write scope is allowed only with what uses it: ``id-token`` with azure/login or a reusable
workflow call (OIDC), ``pull-requests`` with github-script or ``gh pr comment``,
``security-events`` with upload-sarif, ``actions`` with ``gh workflow run``. Any other write
scope, and ``write-all``, fails: add a scope here, with what needs it, when a job really does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from checkov.common.models.enums import CheckResult
from checkov.github_actions.checks.base_github_action_check import BaseGithubActionsCheck
from checkov.yaml_doc.enums import BlockType

Job = dict[str, Any]


def _steps(job: Job) -> list[dict[str, Any]]:
    return [s for s in job.get("steps") or [] if isinstance(s, dict)]


def _uses(job: Job, action: str) -> bool:
    return any(str(s.get("uses", "")).startswith(action) for s in _steps(job))


def _runs(job: Job, pattern: str) -> bool:
    return any(re.search(pattern, str(s.get("run", ""))) for s in _steps(job))


NEEDED_BY: dict[str, Callable[[Job], bool]] = {
    "id-token": lambda job: "uses" in job or _uses(job, "azure/login@"),
    "pull-requests": lambda job: (
        _uses(job, "actions/github-script@") or _runs(job, r"\bgh\s+pr\s+comment\b")
    ),
    "security-events": lambda job: _uses(job, "github/codeql-action/upload-sarif@"),
    "actions": lambda job: _runs(job, r"\bgh\s+workflow\s+run\b"),
}


def unneeded_writes(job: Job) -> list[str]:
    """The job's write scopes that nothing in it uses (``write-all`` counts as one)."""
    permissions = job.get("permissions")
    if permissions == "write-all":
        return ["write-all"]
    if not isinstance(permissions, dict):
        return []
    writes = [str(k) for k, v in permissions.items() if v == "write"]
    return [s for s in writes if not (s in NEEDED_BY and NEEDED_BY[s](job))]


class JobWritePermissions(BaseGithubActionsCheck):
    """Ensure a job's write permissions are only those its steps need."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure a job grants only the write permissions its steps need",
            id="CKV_MLOPS_4",
            block_type=BlockType.ARRAY,
            supported_entities=("jobs",),
        )

    def scan_conf(self, conf: dict[str, Any]) -> tuple[CheckResult, dict[str, Any]]:
        """FAILED when the job has a write scope (or write-all) that none of its steps needs."""
        if not isinstance(conf, dict):
            return CheckResult.UNKNOWN, conf
        return (CheckResult.FAILED if unneeded_writes(conf) else CheckResult.PASSED), conf


check = JobWritePermissions()
