"""``MlWorkspace``: the Azure ML workspace and everything it depends on, as one component.

Resource group, Log Analytics, workspace-based Application Insights, an RBAC Key Vault with purge
protection, a locked-down storage account that refuses shared keys (Entra ID only), a container
registry without admin user and the Azure ML workspace (system-assigned identity, identity-based
system datastores, managed network from config with the approved FQDN outbound rules, an optional
customer-managed key). Where private
(``public_network_access`` Disabled) the Key Vault, storage, registry and workspace refuse public
traffic (network rules default Deny, trusted Azure services bypass) and the registry is Premium;
``private_link_ids`` are what ``PrivateLinkEndpoint`` components connect to. The training cluster
is ``TrainingCompute`` (``compute.py``), created once the network exists.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi_azure_native import (
    applicationinsights,
    authorization,
    containerregistry,
    keyvault,
    operationalinsights,
    resources,
    storage,
)
from pulumi_azure_native import machinelearningservices as ml

from mlops_infra.naming import type_token
from mlops_infra.workspace.args import MlWorkspaceArgs

TYPE_TOKEN = type_token("ml", "Workspace")
FQDN_RULE_PREFIX = "approved-"
# The component's outputs, registered under their attribute names.
OUTPUTS = (
    "workspace_name",
    "workspace_id",
    "resource_group_name",
    "registry_login_server",
    "key_vault_uri",
    "storage_account_name",
    "log_analytics_workspace_id",
    "app_insights_id",
    "private_link_ids",
)


class MlWorkspace(pulumi.ComponentResource):
    """Azure ML workspace with its storage, secrets, registry, telemetry and training compute."""

    def __init__(
        self, name: str, args: MlWorkspaceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args.validate()
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self._child = pulumi.ResourceOptions(parent=self)
        self._common: dict[str, Any] = {"location": args.location, "tags": dict(args.tags)}
        self.resource_group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=args.resource_group_name,
            opts=self._child,
            **self._common,
        )
        self.resource_group_name: pulumi.Output[str] = self.resource_group.name
        self._telemetry()
        self._key_vault()
        self._storage_and_registry()
        self._workspace()
        self.workspace_name: pulumi.Output[str] = self.workspace.name
        self.workspace_id: pulumi.Output[str] = self.workspace.id
        self.registry_login_server: pulumi.Output[str] = self.registry.login_server
        self.key_vault_uri = self.key_vault.properties.vault_uri
        self.storage_account_name: pulumi.Output[str] = self.storage_account.name
        self.log_analytics_workspace_id: pulumi.Output[str] = self.log_analytics.id
        self.app_insights_id: pulumi.Output[str] = self.app_insights.id
        self.private_link_ids: dict[str, pulumi.Output[str]] = {
            "workspace": self.workspace.id,
            "key_vault": self.key_vault.id,
            "storage": self.storage_account.id,
            "registry": self.registry.id,
        }
        self.register_outputs({key: getattr(self, key) for key in OUTPUTS})

    def _telemetry(self) -> None:
        """Log Analytics and the workspace-based Application Insights that writes to it."""
        name, args = self._name, self._args
        self.log_analytics = operationalinsights.Workspace(
            f"{name}-logs",
            resource_group_name=self.resource_group_name,
            workspace_name=f"log-{args.prefix}",
            sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=args.log_retention_days,
            opts=self._child,
            **self._common,
        )
        self.app_insights = applicationinsights.Component(
            f"{name}-appi",
            resource_group_name=self.resource_group_name,
            resource_name_=f"appi-{args.prefix}",
            kind="web",
            application_type="web",
            ingestion_mode="LogAnalytics",
            workspace_resource_id=self.log_analytics.id,
            opts=self._child,
            **self._common,
        )

    def _key_vault(self) -> None:
        """The Key Vault: RBAC authorization, purge protection and soft delete."""
        name, args, rg_name = self._name, self._args, self.resource_group_name
        client = authorization.get_client_config_output()
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
                public_network_access=args.public_network_access,
                network_acls=(
                    keyvault.NetworkRuleSetArgs(default_action="Deny", bypass="AzureServices")
                    if args.private
                    else None
                ),
            ),
            opts=self._child,
            **self._common,
        )

    def _storage_and_registry(self) -> None:
        """The HTTPS-only, Entra-only storage account and the registry without admin user.

        ``allow_shared_key_access=False``: no account key or SAS signed with one works, so
        whoever reads or writes data needs a Storage Blob Data role (the workspace's datastores
        are identity-based to match)."""
        name, args, rg_name = self._name, self._args, self.resource_group_name
        self.storage_account = storage.StorageAccount(
            f"{name}-st",
            resource_group_name=rg_name,
            account_name=args.storage_account_name,
            kind="StorageV2",
            sku=storage.SkuArgs(name="Standard_LRS"),
            enable_https_traffic_only=True,
            minimum_tls_version="TLS1_2",
            allow_blob_public_access=False,
            allow_shared_key_access=False,
            default_to_o_auth_authentication=True,
            public_network_access=args.public_network_access,
            network_rule_set=(
                storage.NetworkRuleSetArgs(
                    default_action=storage.DefaultAction.DENY, bypass="AzureServices"
                )
                if args.private
                else None
            ),
            opts=self._child,
            **self._common,
        )
        self.registry = containerregistry.Registry(
            f"{name}-acr",
            resource_group_name=rg_name,
            registry_name=args.container_registry_name,
            sku=containerregistry.SkuArgs(name=args.registry_sku),
            admin_user_enabled=False,
            public_network_access=args.public_network_access,
            network_rule_bypass_options="AzureServices",
            opts=self._child,
            **self._common,
        )

    def _workspace(self) -> None:
        """The workspace, with its identity, linked to the stores and the telemetry.

        Its system datastores are identity-based: Azure ML reaches the storage with Entra ID
        tokens (the caller's, the compute's or its own identity), never with the account key."""
        name, args = self._name, self._args
        self.workspace = ml.Workspace(
            f"{name}-mlw",
            resource_group_name=self.resource_group_name,
            workspace_name=args.workspace_name,
            friendly_name=args.workspace_name,
            identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
            sku=ml.SkuArgs(name="Basic", tier=ml.SkuTier.BASIC),
            storage_account=self.storage_account.id,
            system_datastores_auth_mode=ml.SystemDatastoresAuthMode.IDENTITY,
            key_vault=self.key_vault.id,
            application_insights=self.app_insights.id,
            container_registry=self.registry.id,
            public_network_access=args.public_network_access,
            managed_network=ml.ManagedNetworkSettingsArgs(
                isolation_mode=args.managed_network_isolation,
                outbound_rules=outbound_rules(args.fqdn_rules) or None,
            ),
            encryption=customer_key(args),
            image_build_compute=args.image_build_compute if args.private else None,
            opts=self._child,
            **self._common,
        )


def outbound_rules(fqdns: tuple[str, ...]) -> dict[str, ml.FqdnOutboundRuleArgs]:
    """One user-defined FQDN rule per host, named after it (``approved-<host>``)."""
    return {
        FQDN_RULE_PREFIX + fqdn.replace("*.", "any-").replace(".", "-"): ml.FqdnOutboundRuleArgs(
            type="FQDN", category=ml.RuleCategory.USER_DEFINED, destination=fqdn
        )
        for fqdn in fqdns
    }


def customer_key(args: MlWorkspaceArgs) -> ml.EncryptionPropertyArgs | None:
    """Encryption with the customer-managed key, through the workspace's system identity."""
    if not args.customer_managed_key:
        return None
    return ml.EncryptionPropertyArgs(
        status=ml.EncryptionStatus.ENABLED,
        key_vault_properties=ml.KeyVaultPropertiesArgs(
            key_identifier=args.customer_managed_key,
            key_vault_arm_id=args.customer_managed_key_vault_id,
        ),
    )
