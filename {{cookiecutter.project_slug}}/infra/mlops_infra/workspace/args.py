"""Inputs of the Azure ML workspace and its training cluster, their rules and their settings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from mlops_infra.settings import Settings

ISOLATION_MODES = ("Disabled", "AllowInternetOutbound", "AllowOnlyApprovedOutbound")
# Built-in "Storage Blob Data Contributor": the training cluster's identity on the workspace
# storage, which refuses shared keys (jobs read and write their datastores as that identity).
STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE_ID = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
APPROVED_ONLY = "AllowOnlyApprovedOutbound"
RETENTION_DAYS = (30, 730)  # what a PerGB2018 Log Analytics workspace accepts
_FQDN = re.compile(r"(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_KEY_ID = re.compile(
    r"https://[a-z0-9-]{3,24}\.vault\.azure\.net/keys/[A-Za-z0-9-]+(/[0-9a-f]{32})?"
)


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
    log_retention_days: int = 90
    outbound_fqdns: tuple[str, ...] = ()  # FQDN rules, applied in AllowOnlyApprovedOutbound only
    customer_managed_key: str = ""  # key identifier; empty: Microsoft-managed keys
    customer_managed_key_vault_id: str = ""
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
            log_retention_days=settings.log_retention_days,
            outbound_fqdns=settings.approved_outbound_fqdns,
            customer_managed_key=settings.customer_managed_key,
            customer_managed_key_vault_id=settings.customer_managed_key_vault_id,
        )

    @property
    def fqdn_rules(self) -> tuple[str, ...]:
        """The FQDN outbound rules the managed network gets (only approved outbound has any)."""
        return self.outbound_fqdns if self.managed_network_isolation == APPROVED_ONLY else ()

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
        self._validate_logs_and_rules()
        self._validate_customer_key()
        return self

    def _validate_logs_and_rules(self) -> None:
        low, high = RETENTION_DAYS
        if not low <= self.log_retention_days <= high:
            raise WorkspaceArgsError(
                f"logRetentionDays must be between {low} and {high}, got "
                f"{self.log_retention_days}: set it with pulumi config set logRetentionDays 90"
            )
        for index, fqdn in enumerate(self.outbound_fqdns):
            if not _FQDN.fullmatch(fqdn):
                raise WorkspaceArgsError(
                    f"approvedOutboundFqdns[{index}] must be a host name (optionally *.), got "
                    f"{fqdn!r}: set it with pulumi config set --path "
                    f"'approvedOutboundFqdns[{index}]' pkgs.dev.azure.com"
                )

    def _validate_customer_key(self) -> None:
        key, vault = self.customer_managed_key, self.customer_managed_key_vault_id
        if not key and not vault:
            return
        if not _KEY_ID.fullmatch(key):
            raise WorkspaceArgsError(
                f"customerManagedKey must be a Key Vault key identifier "
                f"https://<vault>.vault.azure.net/keys/<name>[/<version>], got {key!r}: set it "
                "with pulumi config set customerManagedKey <key id>, or clear both CMK keys"
            )
        if "/providers/microsoft.keyvault/vaults/" not in vault.lower():
            raise WorkspaceArgsError(
                f"customerManagedKeyVaultId must be the ARM id of the key's vault, got {vault!r}: "
                "set it with pulumi config set customerManagedKeyVaultId /subscriptions/<id>/"
                "resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<vault>"
            )


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
