"""Inputs of the Azure ML workspace component, their rules and how settings map onto them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mlops_infra.settings import Settings


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
    public_network_access: str  # Azure enum value: "Enabled" or "Disabled"
    compute_vm_size: str
    compute_max_nodes: int
    tags: Mapping[str, str] = field(default_factory=dict)
    compute_name: str = "cpu-cluster"
    compute_idle_before_scale_down: str = "PT15M"
    log_retention_days: int = 30
    key_vault_soft_delete_retention_days: int = 90

    @classmethod
    def from_settings(cls, settings: Settings) -> MlWorkspaceArgs:
        """The stack's workspace: its names, network access and training cluster size."""
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
            compute_vm_size=settings.compute_vm_size,
            compute_max_nodes=settings.compute_max_nodes,
            tags=settings.tags,
        )

    def validate(self) -> MlWorkspaceArgs:
        """Raise ``WorkspaceArgsError`` on the first invalid field; return ``self`` otherwise."""
        if self.compute_max_nodes < 1:
            raise WorkspaceArgsError(
                f"compute_max_nodes must be at least 1, got {self.compute_max_nodes}: "
                "the training cluster scales from 0 up to it"
            )
        if self.public_network_access not in ("Enabled", "Disabled"):
            raise WorkspaceArgsError(
                "public_network_access must be Enabled or Disabled, "
                f"got {self.public_network_access!r}"
            )
        return self
