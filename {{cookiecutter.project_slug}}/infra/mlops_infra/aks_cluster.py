"""An AKS cluster with Entra ID (Azure RBAC) sign-in and the Kubernetes provider that targets it.

``AksCluster`` creates one ``azure-native:containerservice:ManagedCluster``:

* system-assigned managed identity, Kubernetes RBAC on, Entra ID integration with Azure RBAC for
  Kubernetes authorization, and local accounts disabled (no static admin kubeconfig exists);
* Azure CNI overlay with Calico network policy, so the serving namespace's NetworkPolicies are
  enforced;
* one autoscaling System node pool (Azure Linux, ``node_count`` .. ``max_node_count`` nodes);
* OIDC issuer and workload identity, the Key Vault CSI driver (for the scoring API key), automatic
  patch upgrades and node-image updates;
* with ``acr_id`` set, an ``AcrPull`` role assignment for the kubelet identity on that registry,
  so nodes pull the serving image without any registry credential.

and a ``pulumi_kubernetes.Provider`` from the cluster's *user* kubeconfig (the admin kubeconfig is
refused when local accounts are disabled). That kubeconfig uses the ``kubelogin`` exec plugin; its
login mode is rewritten to ``kubelogin_login_mode`` (``azurecli`` by default: ``az login`` or the
``azure/login`` CI step; ``workloadidentity`` for federated CI credentials), so ``pulumi up`` never
waits for an interactive device-code prompt.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s
import yaml
from pulumi_azure_native import authorization, containerservice

COMPONENT_TYPE = "{{ cookiecutter.project_slug }}:k8s:AksCluster"
ACR_PULL_ROLE_ID = "7f951dda-4ed3-4680-a7ca-43fe172d538d"  # built-in role "AcrPull"
LOGIN_MODES = ("azurecli", "workloadidentity", "spn", "msi", "devicecode", "interactive")
_PREFIX = re.compile(r"[a-z][a-z0-9-]{0,38}[a-z0-9]")
_POOL_NAME = re.compile(r"[a-z][a-z0-9]{0,11}")


class AksArgsError(ValueError):
    """``AksClusterArgs`` are invalid; the message names the field and the fix."""


@dataclass(frozen=True)
class AksClusterArgs:
    """Inputs of ``AksCluster``; ``validate()`` runs in the component's constructor."""

    prefix: str  # e.g. {{ cookiecutter.project_slug }}-dev; the cluster is aks-<prefix>
    resource_group_name: pulumi.Input[str]
    location: str
    node_count: int = 2  # the autoscaler's minimum
    vm_size: str = "Standard_D4s_v5"
    tags: Mapping[str, str] = field(default_factory=dict)
    max_node_count: int | None = None  # default: 2 * node_count (at least 3)
    kubernetes_version: str | None = None  # None: AKS's default version
    sku_tier: str = "Standard"  # Free (no uptime SLA) or Standard
    admin_group_object_ids: Sequence[str] = ()  # Entra groups that are cluster admins
    availability_zones: Sequence[str] = ()  # e.g. ("1", "2", "3") where the region has zones
    authorized_ip_ranges: Sequence[str] = ()  # API server allow-list; empty: no restriction
    pool_name: str = "system"
    kubelogin_login_mode: str = "azurecli"
    acr_id: pulumi.Input[str] | None = None  # registry the kubelet identity may pull from

    @property
    def cluster_name(self) -> str:
        return f"aks-{self.prefix}"

    @property
    def autoscaler_max(self) -> int:
        return self.max_node_count or max(3, 2 * self.node_count)

    def validate(self) -> AksClusterArgs:
        if not _PREFIX.fullmatch(self.prefix):
            raise AksArgsError(
                f"prefix must be 2-40 lowercase letters, digits or '-', starting with a letter, "
                f"got {self.prefix!r}"
            )
        if not self.location:
            raise AksArgsError("location must be an Azure region such as westeurope")
        if self.node_count < 1:
            raise AksArgsError(f"node_count must be at least 1, got {self.node_count}")
        if self.autoscaler_max < self.node_count:
            raise AksArgsError(
                f"max_node_count ({self.max_node_count}) must be at least node_count "
                f"({self.node_count})"
            )
        if not self.vm_size.startswith("Standard_"):
            raise AksArgsError(
                f"vm_size must be an Azure VM size (Standard_...), got {self.vm_size!r}"
            )
        if self.sku_tier not in ("Free", "Standard", "Premium"):
            raise AksArgsError(f"sku_tier must be Free, Standard or Premium, got {self.sku_tier!r}")
        if not _POOL_NAME.fullmatch(self.pool_name):
            raise AksArgsError(
                f"pool_name must be 1-12 lowercase letters or digits, got {self.pool_name!r}"
            )
        if self.kubelogin_login_mode not in LOGIN_MODES:
            raise AksArgsError(
                f"kubelogin_login_mode must be one of {', '.join(LOGIN_MODES)}, "
                f"got {self.kubelogin_login_mode!r}"
            )
        return self


