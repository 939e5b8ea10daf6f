"""Inputs of the AKS cluster, their rules and how settings and the workspace map onto them."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

from mlops_infra.settings import Settings

LOGIN_MODES = ("azurecli", "workloadidentity", "spn", "msi", "devicecode", "interactive")
_PREFIX = re.compile(r"[a-z][a-z0-9-]{0,38}[a-z0-9]")
_POOL_NAME = re.compile(r"[a-z][a-z0-9]{0,11}")


class AksArgsError(ValueError):
    """``AksClusterArgs`` are invalid; the message names the field and the fix."""


@dataclass(frozen=True)
class AksClusterArgs:
    """Inputs of ``AksCluster``; ``validate()`` runs in the component's constructor."""

    prefix: str  # <slug>-<environment>; the cluster is aks-<prefix>
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
    private_cluster: bool = False  # API server reachable only from the virtual network
    private_network: bool = False  # the stack is private: a world-open API server is refused
    subnet_id: pulumi.Input[str] | None = None  # the node pool's subnet (None: AKS-managed VNet)
    pool_name: str = "system"
    kubelogin_login_mode: str = "azurecli"
    acr_id: pulumi.Input[str] | None = None  # registry the kubelet identity may pull from

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        resource_group_name: pulumi.Input[str],
        acr_id: pulumi.Input[str] | None,
        subnet_id: pulumi.Input[str] | None = None,
    ) -> AksClusterArgs:
        """The stack's cluster, in the workspace's resource group, pulling from its registry."""
        return cls(
            prefix=settings.names.resource_prefix,
            resource_group_name=resource_group_name,
            location=settings.location,
            node_count=settings.aks_node_count,
            vm_size=settings.aks_vm_size,
            tags=settings.tags,
            authorized_ip_ranges=settings.aks_authorized_ip_ranges,
            private_cluster=settings.aks_private_cluster,
            private_network=settings.private_network,
            subnet_id=subnet_id,
            acr_id=acr_id,
        )

    @property
    def cluster_name(self) -> str:
        """The managed cluster's Azure name."""
        return f"aks-{self.prefix}"

    @property
    def autoscaler_max(self) -> int:
        """The node pool autoscaler's maximum."""
        return self.max_node_count or max(3, 2 * self.node_count)

    def validate(self) -> AksClusterArgs:
        """Raise ``AksArgsError`` on the first invalid field; return ``self`` otherwise."""
        if not _PREFIX.fullmatch(self.prefix):
            raise AksArgsError(
                f"prefix must be 2-40 lowercase letters, digits or '-', starting with a letter, "
                f"got {self.prefix!r}"
            )
        if not self.location:
            raise AksArgsError("location must be an Azure region such as westeurope")
        self._validate_nodes()
        self._validate_api_server()
        if self.sku_tier not in ("Free", "Standard", "Premium"):
            raise AksArgsError(f"sku_tier must be Free, Standard or Premium, got {self.sku_tier!r}")
        if self.kubelogin_login_mode not in LOGIN_MODES:
            raise AksArgsError(
                f"kubelogin_login_mode must be one of {', '.join(LOGIN_MODES)}, "
                f"got {self.kubelogin_login_mode!r}"
            )
        return self

    def _validate_nodes(self) -> None:
        """Node counts, VM size and pool name fit AKS."""
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
        if not _POOL_NAME.fullmatch(self.pool_name):
            raise AksArgsError(
                f"pool_name must be 1-12 lowercase letters or digits, got {self.pool_name!r}"
            )

    def _validate_api_server(self) -> None:
        """Authorized ranges are CIDRs; a private stack never has a world-open API server."""
        fix = "pulumi config set --path 'aksAuthorizedIpRanges[0]' 203.0.113.0/24"
        for cidr in self.authorized_ip_ranges:
            try:
                network = ipaddress.ip_network(cidr)
            except ValueError:
                raise AksArgsError(
                    f"aksAuthorizedIpRanges must hold CIDRs such as 203.0.113.0/24, got {cidr!r}: "
                    f"set them with {fix}"
                ) from None
            if network.prefixlen == 0:
                raise AksArgsError(
                    f"aksAuthorizedIpRanges entry {cidr} admits the whole internet: "
                    f"list only your CI and admin ranges with {fix}"
                )
        if self.private_cluster and self.authorized_ip_ranges:
            raise AksArgsError(
                "aksAuthorizedIpRanges cannot restrict a private cluster (aksPrivateCluster is "
                "true): clear it with pulumi config set aksAuthorizedIpRanges '[]'"
            )
        if self.private_network and not (self.private_cluster or self.authorized_ip_ranges):
            raise AksArgsError(
                "aksPrivateCluster is false and aksAuthorizedIpRanges is empty, so this private "
                "stack's AKS API server is open to the whole internet: set it with pulumi config "
                f"set aksPrivateCluster true, or {fix}"
            )
