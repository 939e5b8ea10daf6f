"""``AksCluster``: an AKS cluster with Entra ID sign-in and a Kubernetes provider that targets it.

It creates one ``azure-native:containerservice:ManagedCluster``: system-assigned managed identity,
Kubernetes RBAC, Entra ID with Azure RBAC for Kubernetes authorization and local accounts disabled
(no static admin kubeconfig exists); Azure CNI overlay with Calico network policy, so the serving
namespace's NetworkPolicies are enforced; one autoscaling System node pool (Azure Linux), in
``subnet_id`` when the stack is private; a private API server (``private_cluster``) or one limited
to ``authorized_ip_ranges``; OIDC issuer and workload identity; the Key Vault Secrets Store CSI
driver add-on (with rotation) for workloads that mount Key Vault secrets as files; automatic patch
and node-image upgrades. The serving pods do not use that driver: they read the scoring API key
from a Kubernetes Secret that CI creates out of band (see ``mlops_infra.serving.component``). With
``acr_id`` set, the kubelet identity gets ``AcrPull`` on that registry, so nodes pull the serving
image without credentials.

The ``pulumi_kubernetes.Provider`` uses the cluster's *user* kubeconfig (the admin one is refused
with local accounts disabled). Its ``kubelogin`` exec plugin is switched to
``kubelogin_login_mode`` (``azurecli``: ``az login`` or the ``azure/login`` CI step;
``workloadidentity`` for federated CI credentials), so ``pulumi up`` never waits for a device code.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
from pulumi_azure_native import authorization, containerservice

from mlops_infra.aks import profiles
from mlops_infra.aks.args import AksClusterArgs
from mlops_infra.aks.credentials import (
    acr_pull_role_definition_id,
    decode_kubeconfig,
    kubelet_object_id,
    network_contributor_role_definition_id,
)
from mlops_infra.naming import type_token

COMPONENT_TYPE = type_token("k8s", "AksCluster")


class AksCluster(pulumi.ComponentResource):
    """The managed cluster plus ``provider``, a Kubernetes provider bound to it."""

    def __init__(
        self, name: str, args: AksClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args.validate()
        super().__init__(COMPONENT_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.cluster = self._managed_cluster(name, args, child)
        self.cluster_name: pulumi.Output[str] = self.cluster.name
        self.acr_pull = None if args.acr_id is None else self._acr_pull(name, args.acr_id, child)
        self.subnet_access = (
            None if args.subnet_id is None else self._subnet_access(name, args.subnet_id, child)
        )
        self.kubeconfig = self._user_kubeconfig(args)
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

    def _managed_cluster(
        self, name: str, args: AksClusterArgs, child: pulumi.ResourceOptions
    ) -> containerservice.ManagedCluster:
        """The cluster itself: identity, sign-in, node pool, network, add-ons and upgrades."""
        identity = containerservice.ResourceIdentityType.SYSTEM_ASSIGNED
        return containerservice.ManagedCluster(
            f"{name}-cluster",
            resource_name_=args.cluster_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            dns_prefix=args.prefix,
            kubernetes_version=args.kubernetes_version,
            sku=containerservice.ManagedClusterSKUArgs(
                name=containerservice.ManagedClusterSKUName.BASE, tier=args.sku_tier
            ),
            identity=containerservice.ManagedClusterIdentityArgs(type=identity),
            enable_rbac=True,
            disable_local_accounts=True,
            aad_profile=profiles.aad_profile(args),
            agent_pool_profiles=[profiles.agent_pool(args)],
            network_profile=profiles.network_profile(),
            api_server_access_profile=profiles.api_server_access(args),
            oidc_issuer_profile=containerservice.ManagedClusterOIDCIssuerProfileArgs(enabled=True),
            security_profile=profiles.security_profile(),
            addon_profiles=profiles.addon_profiles(),
            auto_upgrade_profile=profiles.auto_upgrade_profile(),
            tags=dict(args.tags),
            opts=child,
        )

    def _acr_pull(
        self, name: str, acr_id: pulumi.Input[str], child: pulumi.ResourceOptions
    ) -> authorization.RoleAssignment:
        """AcrPull on the registry for the kubelet identity: nodes pull without credentials."""
        return authorization.RoleAssignment(
            f"{name}-acr-pull",
            principal_id=self.cluster.identity_profile.apply(kubelet_object_id),
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role_definition_id=pulumi.Output.from_input(acr_id).apply(acr_pull_role_definition_id),
            scope=acr_id,
            description="AKS kubelet pulls the serving image",
            opts=child,
        )

    def _subnet_access(
        self, name: str, subnet_id: pulumi.Input[str], child: pulumi.ResourceOptions
    ) -> authorization.RoleAssignment:
        """Network Contributor on the node subnet for the cluster identity: AKS joins nodes and
        internal load balancers to a subnet it does not own only with it."""
        return authorization.RoleAssignment(
            f"{name}-subnet-network-contributor",
            principal_id=self.cluster.identity.apply(
                lambda identity: identity.principal_id if identity else ""
            ),
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role_definition_id=pulumi.Output.from_input(subnet_id).apply(
                network_contributor_role_definition_id
            ),
            scope=subnet_id,
            description="AKS control plane manages its nodes and load balancers in the subnet",
            opts=child,
        )

    def _user_kubeconfig(self, args: AksClusterArgs) -> pulumi.Output[str]:
        """The cluster's user kubeconfig with the configured kubelogin mode, as a secret."""
        credentials = containerservice.list_managed_cluster_user_credentials_output(
            resource_group_name=args.resource_group_name,
            resource_name=self.cluster.name,
            format="exec",
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        mode = args.kubelogin_login_mode
        return pulumi.Output.secret(
            credentials.apply(lambda result: decode_kubeconfig(result, mode))
        )