def kubeconfig_with_login_mode(kubeconfig: str, mode: str) -> str:
    """Set ``--login <mode>`` on every kubelogin exec user of a kubeconfig (pure function)."""
    config = yaml.safe_load(kubeconfig) or {}
    for user in config.get("users") or []:
        exec_config = (user.get("user") or {}).get("exec")
        if not exec_config or "kubelogin" not in str(exec_config.get("command", "")):
            continue
        args = list(exec_config.get("args") or [])
        for flag in ("--login", "-l"):
            while flag in args:
                index = args.index(flag)
                del args[index : index + 2]
        exec_config["args"] = [*args, "--login", mode]
    return yaml.safe_dump(config, sort_keys=False)


def acr_pull_role_definition_id(scope_id: str) -> str:
    """The subscription-scoped id of the AcrPull role, for the subscription of ``scope_id``."""
    parts = scope_id.split("/")
    if len(parts) < 3 or parts[1].lower() != "subscriptions":
        raise ValueError(f"not an Azure resource id: {scope_id!r}")
    return (
        f"/subscriptions/{parts[2]}/providers/Microsoft.Authorization/roleDefinitions/"
        f"{ACR_PULL_ROLE_ID}"
    )


def kubelet_object_id(identity_profile: Mapping[str, object] | None) -> str | None:
    """The kubelet identity's object id from a ManagedCluster's ``identity_profile`` output."""
    identity = (identity_profile or {}).get("kubeletidentity")
    if identity is None:
        return None
    if isinstance(identity, Mapping):
        return identity.get("objectId") or identity.get("object_id")
    return getattr(identity, "object_id", None)


def decode_kubeconfig(credentials: object, mode: str) -> str:
    """The first kubeconfig of a ``listManagedClusterUserCredentials`` result, as YAML text."""
    kubeconfigs = getattr(credentials, "kubeconfigs", None) or []
    if not kubeconfigs:
        raise ValueError("listManagedClusterUserCredentials returned no kubeconfig")
    raw = base64.b64decode(kubeconfigs[0].value).decode("utf-8")
    return kubeconfig_with_login_mode(raw, mode)


