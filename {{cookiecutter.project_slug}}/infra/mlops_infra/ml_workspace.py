"""The Azure ML workspace and everything it depends on, as one Pulumi component.

Resource group, Log Analytics, workspace-based Application Insights, an RBAC Key Vault with purge
protection, a locked-down storage account, a container registry without admin user, the Azure ML
workspace (system-assigned identity) and an AmlCompute cluster that scales to zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_azure_native as azure_native
from pulumi_azure_native import (
    applicationinsights,
    containerregistry,
    keyvault,
    machinelearningservices,
    operationalinsights,
    resources,
    storage,
)

from mlops_infra.settings import Settings

TYPE_TOKEN = "{{ cookiecutter.project_slug }}:ml:Workspace"  # noqa: S105 (a type token, not a secret)


@dataclass
class MlWorkspaceArgs:
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
    tags: dict[str, str] = field(default_factory=dict)
    compute_name: str = "cpu-cluster"
    compute_idle_before_scale_down: str = "PT15M"
    log_retention_days: int = 30
    key_vault_soft_delete_retention_days: int = 90

    @classmethod
    def from_settings(cls, settings: Settings) -> MlWorkspaceArgs:
        return cls(
            prefix=settings.resource_prefix,
            location=settings.location,
            resource_group_name=settings.resource_group_name,
            workspace_name=settings.workspace_name,
            storage_account_name=settings.storage_account_name,
            key_vault_name=settings.key_vault_name,
            container_registry_name=settings.container_registry_name,
            public_network_access=settings.public_network_access_mode,
            compute_vm_size=settings.compute_vm_size,
            compute_max_nodes=settings.compute_max_nodes,
            tags=dict(settings.tags),
        )


class MlWorkspace(pulumi.ComponentResource):
    """Azure ML workspace with its storage, secrets, registry, telemetry and training compute."""

    def __init__(
        self, name: str, args: MlWorkspaceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        common = {"location": args.location, "tags": tags}

        self.resource_group = resources.ResourceGroup(
            f"{name}-rg", resource_group_name=args.resource_group_name, opts=child, **common
        )
        rg_name = self.resource_group.name

        self.log_analytics = operationalinsights.Workspace(
            f"{name}-logs",
            resource_group_name=rg_name,
            workspace_name=f"log-{args.prefix}",
            sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=args.log_retention_days,
            opts=child,
            **common,
        )
        self.app_insights = applicationinsights.Component(
            f"{name}-appi",
            resource_group_name=rg_name,
            resource_name_=f"appi-{args.prefix}",
            kind="web",
            application_type="web",
            ingestion_mode="LogAnalytics",
            workspace_resource_id=self.log_analytics.id,
            opts=child,
            **common,
        )
        client = azure_native.authorization.get_client_config_output()
        self.key_vault = keyvault.Vault(
            f"{name}-kv",
            resource_group_name=rg_name,
            vault_name=args.key_vault_name,
            properties=keyvault.VaultPropertiesArgs(
                tenant_id=client.tenant_id,
                sku=keyvault.SkuArgs(family="A", name=keyvault.SkuName.STANDARD),
                enable_rbac_authorization=True,
                enable_purge_protection=True,
                enable_soft_delete=True,
                soft_delete_retention_in_days=args.key_vault_soft_delete_retention_days,
            ),
            opts=child,
            **common,
        )
        self.storage_account = storage.StorageAccount(
            f"{name}-st",
            resource_group_name=rg_name,
            account_name=args.storage_account_name,
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_LRS"),
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            opts=child,
            **common,
        )
        self.registry = containerregistry.Registry(
            f"{name}-acr",
            resource_group_name=rg_name,
            registry_name=args.container_registry_name,
            sku=containerregistry.SkuArgs(name="Standard"),
            admin_user_enabled=False,
            opts=child,
            **common,
        )
        self.workspace = machinelearningservices.Workspace(
            f"{name}-mlw",
            resource_group_name=rg_name,
            workspace_name=args.workspace_name,
            friendly_name=args.workspace_name,
            identity=machinelearningservices.ManagedServiceIdentityArgs(type="SystemAssigned"),
            sku=machinelearningservices.SkuArgs(name="Basic", tier="Basic"),
            storage_account=self.storage_account.id,
            key_vault=self.key_vault.id,
            application_insights=self.app_insights.id,
            container_registry=self.registry.id,
            public_network_access=args.public_network_access,
            opts=child,
            **common,
        )
        self.compute = machinelearningservices.Compute(
            f"{name}-compute",
            resource_group_name=rg_name,
            workspace_name=self.workspace.name,
            compute_name=args.compute_name,
            properties=machinelearningservices.AmlComputeArgs(
                compute_type="AmlCompute",
                disable_local_auth=True,
                properties=machinelearningservices.AmlComputePropertiesArgs(
                    vm_size=args.compute_vm_size,
                    vm_priority="Dedicated",
                    os_type="Linux",
                    remote_login_port_public_access="Disabled",
                    scale_settings=machinelearningservices.ScaleSettingsArgs(
                        min_node_count=0,
                        max_node_count=args.compute_max_nodes,
                        node_idle_time_before_scale_down=args.compute_idle_before_scale_down,
                    ),
                ),
            ),
            opts=child,
            **common,
        )

        self.workspace_name = self.workspace.name
        self.workspace_id = self.workspace.id
        self.resource_group_name = rg_name
        self.registry_login_server = self.registry.login_server
        self.key_vault_uri = self.key_vault.properties.vault_uri
        self.storage_account_name = self.storage_account.name
        self.log_analytics_workspace_id = self.log_analytics.id
        self.app_insights_id = self.app_insights.id
        self.register_outputs(
            {
                "workspace_name": self.workspace_name,
                "workspace_id": self.workspace_id,
                "resource_group_name": self.resource_group_name,
                "registry_login_server": self.registry_login_server,
                "key_vault_uri": self.key_vault_uri,
                "storage_account_name": self.storage_account_name,
                "log_analytics_workspace_id": self.log_analytics_workspace_id,
                "app_insights_id": self.app_insights_id,
            }
        )
