"""CKV_MLOPS_6: a stage or job template deploying to prod is given the prod environment.

checkov reads each pipeline file on its own and does not expand templates, so a deployment
template (its environment a template parameter) is checked where it is called: a call
whose parameters target prod and deploy (or hand over an environment) must pass
``environment: prod``.
"""

from __future__ import annotations

from typing import Any

from checkov.azure_pipelines.checks.base_azure_pipelines_check import BaseAzurePipelinesCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.yaml_doc.enums import BlockType
from deploys import PROD, deploys, targets_prod


class AzureProdTemplateEnvironment(BaseAzurePipelinesCheck):
    """Ensure a template call that deploys to prod passes the prod environment."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure a template call that deploys to prod passes environment prod",
            id="CKV_MLOPS_6",
            categories=(CheckCategories.SUPPLY_CHAIN,),
            supported_entities=("stages", "jobs", "stages[].jobs[]"),
            block_type=BlockType.ARRAY,
        )

    def scan_conf(self, conf: dict[str, Any]) -> tuple[CheckResult, dict[str, Any]]:
        """FAILED when a prod-targeting deploy template call passes another environment."""
        if not isinstance(conf, dict) or "template" not in conf:
            return CheckResult.PASSED, conf
        parameters = conf.get("parameters") or {}
        prod = targets_prod(parameters) and (deploys(parameters) or "environment" in parameters)
        gated = str(parameters.get("environment", "")).strip() == PROD
        return (CheckResult.FAILED if prod and not gated else CheckResult.PASSED), conf


check = AzureProdTemplateEnvironment()