class AksCluster(pulumi.ComponentResource):
    """The managed cluster plus ``provider``, a Kubernetes provider bound to it."""

    cluster: containerservice.ManagedCluster
    provider: k8s.Provider
    cluster_name: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    oidc_issuer_url: pulumi.Output[str]
    principal_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: AksClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args.validate()
        super().__init__(COMPONENT_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        pool = containerservice.ManagedClusterAgentPoolProfileArgs(
            name=args.pool_name,
            mode=containerservice.AgentPoolMode.SYSTEM,
            type=containerservice.AgentPoolType.VIRTUAL_MACHINE_SCALE_SETS,
            os_type=containerservice.OSType.LINUX,
            os_sku=containerservice.OSSKU.AZURE_LINUX,
            vm_size=args.vm_size,
            count=args.node_count,
            enable_auto_scaling=True,
            min_count=args.node_count,
            max_count=args.autoscaler_max,
            max_pods=110,
            availability_zones=list(args.availability_zones) or None,
            upgrade_settings=containerservice.AgentPoolUpgradeSettingsArgs(max_surge="33%"),
            tags=tags,
        )
        access = None
        if args.authorized_ip_ranges:
            access = containerservice.ManagedClusterAPIServerAccessProfileArgs(
                authorized_ip_ranges=list(args.authorized_ip_ranges)
            )
        self.cluster = containerservice.ManagedCluster(
            f"{name}-cluster",
            resource_name_=args.cluster_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            dns_prefix=args.prefix,
            kubernetes_version=args.kubernetes_version,
            sku=containerservice.ManagedClusterSKUArgs(
                name=containerservice.ManagedClusterSKUName.BASE, tier=args.sku_tier
            ),
            identity=containerservice.ManagedClusterIdentityArgs(
                type=containerservice.ResourceIdentityType.SYSTEM_ASSIGNED
            ),
            enable_rbac=True,
            disable_local_accounts=True,
            aad_profile=containerservice.ManagedClusterAADProfileArgs(
                managed=True,
                enable_azure_rbac=True,
                admin_group_object_ids=list(args.admin_group_object_ids) or None,
            ),
            agent_pool_profiles=[pool],
            network_profile=containerservice.ContainerServiceNetworkProfileArgs(
                network_plugin=containerservice.NetworkPlugin.AZURE,
                network_plugin_mode=containerservice.NetworkPluginMode.OVERLAY,
                network_policy=containerservice.NetworkPolicy.CALICO,
                load_balancer_sku="standard",
            ),
            api_server_access_profile=access,
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            security_profile=containerservice.ManagedClusterSecurityProfileArgs(
                workload_identity=containerservice.ManagedClusterSecurityProfileWorkloadIdentityArgs(
                    enabled=True
                ),
                image_cleaner=containerservice.ManagedClusterSecurityProfileImageCleanerArgs(
                    enabled=True, interval_hours=168
                ),
            ),
            addon_profiles={
                "azureKeyvaultSecretsProvider": containerservice.ManagedClusterAddonProfileArgs(
                    enabled=True, config={"enableSecretRotation": "true"}
                ),
            },
            auto_upgrade_profile=containerservice.ManagedClusterAutoUpgradeProfileArgs(
                upgrade_channel=containerservice.UpgradeChannel.PATCH,
                node_os_upgrade_channel=containerservice.NodeOSUpgradeChannel.NODE_IMAGE,
            ),
            tags=tags,
            opts=child,
        )
        self.cluster_name = self.cluster.name
        self.acr_pull: authorization.RoleAssignment | None = None
        if args.acr_id is not None:
            self.acr_pull = authorization.RoleAssignment(
                f"{name}-acr-pull",
                principal_id=self.cluster.identity_profile.apply(kubelet_object_id),
                principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
                role_definition_id=pulumi.Output.from_input(args.acr_id).apply(
                    acr_pull_role_definition_id
                ),
                scope=args.acr_id,
                description="AKS kubelet pulls the serving image",
                opts=child,
            )

        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=args.resource_group_name,
            resource_name=self.cluster.name,
            format="exec",
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        mode = args.kubelogin_login_mode
        self.kubeconfig = pulumi.Output.secret(
            credentials.apply(lambda result: decode_kubeconfig(result, mode))
        )
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            delete_unreachable=False,
            opts=child,
        )
        self.oidc_issuer_url = self.cluster.oidc_issuer_profile.apply(
            lambda profile: profile.issuer_url if profile else None
        )
        self.principal_id = self.cluster.identity.apply(
            lambda identity: identity.principal_id if identity else None
        )
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "clusterId": self.cluster.id,
                "fqdn": self.cluster.fqdn,
                "oidcIssuerUrl": self.oidc_issuer_url,
                "principalId": self.principal_id,
                "kubeconfig": self.kubeconfig,
            }
        )
