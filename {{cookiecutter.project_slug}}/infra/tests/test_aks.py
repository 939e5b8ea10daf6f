"""The AKS cluster: Entra ID with Azure RBAC, AcrPull for the kubelet, a non-interactive login."""

from __future__ import annotations

import base64
from types import SimpleNamespace
from typing import Any

import pulumi
import pytest
import yaml

from mlops_infra.aks.args import AksArgsError, AksClusterArgs
from mlops_infra.aks.component import COMPONENT_TYPE, AksCluster
from mlops_infra.aks.credentials import (
    ACR_PULL_ROLE_ID,
    decode_kubeconfig,
    kubeconfig_with_login_mode,
)
from mlops_infra.config import load_stack_config
from mlops_infra.naming import SLUG
from support import PlannedStack, RecordingMocks, install, mocked, of_type, one

CLUSTER = "azure-native:containerservice:ManagedCluster"
ROLE = "azure-native:authorization:RoleAssignment"
KUBELET = "11111111-2222-3333-4444-555555555555"
ACR_ID = "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/a"


def aks_args(**overrides: Any) -> AksClusterArgs:
    values: dict[str, Any] = {
        "prefix": "dp-dev",
        "resource_group_name": "rg-dp-dev",
        "location": "westeurope",
        "node_count": 2,
        "vm_size": "Standard_D4s_v5",
        "tags": {"environment": "dev"},
    }
    values.update(overrides)
    return AksClusterArgs(**values)


def test_cluster_is_entra_rbac_with_local_accounts_off_and_acr_pull(ran: list[str]) -> None:
    mocks = install(load_stack_config("dev"), RecordingMocks(kubelet_object_id=KUBELET))

    @mocked
    def program() -> pulumi.Output[None]:
        aks = AksCluster("aks", aks_args(acr_id=ACR_ID))
        assert aks.acr_pull is not None

        def check(values: list[Any]) -> None:
            kubeconfig, urns = values
            cluster = one(mocks.resources, CLUSTER)["inputs"]
            assert cluster["resourceName"] == "aks-dp-dev"
            assert cluster["identity"] == {"type": "SystemAssigned"}
            assert (cluster["enableRBAC"], cluster["disableLocalAccounts"]) == (True, True)
            assert cluster["aadProfile"] == {"managed": True, "enableAzureRBAC": True}
            assert cluster["networkProfile"]["networkPolicy"] == "calico"
            assert cluster["tags"] == {"environment": "dev"}
            (pool,) = cluster["agentPoolProfiles"]
            assert (pool["mode"], pool["enableAutoScaling"]) == ("System", True)
            assert (pool["minCount"], pool["maxCount"], pool["count"]) == (2, 4, 2)
            assert pool["vmSize"] == "Standard_D4s_v5"
            (call,) = [c for c in mocks.calls if "listManagedClusterUserCredentials" in c["token"]]
            assert (call["args"]["resourceName"], call["args"]["format"]) == (
                "aks-dp-dev",
                "exec",
            )
            provider = one(mocks.resources, "pulumi:providers:kubernetes")["inputs"]
            assert pulumi.runtime.rpc.is_rpc_secret(provider["kubeconfig"])
            assert yaml.safe_load(kubeconfig)["current-context"] == "mock"
            (role,) = of_type(mocks.resources, ROLE)
            assert role["inputs"]["principalId"] == KUBELET
            assert role["inputs"]["roleDefinitionId"] == (
                "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/"
                f"{ACR_PULL_ROLE_ID}"
            )
            for urn in urns:
                assert f"::{COMPONENT_TYPE}$" in urn, urn
            ran.append("aks")

        children = pulumi.Output.all(aks.cluster.urn, aks.provider.urn, aks.acr_pull.urn)
        return pulumi.Output.all(aks.kubeconfig, children).apply(check)

    program()


def test_every_stack_gets_its_cluster_sized_by_settings(stack: PlannedStack) -> None:
    settings, resources = stack.settings, stack.resources
    cluster = one(resources, CLUSTER)["inputs"]
    assert cluster["resourceName"] == f"aks-{settings.names.resource_prefix}"
    assert cluster["resourceGroupName"] == settings.names.resource_group_name
    (pool,) = cluster["agentPoolProfiles"]
    assert (pool["count"], pool["minCount"]) == (settings.aks_node_count,) * 2
    assert pool["maxCount"] == max(3, 2 * settings.aks_node_count)
    assert pool["vmSize"] == settings.aks_vm_size
    (role,) = [r["inputs"] for r in of_type(resources, ROLE) if r["name"].endswith("-acr-pull")]
    acr = settings.names.container_registry_name
    assert role["scope"].endswith(f"/Microsoft.ContainerRegistry/registries/{acr}")
    assert f"{SLUG}:k8s:AksCluster" == COMPONENT_TYPE
    assert all(f"::{COMPONENT_TYPE}$" in urn for urn in stack.outputs["cluster_urns"])


def test_kubeconfig_login_mode_is_rewritten_for_non_interactive_use() -> None:
    kubeconfig = yaml.safe_dump(
        {
            "users": [
                {
                    "name": "clusterUser",
                    "user": {
                        "exec": {
                            "command": "kubelogin",
                            "args": ["get-token", "--login", "devicecode", "--server-id", "x"],
                        }
                    },
                },
                {"name": "other", "user": {"token": "t"}},
            ]
        }
    )
    result = yaml.safe_load(kubeconfig_with_login_mode(kubeconfig, "workloadidentity"))
    args = result["users"][0]["user"]["exec"]["args"]
    assert args == ["get-token", "--server-id", "x", "--login", "workloadidentity"]
    assert result["users"][1] == {"name": "other", "user": {"token": "t"}}


def test_kubeconfig_decoding_reads_the_first_credential() -> None:
    raw = "users: [{name: u, user: {exec: {command: kubelogin, args: [get-token]}}}]\n"
    result = SimpleNamespace(
        kubeconfigs=[SimpleNamespace(value=base64.b64encode(raw.encode()).decode())]
    )
    decoded = yaml.safe_load(decode_kubeconfig(result, "azurecli"))
    assert decoded["users"][0]["user"]["exec"]["args"] == ["get-token", "--login", "azurecli"]
    with pytest.raises(ValueError, match="no kubeconfig"):
        decode_kubeconfig(SimpleNamespace(kubeconfigs=[]), "azurecli")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"prefix": "Bad_Prefix"}, "prefix must be"),
        ({"node_count": 0}, "node_count must be at least 1, got 0"),
        ({"node_count": 3, "max_node_count": 2}, r"max_node_count \(2\) must be at least"),
        ({"vm_size": "D4s"}, "vm_size must be an Azure VM size"),
        ({"sku_tier": "Gold"}, "sku_tier must be Free, Standard or Premium"),
        ({"pool_name": "System-Pool"}, "pool_name must be"),
        ({"kubelogin_login_mode": "password"}, "kubelogin_login_mode must be one of"),
    ],
)
def test_invalid_aks_args_are_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(AksArgsError, match=message):
        aks_args(**overrides).validate()
