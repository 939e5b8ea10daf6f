"""The private perimeter of staging and prod, dev's public shape and the network config's rules."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from mlops_infra import plan
from mlops_infra.aks.credentials import NETWORK_CONTRIBUTOR_ROLE_ID
from mlops_infra.config import load_stack_config
from mlops_infra.mocks import FAKE_SUBSCRIPTION_ID
from mlops_infra.naming import SLUG, AzureNames
from mlops_infra.network.args import NetworkArgsError, PrivateLinkEndpointArgs
from mlops_infra.network.component import TYPE_TOKEN as NETWORK_TOKEN
from mlops_infra.network.endpoint import TYPE_TOKEN as ENDPOINT_TOKEN
from mlops_infra.network.zones import TARGETS, ZONES, PrivateLinkTarget
from mlops_infra.program import build
from mlops_infra.settings import load_settings
from support import PlannedStack, Record, mock_stack, mocked, of_type, one, with_config

AZ = "azure-native"
VNET = f"{AZ}:network:VirtualNetwork"
PE = f"{AZ}:network:PrivateEndpoint"
ZONE_GROUP = f"{AZ}:network:PrivateDnsZoneGroup"
ZONE = f"{AZ}:privatedns:PrivateZone"
LINK = f"{AZ}:privatedns:VirtualNetworkLink"
KV, ST = f"{AZ}:keyvault:Vault", f"{AZ}:storage:StorageAccount"
ACR, MLW = f"{AZ}:containerregistry:Registry", f"{AZ}:machinelearningservices:Workspace"
COMPUTE = f"{AZ}:machinelearningservices:Compute"
CLUSTER = f"{AZ}:containerservice:ManagedCluster"
# What each endpoint must reach: ARM provider path of the target, group, zones.
EXPECTED = {
    "workspace": ("Microsoft.MachineLearningServices/workspaces", "amlworkspace", 2),
    "vault": ("Microsoft.KeyVault/vaults", "vault", 1),
    "blob": ("Microsoft.Storage/storageAccounts", "blob", 1),
    "file": ("Microsoft.Storage/storageAccounts", "file", 1),
    "registry": ("Microsoft.ContainerRegistry/registries", "registry", 1),
}
private = pytest.mark.parametrize("name", ["staging", "prod"])


def _zone_ids(resources: list[Record]) -> dict[str, str]:
    """Private DNS zone name -> the id the mock engine gave it."""
    prefix = f"/subscriptions/{FAKE_SUBSCRIPTION_ID}/resourceGroups"
    return {
        z["inputs"]["privateZoneName"]: f"{prefix}/{z['inputs']['resourceGroupName']}"
        f"/providers/Microsoft.Network/privateDnsZones/{z['inputs']['privateZoneName']}"
        for z in of_type(resources, ZONE)
    }


def test_the_zone_table_is_the_one_source_of_the_endpoints() -> None:
    assert [t.key for t in TARGETS] == list(EXPECTED)
    for target in TARGETS:
        assert (target.group_id, len(target.zones)) == EXPECTED[target.key][1:]
        assert all(zone.startswith("privatelink.") for zone in target.zones)
    assert len(ZONES) == len(set(ZONES)) == 6


@private
def test_each_private_resource_has_one_endpoint_in_the_endpoints_subnet(
    planned: dict[str, PlannedStack], name: str
) -> None:
    stack = planned[name]
    resources, subnets = stack.resources, stack.outputs["subnet_ids"]
    assert subnets["endpoints"].endswith(
        f"/virtualNetworks/vnet-{stack.settings.names.resource_prefix}/subnets/snet-endpoints"
    )
    endpoints = of_type(resources, PE)
    assert len(endpoints) == len(EXPECTED)
    zone_ids = _zone_ids(resources)
    groups = {
        g["inputs"]["privateEndpointName"]: g["inputs"] for g in of_type(resources, ZONE_GROUP)
    }
    for key, (provider, group_id, zone_count) in EXPECTED.items():
        (pe,) = [
            e["inputs"] for e in endpoints if e["inputs"]["privateEndpointName"].endswith(f"-{key}")
        ]
        assert pe["subnet"]["id"] == subnets["endpoints"]
        (connection,) = pe["privateLinkServiceConnections"]
        assert connection["groupIds"] == [group_id]
        assert f"/providers/{provider}/" in connection["privateLinkServiceId"]
        target = next(t for t in TARGETS if t.key == key)
        configs = groups[pe["privateEndpointName"]]["privateDnsZoneConfigs"]
        assert [c["privateDnsZoneId"] for c in configs] == [zone_ids[z] for z in target.zones]
        assert len(configs) == zone_count
    urns = stack.outputs["endpoint_urns"]
    assert len(urns) == 2 * len(EXPECTED)
    assert all(f"::{ENDPOINT_TOKEN}$" in urn for urn in urns)


@private
def test_every_zone_is_global_and_linked_to_the_vnet(
    planned: dict[str, PlannedStack], name: str
) -> None:
    resources = planned[name].resources
    vnet = one(resources, VNET)["inputs"]
    assert vnet["addressSpace"] == {"addressPrefixes": ["10.40.0.0/16"]}
    assert {s["name"]: s["addressPrefix"] for s in vnet["subnets"]} == {
        "snet-endpoints": "10.40.0.0/24",
        "snet-training": "10.40.4.0/22",
        "snet-aks": "10.40.8.0/22",
    }
    zones = of_type(resources, ZONE)
    assert sorted(z["inputs"]["privateZoneName"] for z in zones) == sorted(ZONES)
    assert all(z["inputs"]["location"] == "global" for z in zones)
    links = {link["inputs"]["privateZoneName"]: link["inputs"] for link in of_type(resources, LINK)}
    assert sorted(links) == sorted(ZONES)
    vnet_id = planned[name].outputs["subnet_ids"]["aks"].rsplit("/subnets/", 1)[0]
    for link in links.values():
        assert link["virtualNetwork"] == {"id": vnet_id}
        assert (link["registrationEnabled"], link["location"]) == (False, "global")
    assert all(f"::{NETWORK_TOKEN}$" in urn for urn in planned[name].outputs["network_urns"])


@private
def test_the_four_private_resources_refuse_public_traffic(
    planned: dict[str, PlannedStack], name: str
) -> None:
    resources = planned[name].resources
    vault = one(resources, KV)["inputs"]["properties"]
    storage, registry = one(resources, ST)["inputs"], one(resources, ACR)["inputs"]
    workspace = one(resources, MLW)["inputs"]
    for inputs in (vault, storage, registry, workspace):
        assert inputs["publicNetworkAccess"] == "Disabled"
    assert vault["networkAcls"] == {"defaultAction": "Deny", "bypass": "AzureServices"}
    assert storage["networkRuleSet"] == {"defaultAction": "Deny", "bypass": "AzureServices"}
    assert registry["networkRuleBypassOptions"] == "AzureServices"
    assert registry["sku"] == {"name": "Premium"}
    assert workspace["imageBuildCompute"] == "cpu-cluster"  # ACR tasks cannot reach a private ACR


@private
def test_aks_is_private_in_its_subnet_and_compute_has_no_public_ip(
    planned: dict[str, PlannedStack], name: str
) -> None:
    stack = planned[name]
    cluster = one(stack.resources, CLUSTER)["inputs"]
    assert cluster["apiServerAccessProfile"] == {
        "enablePrivateCluster": True,
        "privateDNSZone": "system",
    }
    (pool,) = cluster["agentPoolProfiles"]
    assert pool["vnetSubnetID"] == stack.outputs["subnet_ids"]["aks"]
    assert cluster["networkProfile"]["networkPlugin"] == "azure"
    props = one(stack.resources, COMPUTE)["inputs"]["properties"]["properties"]
    assert props["enableNodePublicIp"] is False
    assert "subnet" not in props  # managed network: Azure ML places the nodes in its own VNet
    (access,) = [
        r for r in stack.resources if r["name"] == f"{SLUG}-aks-subnet-network-contributor"
    ]
    assert access["inputs"]["scope"] == stack.outputs["subnet_ids"]["aks"]
    assert access["inputs"]["roleDefinitionId"] == (
        f"/subscriptions/{FAKE_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/"
        f"roleDefinitions/{NETWORK_CONTRIBUTOR_ROLE_ID}"
    )
    assert access["inputs"]["principalId"] == stack.outputs["cluster_principal_id"]


def test_dev_has_no_network_and_stays_public(planned: dict[str, PlannedStack]) -> None:
    resources = planned["dev"].resources
    for typ in (VNET, PE, ZONE_GROUP, ZONE, LINK, NETWORK_TOKEN, ENDPOINT_TOKEN):
        assert of_type(resources, typ) == [], typ
    assert "network_urns" not in planned["dev"].outputs
    vault = one(resources, KV)["inputs"]["properties"]
    storage, registry = one(resources, ST)["inputs"], one(resources, ACR)["inputs"]
    for inputs in (vault, storage, registry, one(resources, MLW)["inputs"]):
        assert inputs["publicNetworkAccess"] == "Enabled"
    assert "networkAcls" not in vault
    assert "networkRuleSet" not in storage
    assert registry["sku"] == {"name": "Standard"}
    cluster = one(resources, CLUSTER)["inputs"]
    assert "apiServerAccessProfile" not in cluster
    assert "vnetSubnetID" not in cluster["agentPoolProfiles"][0]
    assert [r for r in resources if r["name"].endswith("-subnet-network-contributor")] == []
    compute = one(resources, COMPUTE)["inputs"]["properties"]["properties"]
    assert compute["enableNodePublicIp"] is True
    assert "subnet" not in compute


def _run(stack: str, **overrides: str) -> list[Record]:
    """The program for ``stack`` with config ``overrides``, run under a fresh mock engine."""
    mocks = mock_stack(stack, **overrides)
    settings = load_settings()

    @mocked
    def run() -> None:
        build(settings)

    run()
    return mocks.resources


def test_without_a_managed_network_the_compute_joins_the_training_subnet() -> None:
    resources = _run("prod", managedNetworkIsolation="Disabled")
    props = one(resources, COMPUTE)["inputs"]["properties"]["properties"]
    prefix = AzureNames("any-org", "prod").resource_prefix  # the slug, cut to Azure's limits
    assert props["subnet"]["id"].endswith(f"/virtualNetworks/vnet-{prefix}/subnets/snet-training")
    assert props["enableNodePublicIp"] is False
    assert one(resources, MLW)["inputs"]["managedNetwork"]["isolationMode"] == "Disabled"


def test_authorized_ranges_restrict_a_public_api_server() -> None:
    ranges = '["203.0.113.0/24","198.51.100.7/32"]'
    resources = _run("staging", aksPrivateCluster="false", aksAuthorizedIpRanges=ranges)
    profile = one(resources, CLUSTER)["inputs"]["apiServerAccessProfile"]
    assert profile == {"authorizedIPRanges": ["203.0.113.0/24", "198.51.100.7/32"]}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"trainingSubnet": "10.40.0.0/22"},
            "trainingSubnet 10.40.0.0/22 overlaps endpointsSubnet 10.40.0.0/24: set it with "
            "pulumi config set trainingSubnet <a free prefix inside 10.40.0.0/16>",
        ),
        (
            {"aksSubnet": "10.40.8.0/33"},
            "aksSubnet must be an IPv4 CIDR such as 10.40.0.0/24, got '10.40.8.0/33': "
            "set it with pulumi config set aksSubnet 10.40.0.0/24",
        ),
        (
            {"endpointsSubnet": "10.40.0.1/24"},  # host bits set: not a network
            "endpointsSubnet must be an IPv4 CIDR such as 10.40.0.0/24, got '10.40.0.1/24'",
        ),
        (
            {"aksSubnet": "10.41.0.0/22"},
            "aksSubnet 10.41.0.0/22 is outside vnetAddressSpace 10.40.0.0/16: "
            "set it with pulumi config set aksSubnet <a prefix inside 10.40.0.0/16>",
        ),
        (
            {"vnetAddressSpace": "10.0.0.0/8"},
            "vnetAddressSpace 10.0.0.0/8 overlaps AKS's service range 10.0.0.0/16",
        ),
        (
            {"managedNetworkIsolation": "Open"},
            "managedNetworkIsolation must be one of Disabled, AllowInternetOutbound, "
            "AllowOnlyApprovedOutbound, got 'Open': set it with pulumi config set "
            "managedNetworkIsolation AllowOnlyApprovedOutbound",
        ),
        (
            {"aksPrivateCluster": "false"},
            "aksPrivateCluster is false and aksAuthorizedIpRanges is empty, so this private "
            "stack's AKS API server is open to the whole internet: set it with pulumi config set "
            "aksPrivateCluster true, or pulumi config set --path 'aksAuthorizedIpRanges[0]' "
            "203.0.113.0/24",
        ),
        (
            {"aksPrivateCluster": "false", "aksAuthorizedIpRanges": '["0.0.0.0/0"]'},
            "aksAuthorizedIpRanges entry 0.0.0.0/0 admits the whole internet",
        ),
        (
            {"aksPrivateCluster": "false", "aksAuthorizedIpRanges": '["my-laptop"]'},
            "aksAuthorizedIpRanges must hold CIDRs such as 203.0.113.0/24, got 'my-laptop'",
        ),
        (
            {"aksAuthorizedIpRanges": '["203.0.113.0/24"]'},
            "aksAuthorizedIpRanges cannot restrict a private cluster",
        ),
    ],
)
def test_bad_network_config_is_one_line_naming_the_key_and_the_fix(
    overrides: dict[str, str], message: str
) -> None:
    config = with_config(load_stack_config("prod"), **overrides)
    with pytest.raises(plan.PlanError) as caught:
        plan.run_program(config)
    text = str(caught.value)
    assert text.startswith(f"Pulumi.prod.yaml: {message}")
    assert "\n" not in text


def test_network_rules_do_not_apply_to_a_public_stack() -> None:
    """dev ignores the prefixes (no network is built), and a public API server is allowed."""
    resources = _run("dev", aksSubnet="not-a-cidr")
    assert of_type(resources, VNET) == []


def test_an_endpoint_refuses_a_target_without_its_zone_ids() -> None:
    target = PrivateLinkTarget(
        "workspace", "workspace", "amlworkspace", ("privatelink.a", "privatelink.b")
    )
    args: dict[str, Any] = {
        "prefix": "dp-prod",
        "location": "westeurope",
        "resource_group_name": "rg",
        "target": target,
        "resource_id": "id",
        "subnet_id": pulumi.Output.from_input("subnet"),
        "zone_ids": {"privatelink.a": "zone-a"},
    }
    with pytest.raises(NetworkArgsError, match=r"no private DNS zone id for privatelink\.b"):
        PrivateLinkEndpointArgs(**args).validate()
