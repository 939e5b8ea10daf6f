"""CKV_MLOPS_5: an Azure Pipelines job that deploys to prod is a deployment job on env prod.

Only a ``deployment`` job against the ``prod`` environment waits for that environment's approvals
and branch control; a plain ``job`` running ``pulumi up`` or the rollout against prod skips them.
Template calls are checked where they pass their parameters (CKV_MLOPS_6).
"""

from __future__ import annotations

from typing import Any

from checkov.azure_pipelines.checks.base_azure_pipelines_check import BaseAzurePipelinesCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.yaml_doc.enums import BlockType
from deploys import PROD, deploys, environment_name, targets_prod


class AzureProdDeploymentJob(BaseAzurePipelinesCheck):
    """Ensure a job that deploys to prod is a deployment job on the gated prod environment."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure a job that deploys to prod is a deployment job on the prod environment",
            id="CKV_MLOPS_5",
            categories=(CheckCategories.SUPPLY_CHAIN,),
            supported_entities=("jobs", "stages[].jobs[]"),
            block_type=BlockType.ARRAY,
        )

    def scan_conf(self, conf: dict[str, Any]) -> tuple[CheckResult, dict[str, Any]]:
        """FAILED when a job deploys to prod outside a deployment job on environment prod."""
        if not isinstance(conf, dict) or "template" in conf:
            return CheckResult.PASSED, conf
        prod = deploys(conf) and targets_prod(conf)
        gated = "deployment" in conf and environment_name(conf) == PROD
        return (CheckResult.FAILED if prod and not gated else CheckResult.PASSED), conf


check = AzureProdDeploymentJob()
