"""Guardrails of the ML workspace, per stack, proven under pulumi.runtime.set_mocks.

Each test returns ``Output.all(...).apply(check)``: ``@pulumi.runtime.test`` awaits it, so the
assertions run (``test_failing_assertion_inside_apply_fails_the_test`` proves it) and the ``ran``
fixture fails any test whose check never executed.
"""

from __future__ import annotations

import pulumi
import pytest

from mlops_infra.ml_workspace import TYPE_TOKEN, MlWorkspace, MlWorkspaceArgs
from mlops_infra.mocks import FAKE_TENANT_ID
from mlops_infra.settings import (
    DEFAULT_LOCATION,
    DEFAULT_ORGANIZATION,
    Settings,
    load_settings,
)

AZ = "azure-native"
RG = f"{AZ}:resources:ResourceGroup"
LAW = f"{AZ}:operationalinsights:Workspace"
APPI = f"{AZ}:applicationinsights:Component"
KV = f"{AZ}:keyvault:Vault"
ST = f"{AZ}:storage:StorageAccount"
ACR = f"{AZ}:containerregistry:Registry"
MLW = f"{AZ}:machinelearningservices:Workspace"
COMPUTE = f"{AZ}:machinelearningservices:Compute"
CHILD_TYPES = (RG, LAW, APPI, KV, ST, ACR, MLW, COMPUTE)


def build() -> tuple[Settings, MlWorkspace]:
    settings = load_settings()
    return settings, MlWorkspace("ml", MlWorkspaceArgs.from_settings(settings))


def children(ws: MlWorkspace) -> list[pulumi.CustomResource]:
    return [
        ws.resource_group,
        ws.log_analytics,
        ws.app_insights,
        ws.key_vault,
        ws.storage_account,
        ws.registry,
        ws.workspace,
        ws.compute,
    ]


def when_created(ws: MlWorkspace, check) -> pulumi.Output:
    """Run ``check`` once every child resource has been registered with the mock engine."""
    return pulumi.Output.all(*(r.id for r in children(ws))).apply(lambda _: check())


@pulumi.runtime.test
def test_one_resource_of_each_kind_all_parented_by_the_component(stack, ran):
    _, ws = build()

    def check(urns):
        recorded = [r["type"] for r in stack.mocks.resources]
        assert recorded.count(TYPE_TOKEN) == 1
        for typ in CHILD_TYPES:
            assert recorded.count(typ) == 1, typ
        for urn in urns:
            assert f"::{TYPE_TOKEN}$" in urn, urn
        ran.append(stack.name)

    return pulumi.Output.all(*(r.urn for r in children(ws))).apply(check)


@pulumi.runtime.test
def test_workspace_public_network_access_follows_settings(stack, ran):
    settings, ws = build()
    expected = {"dev": "Enabled", "staging": "Disabled", "prod": "Disabled"}[stack.name]

    def check():
        inputs = stack.mocks.one(MLW)["inputs"]
        assert settings.public_network_access_mode == expected
        assert inputs["publicNetworkAccess"] == expected
        assert inputs["identity"] == {"type": "SystemAssigned"}
        ran.append(stack.name)

    return when_created(ws, check)


@pulumi.runtime.test
def test_workspace_links_storage_keyvault_appinsights_and_registry(stack, ran):
    _, ws = build()

    def check():
        inputs = stack.mocks.one(MLW)["inputs"]
        ids = {typ: f"/providers/{path}" for typ, path in _ARM.items()}
        assert ids[ST] in inputs["storageAccount"]
        assert ids[KV] in inputs["keyVault"]
        assert ids[APPI] in inputs["applicationInsights"]
        assert ids[ACR] in inputs["containerRegistry"]
        ran.append(stack.name)

    return when_created(ws, check)


_ARM = {
    ST: "Microsoft.Storage/storageAccounts/",
    KV: "Microsoft.KeyVault/vaults/",
    APPI: "Microsoft.Insights/components/",
    ACR: "Microsoft.ContainerRegistry/registries/",
}


@pulumi.runtime.test
def test_key_vault_purge_protection_rbac_and_soft_delete(stack, ran):
    _, ws = build()

    def check():
        props = stack.mocks.one(KV)["inputs"]["properties"]
        assert props["enableRbacAuthorization"] is True
        assert props["enablePurgeProtection"] is True
        assert props["enableSoftDelete"] is True
        assert props["softDeleteRetentionInDays"] == 90
        assert props["tenantId"] == FAKE_TENANT_ID
        assert "accessPolicies" not in props
        tokens = [c["token"] for c in stack.mocks.calls]
        assert "azure-native:authorization:getClientConfig" in tokens
        ran.append(stack.name)

    return when_created(ws, check)


