"""Offline Pulumi engine: mocks that answer like Azure and record every resource and invoke.

Used by the offline plan (``mlops_infra.plan.start_mocks``) and the tests, with no Pulumi CLI,
cloud or cluster. ``Mocks.resources`` is ``[{"type", "name", "inputs"}, ...]`` in registration
order, the inputs camelCase and exactly as the engine received them.
"""

from __future__ import annotations

import base64
import copy
import hashlib
from typing import Any

import pulumi

FAKE_TENANT_ID = "00000000-0000-0000-0000-0000000000aa"
FAKE_SUBSCRIPTION_ID = "00000000-0000-0000-0000-0000000000bb"

# type token -> (ARM provider path, input that carries the Azure name)
_AZURE_TYPES: dict[str, tuple[str, str]] = {
    "azure-native:resources:ResourceGroup": ("", "resourceGroupName"),
    "azure-native:operationalinsights:Workspace": (
        "Microsoft.OperationalInsights/workspaces",
        "workspaceName",
    ),
    "azure-native:applicationinsights:Component": ("Microsoft.Insights/components", "resourceName"),
    "azure-native:keyvault:Vault": ("Microsoft.KeyVault/vaults", "vaultName"),
    "azure-native:storage:StorageAccount": ("Microsoft.Storage/storageAccounts", "accountName"),
    "azure-native:containerregistry:Registry": (
        "Microsoft.ContainerRegistry/registries",
        "registryName",
    ),
    "azure-native:machinelearningservices:Workspace": (
        "Microsoft.MachineLearningServices/workspaces",
        "workspaceName",
    ),
    "azure-native:machinelearningservices:Compute": (
        "Microsoft.MachineLearningServices/workspaces/{workspaceName}/computes",
        "computeName",
    ),
    "azure-native:containerservice:ManagedCluster": (
        "Microsoft.ContainerService/managedClusters",
        "resourceName",
    ),
    "azure-native:network:VirtualNetwork": (
        "Microsoft.Network/virtualNetworks",
        "virtualNetworkName",
    ),
    "azure-native:network:PrivateEndpoint": (
        "Microsoft.Network/privateEndpoints",
        "privateEndpointName",
    ),
    "azure-native:network:PrivateDnsZoneGroup": (
        "Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups",
        "privateDnsZoneGroupName",
    ),
    "azure-native:privatedns:PrivateZone": ("Microsoft.Network/privateDnsZones", "privateZoneName"),
    "azure-native:privatedns:VirtualNetworkLink": (
        "Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks",
        "virtualNetworkLinkName",
    ),
    "azure-native:managedidentity:UserAssignedIdentity": (
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        "resourceName",
    ),
    "azure-native:machinelearningservices:OnlineEndpoint": (
        "Microsoft.MachineLearningServices/workspaces/{workspaceName}/onlineEndpoints",
        "endpointName",
    ),
    "azure-native:monitor:ActionGroup": ("Microsoft.Insights/actionGroups", "actionGroupName"),
    "azure-native:monitor:MetricAlert": ("Microsoft.Insights/metricAlerts", "ruleName"),
    "azure-native:monitor:ScheduledQueryRule": (
        "Microsoft.Insights/scheduledQueryRules",
        "ruleName",
    ),
}
# Extension resources: type token -> (input holding the scope's id, provider path, name input).
_EXTENSION_TYPES: dict[str, tuple[str, str, str]] = {
    "azure-native:monitor:DiagnosticSetting": (
        "resourceUri",
        "Microsoft.Insights/diagnosticSettings",
        "name",
    ),
    "azure-native:consumption:Budget": ("scope", "Microsoft.Consumption/budgets", "budgetName"),
    "azure-native:authorization:PolicyAssignment": (
        "scope",
        "Microsoft.Authorization/policyAssignments",
        "policyAssignmentName",
    ),
    "azure-native:authorization:PolicyExemption": (
        "scope",
        "Microsoft.Authorization/policyExemptions",
        "policyExemptionName",
    ),
    "azure-native:authorization:ManagementLockByScope": (
        "scope",
        "Microsoft.Authorization/locks",
        "lockName",
    ),
    "azure-native:security:Pricing": ("scopeId", "Microsoft.Security/pricings", "pricingName"),
}
# Subscription-level resources the provider scopes to its own subscription: type -> (path, name).
_SUBSCRIPTION_TYPES: dict[str, tuple[str, str]] = {
    "azure-native:monitor:SubscriptionDiagnosticSetting": (
        "Microsoft.Insights/diagnosticSettings",
        "name",
    ),
}
# Entra ID and Azure DevOps resources: the identifier outputs the program reads, by type token.
_DIRECTORY_OUTPUTS: dict[str, str] = {
    "azuread:index/group:Group": "objectId",
    "azuredevops:index/group:Group": "descriptor",
    "azuredevops:index/servicePrincipalEntitlement:ServicePrincipalEntitlement": "descriptor",
}

