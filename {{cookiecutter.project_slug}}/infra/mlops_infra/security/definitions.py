"""The Azure Policy guardrails for machine learning every stack assigns: built-in definitions only.

Each row is a built-in definition of the Azure Landing Zones initiative
"Enforce-Guardrails-MachineLearning" (Azure/Enterprise-Scale,
src/resources/Microsoft.Authorization/policySetDefinitions/Enforce-Guardrails-MachineLearning.json)
or of the same "Machine Learning" category, with the GUID, display name and allowed effects as
published in Azure/azure-policy (built-in-policies/policyDefinitions/Machine Learning/). The
initiative's Modify and DeployIfNotExists members (they need a managed identity and remediation),
its enforceSetting previews for v1 computes, and the V1LegacyMode and user-assigned identity rules
are not assigned here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mlops_infra.settings import Settings

BUILT_IN = "/providers/Microsoft.Authorization/policyDefinitions/"
EFFECTS = ("Audit", "Deny")


@dataclass(frozen=True)
class Guardrail:
    """One built-in policy definition, the effects it allows and its parameters for a stack."""

    key: str  # assignment name suffix and what policyExemptions name
    definition_guid: str
    display_name: str
    effects: tuple[str, ...]  # of EFFECTS, as the definition allows them
    parameters: Callable[[Settings], Mapping[str, object]] = lambda settings: {}

    @property
    def definition_id(self) -> str:
        """The built-in definition's resource id."""
        return BUILT_IN + self.definition_guid

    def effect(self, requested: str) -> str:
        """``requested`` where the definition allows it, else Audit (its only enforcing effect)."""
        return requested if requested in self.effects else "Audit"


GUARDRAILS: tuple[Guardrail, ...] = (
    Guardrail(
        "workspace-public-network",
        "438c38d2-3772-465a-a9cc-7a6666a275ce",
        "Azure Machine Learning Workspaces should disable public network access",
        ("Audit", "Deny"),
    ),
    Guardrail(
        "workspace-private-link",
        "45e05259-1eb5-4f70-9574-baf73e9d219b",
        "Azure Machine Learning workspaces should use private link",
        ("Audit",),
    ),
    Guardrail(
        "compute-local-auth",
        "e96a9a5f-07ca-471b-9bc5-6a0f33cbd68f",
        "Azure Machine Learning Computes should have local authentication methods disabled",
        ("Audit", "Deny"),
    ),
    Guardrail(
        "compute-idle-shutdown",
        "679ddf89-ab8f-48a5-9029-e76054077449",
        "Azure Machine Learning Compute Instance should have idle shutdown.",
        ("Audit", "Deny"),
    ),
    Guardrail(
        "approved-registry-models",
        "12e5dd16-d201-47ff-849b-8454061c293d",
        "[Preview]: Azure Machine Learning Deployments should only use approved Registry Models",
        ("Audit", "Deny"),
        # No publisher and no registry asset approved: only the workspace's own models deploy.
        lambda settings: {"allowedPublishers": [], "allowedAssetIds": []},
    ),
    Guardrail(
        "managed-network-isolation",
        "6ddb1705-c8cf-450e-aa4b-19ad6703c440",
        "Azure Machine Learning and Ai Studio should use Allow Only Approved Outbound Managed "
        "Vnet mode",
        ("Audit", "Deny"),
        # The stack's configured mode: nobody switches the managed network in the portal.
        lambda settings: {"isolationMode": settings.managed_network_isolation},
    ),
)
GUARDRAIL_KEYS = tuple(guardrail.key for guardrail in GUARDRAILS)