@pulumi.runtime.test
def test_storage_is_private_https_only_and_tls12(stack, ran):
    _, ws = build()

    def check():
        inputs = stack.mocks.one(ST)["inputs"]
        assert inputs["kind"] == "StorageV2"
        assert inputs["allowBlobPublicAccess"] is False
        assert inputs["enableHttpsTrafficOnly"] is True
        assert inputs["minimumTlsVersion"] == "TLS1_2"
        ran.append(stack.name)

    return when_created(ws, check)


@pulumi.runtime.test
def test_registry_admin_user_disabled(stack, ran):
    _, ws = build()

    def check():
        assert stack.mocks.one(ACR)["inputs"]["adminUserEnabled"] is False
        ran.append(stack.name)

    return when_created(ws, check)


@pulumi.runtime.test
def test_compute_scales_to_zero_with_configured_max(stack, ran):
    settings, ws = build()
    expected_max = {"dev": 1, "staging": 2, "prod": 6}[stack.name]

    def check():
        props = stack.mocks.one(COMPUTE)["inputs"]["properties"]
        assert props["computeType"] == "AmlCompute"
        scale = props["properties"]["scaleSettings"]
        assert scale["minNodeCount"] == 0
        assert scale["maxNodeCount"] == settings.compute_max_nodes == expected_max
        assert scale["nodeIdleTimeBeforeScaleDown"] == "PT15M"
        assert props["properties"]["vmSize"] == settings.compute_vm_size
        ran.append(stack.name)

    return when_created(ws, check)


@pulumi.runtime.test
def test_app_insights_is_workspace_based(stack, ran):
    _, ws = build()

    def check(law_id):
        inputs = stack.mocks.one(APPI)["inputs"]
        assert inputs["ingestionMode"] == "LogAnalytics"
        assert inputs["workspaceResourceId"] == law_id
        assert stack.mocks.one(LAW)["inputs"]["retentionInDays"] == 30
        ran.append(stack.name)

    return pulumi.Output.all(ws.log_analytics.id, ws.compute.id).apply(lambda a: check(a[0]))


@pulumi.runtime.test
def test_every_resource_is_tagged_and_in_the_configured_location(stack, ran):
    settings, ws = build()

    def check():
        assert settings.tags == {
            "environment": stack.name,
            "organization": DEFAULT_ORGANIZATION,
            "project": "{{ cookiecutter.project_slug }}",
            "managed-by": "pulumi",
        }
        for resource in stack.mocks.resources:
            if resource["type"] in CHILD_TYPES:
                assert resource["inputs"]["tags"] == settings.tags, resource["type"]
                assert resource["inputs"]["location"] == DEFAULT_LOCATION, resource["type"]
        ran.append(stack.name)

    return when_created(ws, check)


@pulumi.runtime.test
def test_azure_names_come_from_settings(stack, ran):
    settings, ws = build()

    def check():
        m = stack.mocks
        assert m.one(RG)["inputs"]["resourceGroupName"] == settings.resource_group_name
        assert m.one(ST)["inputs"]["accountName"] == settings.storage_account_name
        assert m.one(KV)["inputs"]["vaultName"] == settings.key_vault_name
        assert m.one(ACR)["inputs"]["registryName"] == settings.container_registry_name
        assert m.one(MLW)["inputs"]["workspaceName"] == settings.workspace_name
        assert stack.name in settings.storage_account_name
        ran.append(stack.name)

    return when_created(ws, check)


@pulumi.runtime.test
def test_component_outputs_resolve(stack, ran):
    settings, ws = build()

    def check(values):
        login_server, vault_uri, account, ws_name, rg_name, ws_id, law_id, appi_id = values
        assert login_server == settings.container_registry_login_server
        assert vault_uri == f"https://{settings.key_vault_name}.vault.azure.net/"
        assert account == settings.storage_account_name
        assert ws_name == settings.workspace_name
        assert rg_name == settings.resource_group_name
        assert ws_id.endswith(f"/workspaces/{settings.workspace_name}")
        assert "/workspaces/" in law_id
        assert "/components/" in appi_id
        ran.append(stack.name)

    return pulumi.Output.all(
        ws.registry_login_server,
        ws.key_vault_uri,
        ws.storage_account_name,
        ws.workspace_name,
        ws.resource_group_name,
        ws.workspace_id,
        ws.log_analytics_workspace_id,
        ws.app_insights_id,
    ).apply(check)


def test_failing_assertion_inside_apply_fails_the_test(stack_factory):
    """Meta-test: an assertion that fails inside apply() must fail a @pulumi.runtime.test."""
    stack = stack_factory("dev")
    reached: list[bool] = []

    @pulumi.runtime.test
    def deliberately_failing():
        _, ws = build()

        def check():
            reached.append(True)
            assert stack.mocks.one(ST)["inputs"]["allowBlobPublicAccess"] is True, "sentinel"

        return when_created(ws, check)

    with pytest.raises(AssertionError, match="sentinel"):
        deliberately_failing()
    assert reached == [True]
