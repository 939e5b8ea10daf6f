"""CKV_MLOPS_22: the Azure ML scoring image environment is the scanned image, by digest.

An environment spec that declares ``inference_config`` (a scoring image's routes) or is named
``policy_facts.SCORING_IMAGE_ENVIRONMENT`` must give ``image`` as
``<registry>.azurecr.io/<SCORING_IMAGE_REPOSITORY>@sha256:<64 lowercase hex>``
(policy_facts.SCORING_IMAGE_BY_DIGEST) and neither ``conda_file`` nor ``build``: a tag moves,
MCR, Docker Hub or another repository is not the scanned image, and with either key Azure ML
builds an image of its own that no one scanned. Other environments (the training environment's
conda build) are not this check's business.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from checkov.yaml_doc.enums import BlockType
from policy_facts import SCORING_IMAGE_ENVIRONMENT, scoring_image_by_digest

BUILT_BY_AZURE_ML = ("conda_file", "build")


class AzureMlImageEnvironment(BaseYamlCheck):
    """Ensure the scoring image environment is an ACR image by digest that Azure ML never builds."""

    def __init__(self) -> None:
        super().__init__(
            name=(
                "Ensure the Azure ML scoring image environment is an image digest from the "
                "stack's registry that Azure ML does not build"
            ),
            id="CKV_MLOPS_22",
            categories=(CheckCategories.SUPPLY_CHAIN,),
            supported_entities=("image",),
            block_type=BlockType.DOCUMENT,
        )

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str) -> CheckResult:
        """FAILED on a scoring environment with a tag, another registry, conda_file or build."""
        if not isinstance(conf, dict):
            return CheckResult.UNKNOWN
        if "inference_config" not in conf and conf.get("name") != SCORING_IMAGE_ENVIRONMENT:
            return CheckResult.UNKNOWN
        built = any(key in conf for key in BUILT_BY_AZURE_ML)
        pinned = scoring_image_by_digest(conf.get("image"))
        return CheckResult.PASSED if pinned and not built else CheckResult.FAILED


check = AzureMlImageEnvironment()
