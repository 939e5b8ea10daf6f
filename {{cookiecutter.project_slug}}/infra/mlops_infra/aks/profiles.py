"""Pure builders of the managed cluster's profiles: node pool, sign-in, network, add-ons."""

from __future__ import annotations

from pulumi_azure_native import containerservice as cs

from mlops_infra.aks.args import AksClusterArgs


def agent_pool(args: AksClusterArgs) -> cs.ManagedClusterAgentPoolProfileArgs:
    """One autoscaling System pool of Azure Linux VM scale sets."""
    return cs.ManagedClusterAgentPoolProfileArgs(
        name=args.pool_name,
        mode=cs.AgentPoolMode.SYSTEM,
        type=cs.AgentPoolType.VIRTUAL_MACHINE_SCALE_SETS,
        os_type=cs.OSType.LINUX,
        os_sku=cs.OSSKU.AZURE_LINUX,
        vm_size=args.vm_size,
        count=args.node_count,
        enable_auto_scaling=True,
        min_count=args.node_count,
        max_count=args.autoscaler_max,
        max_pods=110,
        vnet_subnet_id=args.subnet_id,
        availability_zones=list(args.availability_zones) or None,
        upgrade_settings=cs.AgentPoolUpgradeSettingsArgs(max_surge="33%"),
        tags=dict(args.tags),
    )


def aad_profile(args: AksClusterArgs) -> cs.ManagedClusterAADProfileArgs:
    """Entra ID sign-in with Azure RBAC for Kubernetes authorization."""
    return cs.ManagedClusterAADProfileArgs(
        managed=True,
        enable_azure_rbac=True,
        admin_group_object_ids=list(args.admin_group_object_ids) or None,
    )


def api_server_access(args: AksClusterArgs) -> cs.ManagedClusterAPIServerAccessProfileArgs | None:
    """A private API server, or its IP allow-list, or None for no restriction."""
    if args.private_cluster:
        return cs.ManagedClusterAPIServerAccessProfileArgs(
            enable_private_cluster=True, private_dns_zone="system"
        )
    if not args.authorized_ip_ranges:
        return None
    return cs.ManagedClusterAPIServerAccessProfileArgs(
        authorized_ip_ranges=list(args.authorized_ip_ranges)
    )


def security_profile() -> cs.ManagedClusterSecurityProfileArgs:
    """Workload identity on; the image cleaner removes unused images weekly."""
    return cs.ManagedClusterSecurityProfileArgs(
        workload_identity=cs.ManagedClusterSecurityProfileWorkloadIdentityArgs(enabled=True),
        image_cleaner=cs.ManagedClusterSecurityProfileImageCleanerArgs(
            enabled=True, interval_hours=168
        ),
    )


def network_profile() -> cs.ContainerServiceNetworkProfileArgs:
    """Azure CNI overlay with Calico, which enforces NetworkPolicies; nodes in ``subnet_id``."""
    return cs.ContainerServiceNetworkProfileArgs(
        network_plugin=cs.NetworkPlugin.AZURE,
        network_plugin_mode=cs.NetworkPluginMode.OVERLAY,
        network_policy=cs.NetworkPolicy.CALICO,
        load_balancer_sku="standard",
    )


def addon_profiles() -> dict[str, cs.ManagedClusterAddonProfileArgs]:
    """The Key Vault CSI driver, for workloads mounting Key Vault secrets (not the scoring pods)."""
    return {
        "azureKeyvaultSecretsProvider": cs.ManagedClusterAddonProfileArgs(
            enabled=True, config={"enableSecretRotation": "true"}
        ),
    }


def auto_upgrade_profile() -> cs.ManagedClusterAutoUpgradeProfileArgs:
    """Automatic patch upgrades of Kubernetes and node-image upgrades of the nodes."""
    return cs.ManagedClusterAutoUpgradeProfileArgs(
        upgrade_channel=cs.UpgradeChannel.PATCH,
        node_os_upgrade_channel=cs.NodeOSUpgradeChannel.NODE_IMAGE,
    )
