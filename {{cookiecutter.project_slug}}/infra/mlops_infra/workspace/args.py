"""Inputs of the Azure ML workspace and its training cluster, their rules and their settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from mlops_infra.settings import Settings

ISOLATION_MODES = ("Disabled", "AllowInternetOutbound", "AllowOnlyApprovedOutbound")
# Built-in "Storage Blob Data Contributor": the training cluster's identity on the workspace
# storage, which refuses shared keys (jobs read and write their datastores as that identity).
STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE_ID = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"


class WorkspaceArgsError(ValueError):
    """``MlWorkspaceArgs`` are invalid; the message names the field and the fix."""


@dataclass(frozen=True)
class MlWorkspaceArgs:
    """Inputs of ``MlWorkspace``; ``validate()`` runs in the component's constructor."""

    prefix: str
    location: str
    resource_group_name: str
    workspace_name: str
    storage_account_name: str
    key_vault_name: str
    container_registry_name: str
    public_network_access: str  # Azure enum value: "Enabled" or "Disabled" (private endpoints)
    managed_network_isolation: str  # one of ISOLATION_MODES
    tags: Mapping[str, str] = field(default_factory=dict)
    image_build_compute: str = "cpu-cluster"  # builds environment images when ACR is private
    log_retention_days: int = 30
    key_vault_soft_delete_retention_days: int = 90

    @classmethod
    def from_settings(cls, settings: Settings) -> MlWorkspaceArgs:
        """The stack's workspace: its names, network access and managed network."""
        names = settings.names
        return cls(
            prefix=names.resource_prefix,
            location=settings.location,
            resource_group_name=names.resource_group_name,
            workspace_name=names.workspace_name,
            storage_account_name=names.storage_account_name,
            key_vault_name=names.key_vault_name,
            container_registry_name=names.container_registry_name,
            public_network_access=settings.public_network_access_mode,
            managed_network_isolation=settings.managed_network_isolation,
            tags=settings.tags,
        )

    @property
    def private(self) -> bool:
        """Reached through private endpoints only: stores deny public traffic, ACR is Premium."""
        return self.public_network_access == "Disabled"

    @property
    def registry_sku(self) -> str:
        """Premium where private (private endpoints need it), Standard otherwise."""
        return "Premium" if self.private else "Standard"

    def validate(self) -> MlWorkspaceArgs:
        """Raise ``WorkspaceArgsError`` on the first invalid field; return ``self`` otherwise."""
        if self.public_network_access not in ("Enabled", "Disabled"):
            raise WorkspaceArgsError(
                "public_network_access must be Enabled or Disabled, "
                f"got {self.public_network_access!r}"
            )
        if self.managed_network_isolation not in ISOLATION_MODES:
            raise WorkspaceArgsError(
                f"managedNetworkIsolation must be one of {', '.join(ISOLATION_MODES)}, "
                f"got {self.managed_network_isolation!r}: set it with pulumi config set "
                "managedNetworkIsolation AllowOnlyApprovedOutbound"
            )
        return self


@dataclass(frozen=True)
class TrainingComputeArgs:
    """Inputs of ``TrainingCompute``; ``validate()`` runs in the component's constructor."""

    location: str
    resource_group_name: pulumi.Input[str]
    workspace_name: pulumi.Input[str]
    vm_size: str
    max_nodes: int
    node_public_ip: bool
    storage_account_id: pulumi.Input[str]  # the workspace storage its jobs read and write
    subnet_id: pulumi.Input[str] | None = None  # None: no VNet, or Azure ML's managed network
    tags: Mapping[str, str] = field(default_factory=dict)
    name: str = "cpu-cluster"
    idle_before_scale_down: str = "PT15M"

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        workspace: tuple[pulumi.Input[str], pulumi.Input[str], pulumi.Input[str]],
        training_subnet_id: pulumi.Input[str] | None,
    ) -> TrainingComputeArgs:
        """The cluster of ``workspace`` (resource group, name, storage account id); in our subnet
        where settings say."""
        resource_group_name, workspace_name, storage_account_id = workspace
        in_subnet = settings.compute_in_training_subnet
        return cls(
            location=settings.location,
            resource_group_name=resource_group_name,
            workspace_name=workspace_name,
            vm_size=settings.compute_vm_size,
            max_nodes=settings.compute_max_nodes,
            node_public_ip=not settings.private_network,
            storage_account_id=storage_account_id,
            subnet_id=training_subnet_id if in_subnet else None,
            tags=settings.tags,
        )

    def validate(self) -> TrainingComputeArgs:
        """Raise ``WorkspaceArgsError`` on the first invalid field; return ``self`` otherwise."""
        if self.max_nodes < 1:
            raise WorkspaceArgsError(
                f"compute_max_nodes must be at least 1, got {self.max_nodes}: "
                "the training cluster scales from 0 up to it"
            )
        return self
