"""Guardrails of the ML workspace, per stack, on the real program run under mocks."""

from __future__ import annotations

import re
from dataclasses import replace

import pulumi
import pytest

from mlops_infra.mocks import FAKE_TENANT_ID, Mocks
from mlops_infra.naming import SLUG
from mlops_infra.settings import load_settings
from mlops_infra.workspace.args import MlWorkspaceArgs, TrainingComputeArgs, WorkspaceArgsError
from mlops_infra.workspace.component import TYPE_TOKEN, MlWorkspace
from mlops_infra.workspace.compute import TYPE_TOKEN as COMPUTE_TOKEN
from mlops_infra.workspace.compute import TrainingCompute
from support import PlannedStack, mocked, one, workspace_children

AZ = "azure-native"
RG = f"{AZ}:resources:ResourceGroup"
LAW = f"{AZ}:operationalinsights:Workspace"
APPI = f"{AZ}:applicationinsights:Component"
KV = f"{AZ}:keyvault:Vault"
ST = f"{AZ}:storage:StorageAccount"
ACR = f"{AZ}:containerregistry:Registry"
MLW = f"{AZ}:machinelearningservices:Workspace"
COMPUTE = f"{AZ}:machinelearningservices:Compute"
CHILD_TYPES = (RG, LAW, APPI, KV, ST, ACR, MLW)
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_one_resource_of_each_kind_all_parented_by_the_component(stack: PlannedStack) -> None:
    recorded = [r["type"] for r in stack.resources]
    assert f"{SLUG}:ml:Workspace" == TYPE_TOKEN
    assert recorded.count(TYPE_TOKEN) == 1
    for typ in CHILD_TYPES:
        assert recorded.count(typ) == 1, typ
    urns = stack.outputs["workspace_urns"]
    assert len(urns) == len(CHILD_TYPES)
    for urn in urns:
        assert f"::{TYPE_TOKEN}$" in urn, urn


def test_workspace_network_access_and_identity_follow_settings(stack: PlannedStack) -> None:
    expected = {"dev": "Enabled", "staging": "Disabled", "prod": "Disabled"}[stack.name]
    isolation = {"dev": "Disabled"}.get(stack.name, "AllowOnlyApprovedOutbound")
    inputs = one(stack.resources, MLW)["inputs"]
    assert inputs["publicNetworkAccess"] == expected
    assert inputs["managedNetwork"]["isolationMode"] == isolation
    assert inputs["identity"] == {"type": "SystemAssigned"}
    assert inputs["sku"] == {"name": "Basic", "tier": "Basic"}


def test_workspace_links_storage_keyvault_appinsights_and_registry(stack: PlannedStack) -> None:
    inputs = one(stack.resources, MLW)["inputs"]
    names = stack.settings.names
    assert inputs["storageAccount"].endswith(
        f"/Microsoft.Storage/storageAccounts/{names.storage_account_name}"
    )
    assert inputs["keyVault"].endswith(f"/Microsoft.KeyVault/vaults/{names.key_vault_name}")
    assert inputs["applicationInsights"] == stack.outputs["workspace"]["app_insights_id"]
    assert inputs["containerRegistry"].endswith(
        f"/Microsoft.ContainerRegistry/registries/{names.container_registry_name}"
    )


def test_key_vault_purge_protection_rbac_and_soft_delete(stack: PlannedStack) -> None:
    props = one(stack.resources, KV)["inputs"]["properties"]
    assert props["enableRbacAuthorization"] is True
    assert props["enablePurgeProtection"] is True
    assert props["enableSoftDelete"] is True
    assert props["softDeleteRetentionInDays"] == 90
    assert props["tenantId"] == FAKE_TENANT_ID  # from the client config invoke
    assert "accessPolicies" not in props
    tokens = [call["token"] for call in stack.mocks.calls]
    assert "azure-native:authorization:getClientConfig" in tokens


def test_storage_is_private_https_only_and_tls12(stack: PlannedStack) -> None:
    inputs = one(stack.resources, ST)["inputs"]
    assert inputs["kind"] == "StorageV2"
    assert inputs["allowBlobPublicAccess"] is False
    assert inputs["enableHttpsTrafficOnly"] is True
    assert inputs["minimumTlsVersion"] == "TLS1_2"


def test_storage_refuses_shared_keys_and_defaults_to_entra_id(stack: PlannedStack) -> None:
    inputs = one(stack.resources, ST)["inputs"]
    assert inputs["allowSharedKeyAccess"] is False
    assert inputs["defaultToOAuthAuthentication"] is True


def test_workspace_system_datastores_are_identity_based(stack: PlannedStack) -> None:
    assert one(stack.resources, MLW)["inputs"]["systemDatastoresAuthMode"] == "Identity"


def test_training_cluster_identity_reads_and_writes_the_workspace_storage(
    stack: PlannedStack,
) -> None:
    compute = one(stack.resources, COMPUTE)
    assert compute["inputs"]["identity"] == {"type": "SystemAssigned"}
    account = one(stack.resources, ST)["inputs"]["accountName"]
    name = f"{SLUG}-training-storage-blob-data"
    (grant,) = [r for r in stack.resources if r["name"] == name]
    inputs = grant["inputs"]
    assert inputs["roleDefinitionId"].endswith(
        "/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe"
    )
    assert inputs["scope"].endswith(f"/Microsoft.Storage/storageAccounts/{account}")
    assert inputs["principalType"] == "ServicePrincipal"
    assert GUID.match(inputs["principalId"]), inputs["principalId"]


