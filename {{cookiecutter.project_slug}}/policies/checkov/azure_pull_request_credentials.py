"""CKV_MLOPS_7: an Azure Pipeline that pull requests run holds no deploy connection or job token.

A pull-request run executes the pull request's own code (its infra/ program, its scripts), so it
may sign in only with read-only connections: never with a deploy service connection (the
``devServiceConnection``, ``stagingServiceConnection`` and ``prodServiceConnection`` parameters,
or a literal connection named ``*-dev``, ``*-staging`` or ``*-prod``) and never with the job's
``System.AccessToken``. A pipeline runs on pull requests unless it says ``pr: none``. Templates
(a ``parameters`` block without triggers or a pool) are checked where pipelines use them.
"""

from __future__ import annotations

from typing import Any

from checkov.azure_pipelines.checks.base_azure_pipelines_check import BaseAzurePipelinesCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.yaml_doc.enums import BlockType
from deploys import pairs
from policy_facts import DEPLOY_CONNECTION_NAME, DEPLOY_CONNECTION_PARAMETER, JOB_TOKEN

CONNECTION_KEYS = {"azuresubscription", "serviceconnection", "connectedservicenamearm"}
PIPELINE_KEYS = ("trigger", "pr", "schedules", "resources", "pool")


def runs_on_pull_requests(document: dict[str, Any]) -> bool:
    """A pipeline (not a template) without ``pr: none``."""
    template = "parameters" in document and not any(k in document for k in PIPELINE_KEYS)
    return not template and str(document.get("pr", "")).strip() != "none"


def holds_a_deploy_credential(key: str, value: str) -> bool:
    """A deploy connection (by parameter or literal name) or the job token."""
    literal = key.lower() in CONNECTION_KEYS and "$" not in value
    return bool(
        JOB_TOKEN in value
        or DEPLOY_CONNECTION_PARAMETER.search(value)
        or (literal and DEPLOY_CONNECTION_NAME.search(value.strip()))
    )


class AzurePullRequestCredentials(BaseAzurePipelinesCheck):
    """Ensure a pipeline that pull requests run uses no deploy connection and no job token."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure a pipeline pull requests run uses no deploy connection or job token",
            id="CKV_MLOPS_7",
            categories=(CheckCategories.SUPPLY_CHAIN,),
            supported_entities=("pr",),
            block_type=BlockType.DOCUMENT,
        )

    def scan_conf(self, conf: dict[str, Any]) -> tuple[CheckResult, dict[str, Any]]:
        """FAILED on the first deploy credential of a pipeline that pull requests run."""
        if not isinstance(conf, dict) or not runs_on_pull_requests(conf):
            return CheckResult.PASSED, conf
        held = any(holds_a_deploy_credential(key, value) for key, value in pairs(conf))
        return (CheckResult.FAILED if held else CheckResult.PASSED), conf


check = AzurePullRequestCredentials()
