"""Wire the persona access of one stack: principals, Azure roles, Kubernetes and Azure DevOps."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization

from mlops_infra.naming import SLUG
from mlops_infra.rbac.args import PersonaAccessArgs
from mlops_infra.rbac.azure_access import AzureRoleAccess, AzureRoleAccessArgs
from mlops_infra.rbac.devops_access import DevOpsAccess, DevOpsAccessArgs
from mlops_infra.rbac.kubernetes_access import KubernetesAccess, KubernetesAccessArgs
from mlops_infra.rbac.principals import PersonaPrincipals, PersonaPrincipalsArgs
from mlops_infra.workspace.component import MlWorkspace


@dataclass(frozen=True)
class Access:
    """The access components of a stack, as ``build_access`` created them."""

    principals: PersonaPrincipals
    azure: AzureRoleAccess
    kubernetes: KubernetesAccess
    devops: DevOpsAccess | None


def scopes_of(workspace: MlWorkspace) -> dict[str, pulumi.Output[str]]:
    """The resource ids the matrix's Azure columns grant on, by scope name (rbac/roles.yaml)."""
    return {
        "workspace": workspace.workspace.id,
        "key-vault": workspace.key_vault.id,
        "container-registry": workspace.registry.id,
        "storage-account": workspace.storage_account.id,
        "log-analytics": workspace.log_analytics.id,
        "resource-group": workspace.resource_group.id,
    }


def build_access(
    args: PersonaAccessArgs,
    workspace: MlWorkspace,
    namespace: pulumi.Input[str],
    kubernetes_opts: pulumi.ResourceOptions | None,
) -> Access:
    """Create the principals, then every grant of the stack's matrix on them."""
    identity = workspace.workspace.identity
    principals = PersonaPrincipals(
        f"{SLUG}-personas",
        PersonaPrincipalsArgs(
            args,
            workspace.resource_group_name,
            identity.apply(lambda found: found.principal_id if found else ""),
        ),
    )
    object_ids = principals.object_ids
    subscription_id = authorization.get_client_config_output().subscription_id
    azure = AzureRoleAccess(
        f"{SLUG}-azure-access",
        AzureRoleAccessArgs(args, object_ids, scopes_of(workspace), subscription_id),
    )
    kubernetes = KubernetesAccess(
        f"{SLUG}-k8s-access",
        KubernetesAccessArgs(args, object_ids, namespace),
        opts=kubernetes_opts,
    )
    devops = None
    if args.devops_project:
        devops = DevOpsAccess(f"{SLUG}-devops-access", DevOpsAccessArgs(args, object_ids))
    return Access(principals, azure, kubernetes, devops)
