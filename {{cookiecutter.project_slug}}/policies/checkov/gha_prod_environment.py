"""CKV_MLOPS_1: a GitHub Actions job that deploys to prod runs in the gated prod environment.

A job with steps runs in ``environment: prod`` (its required reviewers gate it). A job calling a
reusable workflow cannot name an environment itself: it passes ``environment: prod`` as an input,
which the called workflow uses as its job's environment.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckResult
from checkov.github_actions.checks.base_github_action_check import BaseGithubActionsCheck
from checkov.yaml_doc.enums import BlockType
from deploys import PROD, deploys, environment_name, targets_prod


class GhaProdEnvironment(BaseGithubActionsCheck):
    """Ensure a job that deploys to prod runs in the gated prod environment."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure a job that deploys to prod runs in the gated prod environment",
            id="CKV_MLOPS_1",
            block_type=BlockType.ARRAY,
            supported_entities=("jobs",),
        )

    def scan_conf(self, conf: dict[str, Any]) -> tuple[CheckResult, dict[str, Any]]:
        """FAILED when a prod deployment job (or reusable call) is not in environment prod."""
        if not isinstance(conf, dict):
            return CheckResult.UNKNOWN, conf
        if "uses" in conf:
            inputs = conf.get("with") or {}
            prod = targets_prod(inputs) and (deploys(inputs) or "environment" in inputs)
            gated = str(inputs.get("environment", "")).strip() == PROD
        else:
            prod = deploys(conf.get("steps")) and targets_prod(conf.get("steps"))
            gated = environment_name(conf) == PROD
        return (CheckResult.FAILED if prod and not gated else CheckResult.PASSED), conf


check = GhaProdEnvironment()
