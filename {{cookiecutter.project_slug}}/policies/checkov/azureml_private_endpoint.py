"""CKV_MLOPS_20: an Azure ML online endpoint outside dev is private and takes only Entra tokens.

An online endpoint spec (``$schema`` ...managedOnlineEndpoint...) whose ``tags.environment`` is
one of ``policy_facts.PRIVATE_ENDPOINT_IN`` (or is missing or unknown) must say
``public_network_access: disabled`` and ``auth_mode: aad_token``: keys never expire, and a public
scoring URL skips the private network. Only an endpoint tagged ``environment: dev`` may keep them.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.yaml_doc.base_yaml_check import BaseYamlCheck
from checkov.yaml_doc.enums import BlockType
from policy_facts import private_endpoint_required

ONLINE_ENDPOINT_SCHEMA = "managedOnlineEndpoint"


def environment_tag(spec: dict[str, Any]) -> str | None:
    """The spec's ``tags.environment``, if any."""
    tags = spec.get("tags")
    value = tags.get("environment") if isinstance(tags, dict) else None
    return str(value) if value else None


class AzureMlPrivateEndpoint(BaseYamlCheck):
    """Ensure an online endpoint outside dev disables public access and uses aad_token."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure an Azure ML online endpoint outside dev is private and token-only",
            id="CKV_MLOPS_20",
            categories=(CheckCategories.NETWORKING,),
            supported_entities=("auth_mode",),
            block_type=BlockType.DOCUMENT,
        )

    def scan_entity_conf(self, conf: dict[str, Any], entity_type: str) -> CheckResult:
        """FAILED on a staging/prod endpoint spec that is public or uses keys."""
        if not isinstance(conf, dict) or ONLINE_ENDPOINT_SCHEMA not in str(conf.get("$schema")):
            return CheckResult.UNKNOWN
        if not private_endpoint_required(environment_tag(conf)):
            return CheckResult.PASSED
        private = str(conf.get("public_network_access", "enabled")).lower() == "disabled"
        token = str(conf.get("auth_mode", "key")).lower() == "aad_token"
        return CheckResult.PASSED if private and token else CheckResult.FAILED


check = AzureMlPrivateEndpoint()