_FAKE_KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: mock, cluster: {server: "https://127.0.0.1:6443"}}]
contexts: [{name: mock, context: {cluster: mock, user: mock}}]
current-context: mock
users: [{name: mock, user: {token: mock}}]
"""


def team_id(slug: str) -> int:
    """The numeric id the mock GitHub gives the team ``slug`` (stable per slug)."""
    return int(hashlib.sha256(f"team/{slug}".encode()).hexdigest()[:7], 16)


class _Parents(dict[str, Any]):
    """A child's inputs for ``str.format_map``: a missing parent name formats as empty."""

    def __missing__(self, key: str) -> str:
        return ""


def _uuid_like(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def devops_lookup(function: str, args: dict[str, Any]) -> dict[str, Any]:
    """A stable answer to an Azure DevOps lookup: project, group, service connection, queue."""
    name, project = str(args.get("name") or args.get("serviceEndpointName")), args.get("projectId")
    seed = f"{function}/{project}/{name}"
    if function == "getProject":
        return {"id": _uuid_like(f"project/{name}"), "name": name}
    if function == "getGroup":
        seed = f"group/{project}/{name}"
        return {
            "descriptor": f"vssgp.{_uuid_like(seed)}",
            "originId": _uuid_like(f"origin/{seed}"),
            "name": name,
        }
    if function == "getServiceEndpointAzureRM":
        return {"id": _uuid_like(seed), "serviceEndpointName": name, "projectId": project}
    if function == "getAgentQueue":
        return {"id": str(int(hashlib.sha256(seed.encode()).hexdigest()[:6], 16)), "name": name}
    return {}


class Mocks(pulumi.runtime.Mocks):
    """Answers the engine offline and records every ``new_resource`` call in ``self.resources``.

    ``resources``: list of ``{"type", "name", "inputs"}`` in registration order, ``inputs``
    exactly as the engine received them (camelCase keys), component resources included.
    ``calls``: list of ``{"token", "args"}`` for every invoke.
    """

    def __init__(
        self,
        tenant_id: str = FAKE_TENANT_ID,
        subscription_id: str = FAKE_SUBSCRIPTION_ID,
    ) -> None:
        self.tenant_id = tenant_id
        self.subscription_id = subscription_id
        self.resources: list[dict[str, Any]] = []
        self.calls: list[dict[str, Any]] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """Record the resource; answer its inputs plus the outputs Azure would add."""
        inputs = dict(args.inputs)
        self.resources.append(
            {"type": args.typ, "name": args.name, "inputs": copy.deepcopy(inputs)}
        )
        outputs = dict(inputs)
        known = _AZURE_TYPES.get(args.typ)
        if args.typ in _DIRECTORY_OUTPUTS:
            outputs[_DIRECTORY_OUTPUTS[args.typ]] = _uuid_like(f"{args.typ}/{args.name}")
        if args.typ in _EXTENSION_TYPES:
            scope_key, provider_path, name_key = _EXTENSION_TYPES[args.typ]
            azure_name = str(inputs.get(name_key) or args.name)
            rid = f"{inputs.get(scope_key, '')}/providers/{provider_path}/{azure_name}"
            outputs.update(name=azure_name, id=rid)
            return rid, outputs
        if args.typ in _SUBSCRIPTION_TYPES:
            provider_path, name_key = _SUBSCRIPTION_TYPES[args.typ]
            azure_name = str(inputs.get(name_key) or args.name)
            rid = f"/subscriptions/{self.subscription_id}/providers/{provider_path}/{azure_name}"
            outputs.update(name=azure_name, id=rid)
            return rid, outputs
        if known is None:
            return f"{args.name}-id", outputs
        provider_path, name_key = known
        azure_name = str(inputs.get(name_key) or args.name)
        outputs["name"] = azure_name
        group = inputs.get("resourceGroupName", azure_name)
        rid = f"/subscriptions/{self.subscription_id}/resourceGroups/{group}"
        if provider_path:
            path = provider_path.format_map(_Parents(inputs))
            rid = f"{rid}/providers/{path}/{azure_name}"
        outputs["id"] = rid
        outputs.update(self._extra_outputs(args.typ, azure_name, inputs))
        return rid, outputs

    def _extra_outputs(self, typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """The read-only outputs Azure sets on the resource types the program reads them from."""
        if typ == "azure-native:containerregistry:Registry":
            return {"loginServer": f"{name.lower()}.azurecr.io"}
        if typ == "azure-native:keyvault:Vault":
            props = dict(inputs.get("properties") or {})
            props["vaultUri"] = f"https://{name}.vault.azure.net/"
            return {"properties": props}
        if typ == "azure-native:storage:StorageAccount":
            return {"primaryEndpoints": {"blob": f"https://{name}.blob.core.windows.net/"}}
        if typ == "azure-native:operationalinsights:Workspace":
            return {"customerId": _uuid_like(f"law/{name}")}
        if typ == "azure-native:applicationinsights:Component":
            key = _uuid_like(f"appi/{name}")
            return {"instrumentationKey": key, "connectionString": f"InstrumentationKey={key}"}
        if typ == "azure-native:managedidentity:UserAssignedIdentity":
            return {"principalId": _uuid_like(f"id/{name}"), "clientId": _uuid_like(f"app/{name}")}
        if typ == "azure-native:machinelearningservices:Workspace":
            identity = dict(inputs.get("identity") or {}, principalId=_uuid_like(f"mlw-id/{name}"))
            return {
                "identity": identity,
                "workspaceId": _uuid_like(f"mlw/{name}"),
                "mlFlowTrackingUri": f"azureml://{inputs.get('location', 'westeurope')}"
                ".api.azureml.ms/mlflow/v1.0",
            }
        if typ == "azure-native:machinelearningservices:Compute":
            identity = dict(inputs.get("identity") or {}, principalId=_uuid_like(f"mlc-id/{name}"))
            return {"identity": identity}
        if typ == "azure-native:containerservice:ManagedCluster":
            identity = dict(inputs.get("identity") or {}, principalId=_uuid_like(f"aks-id/{name}"))
            return {"fqdn": f"{name}.hcp.westeurope.azmk8s.io", "identity": identity}
        return {}

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        """Record the invoke; answer client config, cluster credentials, DevOps and team lookups."""
        self.calls.append({"token": args.token, "args": dict(args.args)})
        if args.token == "azure-native:authorization:getClientConfig":  # noqa: S105  # nosec B105 - a type token
            return {
                "clientId": _uuid_like("client"),
                "objectId": _uuid_like("object"),
                "subscriptionId": self.subscription_id,
                "tenantId": self.tenant_id,
            }, []
        if args.token.startswith("azuredevops:index/get"):
            return devops_lookup(args.token.rpartition(":")[2], dict(args.args)), []
        if args.token == "github:index/getTeam:getTeam":  # noqa: S105  # nosec B105 - a type token
            slug = str(args.args.get("slug"))
            return {"id": str(team_id(slug)), "slug": slug, "name": slug}, []
        if args.token.startswith("azure-native:containerservice:listManagedCluster"):
            value = base64.b64encode(_FAKE_KUBECONFIG.encode()).decode()
            return {"kubeconfigs": [{"name": "clusterUser", "value": value}]}, []
        return {}, []
