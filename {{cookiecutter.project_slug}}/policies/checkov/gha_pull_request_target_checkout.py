"""CKV_MLOPS_2: no ``pull_request_target`` workflow checks out the pull request's head.

``pull_request_target`` runs with the base repository's secrets and a write token; checking out
the PR head (its SHA, ref or ``refs/pull/...``) would run untrusted code with them.
"""

from __future__ import annotations

import re
from typing import Any

from checkov.common.models.enums import CheckResult
from checkov.github_actions.checks.base_github_action_check import BaseGithubActionsCheck
from checkov.yaml_doc.enums import BlockType

HEAD = re.compile(r"pull_request\.head\.(sha|ref)|refs/pull/|github\.head_ref")
CHECKOUT = re.compile(r"\bgit\s+(fetch|checkout|switch)\b|\bgh\s+pr\s+checkout\b")


def _triggers(document: dict[str, Any]) -> list[str]:
    """The workflow's trigger names (``on`` as a string, list or mapping)."""
    on = next((v for k, v in document.items() if k in ("on", True)), None)  # YAML 1.1: on -> True
    if isinstance(on, str):
        return [on]
    return [str(t) for t in on] if isinstance(on, (list, dict)) else []


def _checks_out_head(step: dict[str, Any]) -> bool:
    """The step checks out the PR head: actions/checkout with a head ref, or git/gh commands."""
    if str(step.get("uses", "")).startswith("actions/checkout"):
        return any(HEAD.search(str(v)) for v in (step.get("with") or {}).values())
    run = str(step.get("run", ""))
    return bool(CHECKOUT.search(run) and HEAD.search(run))


class PullRequestTargetCheckout(BaseGithubActionsCheck):
    """Ensure a pull_request_target workflow does not check out the pull request's head."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure a pull_request_target workflow does not check out the pull request head",
            id="CKV_MLOPS_2",
            block_type=BlockType.DOCUMENT,
            supported_entities=("on",),
        )

    def scan_conf(self, conf: dict[str, Any]) -> tuple[CheckResult, dict[str, Any]]:
        """FAILED on the first head checkout in a workflow that pull_request_target triggers."""
        if not isinstance(conf, dict) or "pull_request_target" not in _triggers(conf):
            return CheckResult.PASSED, conf
        for job in (conf.get("jobs") or {}).values():
            for step in job.get("steps") or [] if isinstance(job, dict) else []:
                if isinstance(step, dict) and _checks_out_head(step):
                    return CheckResult.FAILED, step
        return CheckResult.PASSED, conf


check = PullRequestTargetCheckout()
