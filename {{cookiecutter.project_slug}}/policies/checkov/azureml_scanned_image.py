"""CKV_MLOPS_21: an Azure ML online deployment runs the scanned scoring image, nothing it builds.

An online deployment spec (``$schema`` ...managedOnlineDeployment... or
...kubernetesOnlineDeployment..., or a spec with ``endpoint_name`` and no ``$schema``, which
``az ml online-deployment create`` accepts too) must reference the scoring image environment
(``azureml:<policy_facts.SCORING_IMAGE_ENVIRONMENT>:<version>``) and have no
``code_configuration``: an inline environment (image, conda_file, build), another environment or
uploaded code would run something the CD pipeline never scanned. CKV_MLOPS_22 holds that
environment to an image digest from the stack's registry. Other YAML (batch deployments, the
training environment) is not this check's business.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from checkov.yaml_doc.enums import BlockType
from policy_facts import scoring_image_reference

ONLINE_DEPLOYMENT_SCHEMAS = ("managedOnlineDeployment", "kubernetesOnlineDeployment")


def online_deployment(spec: dict[str, Any]) -> bool:
    """``spec`` is an online deployment: by its ``$schema``, or an endpoint's spec without one."""
    schema = spec.get("$schema")
    if schema is None:
        return "endpoint_name" in spec
    return any(kind in str(schema) for kind in ONLINE_DEPLOYMENT_SCHEMAS)


class AzureMlScannedImage(BaseYamlCheck):
    """Ensure an online deployment runs the scoring image environment and uploads no code."""

    def __init__(self) -> None:
        super().__init__(
            name=(
                "Ensure an Azure ML online deployment runs the scanned scoring image from the "
                "stack's registry"
            ),
            id="CKV_MLOPS_21",
            categories=(CheckCategories.SUPPLY_CHAIN,),
            supported_entities=("environment",),
            block_type=BlockType.DOCUMENT,
        )

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str) -> CheckResult:
        """FAILED on an online deployment with another environment or a code_configuration."""
        if not isinstance(conf, dict) or not online_deployment(conf):
            return CheckResult.UNKNOWN
        scanned = scoring_image_reference(conf.get("environment"))
        uploads_code = "code_configuration" in conf
        return CheckResult.PASSED if scanned and not uploads_code else CheckResult.FAILED


check = AzureMlScannedImage()
