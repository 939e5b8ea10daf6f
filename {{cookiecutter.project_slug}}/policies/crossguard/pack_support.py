"""What every module of the pack shares: resource types, the stack's environment, id matching.

The stack's environment is the Pulumi stack name (``pulumi.get_stack()``), see ``mlops_policies``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pulumi
from pulumi_policy import EnforcementLevel, PolicyResource, ResourceValidationPolicy

PACK_NAME = "{{ cookiecutter.project_slug }}-policies"
PRIVATE_STACKS = frozenset({"staging", "prod"})
PRODUCTION_STACKS = frozenset({"staging", "prod"})  # rbac: production = staging, test, prod
PUBLIC_WORKSPACE_FORBIDDEN = frozenset({"prod"})
DIGEST_STACKS = frozenset({"staging", "prod"})

VAULT = "azure-native:keyvault:Vault"
STORAGE = "azure-native:storage:StorageAccount"
REGISTRY = "azure-native:containerregistry:Registry"
WORKSPACE = "azure-native:machinelearningservices:Workspace"
LOG_ANALYTICS = "azure-native:operationalinsights:Workspace"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
PRIVATE_ENDPOINT = "azure-native:network:PrivateEndpoint"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"

# Resource type -> (ARM provider path, input that carries the Azure name): private link targets.
PRIVATE_LINK_TARGETS = {
    WORKSPACE: ("Microsoft.MachineLearningServices/workspaces", "workspaceName"),
    VAULT: ("Microsoft.KeyVault/vaults", "vaultName"),
    STORAGE: ("Microsoft.Storage/storageAccounts", "accountName"),
    REGISTRY: ("Microsoft.ContainerRegistry/registries", "registryName"),
}


def stack_environment() -> str:
    """The environment the policies judge: the Pulumi stack name."""
    return pulumi.get_stack()


def azure_id_suffix(
    resource: PolicyResource, targets: Mapping[str, tuple[str, str]] = PRIVATE_LINK_TARGETS
) -> str | None:
    """``/resourcegroups/<rg>/providers/<path>/<name>`` (lower case) of one of ``targets``."""
    provider_path, name_key = targets[resource.resource_type]
    name, group = resource.props.get(name_key), resource.props.get("resourceGroupName")
    if not isinstance(name, str) or not isinstance(group, str):
        return None
    return f"/resourcegroups/{group}/providers/{provider_path}/{name}".lower()


def points_at(
    target: PolicyResource,
    pointers: Iterable[PolicyResource],
    key: str,
    ids: Any,
    targets: Mapping[str, tuple[str, str]] = PRIVATE_LINK_TARGETS,
) -> bool:
    """Whether a pointer's ``key`` input names ``target``: by dependency (preview) or Azure id.

    ``ids(pointer)`` gives the lower-case ids the pointer's ``key`` holds."""
    suffix = azure_id_suffix(target, targets)
    for pointer in pointers:
        depends = pointer.property_dependencies.get(key) or []
        if any(dependency.urn == target.urn for dependency in depends):
            return True
        if suffix and any(linked.endswith(suffix) for linked in ids(pointer)):
            return True
    return False


def resource_policy(name: str, description: str, validate: Any) -> ResourceValidationPolicy:
    """A mandatory resource policy."""
    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
    )