def test_registry_admin_user_disabled(stack: PlannedStack) -> None:
    assert one(stack.resources, ACR)["inputs"]["adminUserEnabled"] is False


def test_compute_scales_to_zero_with_configured_max(stack: PlannedStack) -> None:
    expected_max = {"dev": 1, "staging": 2, "prod": 6}[stack.name]
    compute = one(stack.resources, COMPUTE)["inputs"]
    assert compute["workspaceName"] == stack.settings.names.workspace_name
    assert (compute["tags"], compute["location"]) == (stack.settings.tags, stack.settings.location)
    assert all(f"::{COMPUTE_TOKEN}$" in urn for urn in stack.outputs["compute_urns"])
    props = compute["properties"]
    assert props["computeType"] == "AmlCompute"
    assert props["disableLocalAuth"] is True
    scale = props["properties"]["scaleSettings"]
    assert (scale["minNodeCount"], scale["maxNodeCount"]) == (0, expected_max)
    assert scale["nodeIdleTimeBeforeScaleDown"] == "PT15M"
    assert props["properties"]["vmSize"] == "Standard_DS3_v2"
    assert props["properties"]["remoteLoginPortPublicAccess"] == "Disabled"


def test_app_insights_is_workspace_based(stack: PlannedStack) -> None:
    inputs = one(stack.resources, APPI)["inputs"]
    assert inputs["ingestionMode"] == "LogAnalytics"
    assert inputs["workspaceResourceId"] == stack.outputs["workspace"]["log_analytics_workspace_id"]
    retention = one(stack.resources, LAW)["inputs"]["retentionInDays"]
    assert retention == stack.settings.log_retention_days


def test_every_resource_is_tagged_and_in_the_configured_location(stack: PlannedStack) -> None:
    settings = stack.settings
    assert settings.tags == {
        "environment": stack.name,
        "organization": settings.organization,
        "project": SLUG,
        "managed-by": "pulumi",
    }
    for resource in stack.resources:
        if resource["type"] in CHILD_TYPES:
            assert resource["inputs"]["tags"] == settings.tags, resource["type"]
            assert resource["inputs"]["location"] == settings.location, resource["type"]


def test_azure_names_come_from_settings(stack: PlannedStack) -> None:
    names = stack.settings.names
    resources = stack.resources
    assert one(resources, RG)["inputs"]["resourceGroupName"] == names.resource_group_name
    assert one(resources, ST)["inputs"]["accountName"] == names.storage_account_name
    assert one(resources, KV)["inputs"]["vaultName"] == names.key_vault_name
    assert one(resources, ACR)["inputs"]["registryName"] == names.container_registry_name
    assert one(resources, MLW)["inputs"]["workspaceName"] == names.workspace_name
    assert one(resources, LAW)["inputs"]["workspaceName"] == f"log-{names.resource_prefix}"


def test_component_outputs_resolve(stack: PlannedStack) -> None:
    names, out = stack.settings.names, stack.outputs["workspace"]
    assert out["registry_login_server"] == names.container_registry_login_server
    assert out["key_vault_uri"] == f"https://{names.key_vault_name}.vault.azure.net/"
    assert out["storage_account_name"] == names.storage_account_name
    assert out["workspace_name"] == names.workspace_name
    assert out["resource_group_name"] == names.resource_group_name
    assert out["workspace_id"].endswith(f"/workspaces/{names.workspace_name}")
    assert out["log_analytics_workspace_id"].endswith(f"/workspaces/log-{names.resource_prefix}")
    assert out["app_insights_id"].endswith(f"/components/appi-{names.resource_prefix}")


def test_args_come_from_settings_and_refuse_an_empty_training_cluster(dev_mocks: Mocks) -> None:
    settings = load_settings()
    args = MlWorkspaceArgs.from_settings(settings)
    assert args.prefix == settings.names.resource_prefix
    assert (args.public_network_access, args.registry_sku) == ("Enabled", "Standard")
    compute = TrainingComputeArgs.from_settings(settings, ("rg", "mlw", "st-id"), "subnet-id")
    assert (compute.max_nodes, compute.subnet_id) == (settings.compute_max_nodes, None)
    with pytest.raises(WorkspaceArgsError, match="compute_max_nodes must be at least 1, got 0"):
        TrainingCompute("compute", replace(compute, max_nodes=0))
    assert dev_mocks.resources == []  # refused before anything registered
    with pytest.raises(WorkspaceArgsError, match="public_network_access must be"):
        replace(args, public_network_access="Maybe").validate()


def test_failing_assertion_inside_apply_fails_the_test(dev_mocks: Mocks) -> None:
    """Meta-test: an assertion that fails inside apply() must fail a mocked program."""
    reached: list[bool] = []

    @mocked
    def deliberately_failing() -> pulumi.Output[None]:
        ws = MlWorkspace("ml", MlWorkspaceArgs.from_settings(load_settings()))

        def check(_: object) -> None:
            reached.append(True)
            storage = one(dev_mocks.resources, ST)["inputs"]
            assert storage["allowBlobPublicAccess"] is True, "sentinel"

        return pulumi.Output.all(*(r.id for r in workspace_children(ws))).apply(check)

    with pytest.raises(AssertionError, match="sentinel"):
        deliberately_failing()
    assert reached == [True]
