"""The CrossGuard policies of this project: one function per policy, every one mandatory.

The stack's environment is the Pulumi stack name (``pulumi.get_stack()``): the stacks are named
after their environments (dev, staging, prod), the name cannot be edited away on one resource
like a tag can, and role assignments carry no tags at all. ``mlops-environment-tag-matches-stack``
closes the gap the other way: a resource tagged (or labelled) ``environment`` must name the stack.
Staging and prod are "production" for access (rbac/matrix.yaml) and private (Pulumi.<stack>.yaml).
The run-time guardrail policies (Azure Policy, exemptions, locks, retention) are in
``guardrail_policies``; what both modules share is in ``pack_support``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from guardrail_policies import GUARDRAIL_POLICIES
from pack_support import (
    DEPLOYMENT,
    DIGEST_STACKS,
    PACK_NAME,
    PRIVATE_ENDPOINT,
    PRIVATE_LINK_TARGETS,
    PRIVATE_STACKS,
    PRODUCTION_STACKS,
    PUBLIC_WORKSPACE_FORBIDDEN,
    REGISTRY,
    ROLE_ASSIGNMENT,
    STORAGE,
    VAULT,
    WORKSPACE,
    points_at,
    resource_policy,
    stack_environment,
)
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
    StackValidationPolicy,
)
from role_conditions import delegation

# Built-in role definition ids: Owner, Contributor.
STANDING_ADMIN_ROLES = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
}
# Built-in roles that can create role assignments: their assignments must carry a delegation
# condition that never hands out one of them and never reaches users or groups.
ROLE_ADMINISTRATORS = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
}
DELEGABLE_PRINCIPAL_TYPES = frozenset({"serviceprincipal"})


def _containers(props: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    pod = ((props.get("spec") or {}).get("template") or {}).get("spec") or {}
    return [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]


def _pod_security(props: Mapping[str, Any]) -> Mapping[str, Any]:
    pod = ((props.get("spec") or {}).get("template") or {}).get("spec") or {}
    return pod.get("securityContext") or {}


def _role_id(props: Mapping[str, Any]) -> str:
    """The role definition GUID (lower case) of a role assignment's inputs."""
    return str(props.get("roleDefinitionId") or "").rstrip("/").rsplit("/", 1)[-1].lower()


def keyvault_purge_protection(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Key Vaults must have purge protection on."""
    if args.resource_type != VAULT:
        return
    if (args.props.get("properties") or {}).get("enablePurgeProtection") is not True:
        report("set properties.enablePurgeProtection=True (deleted secrets stay recoverable)", None)


def keyvault_rbac_authorization(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Key Vaults must authorize by Azure RBAC, not access policies."""
    if args.resource_type != VAULT:
        return
    if (args.props.get("properties") or {}).get("enableRbacAuthorization") is not True:
        report("set properties.enableRbacAuthorization=True (no vault access policies)", None)


def storage_no_public_blob_access(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Storage accounts must forbid anonymous blob access."""
    if args.resource_type == STORAGE and args.props.get("allowBlobPublicAccess") is not False:
        report("set allowBlobPublicAccess=False (no anonymous reads of containers)", None)


def storage_no_public_network(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Storage accounts of staging and prod must not be reachable from the internet."""
    if args.resource_type != STORAGE or stack_environment() not in PRIVATE_STACKS:
        return
    if args.props.get("publicNetworkAccess") != "Disabled":
        report("set publicNetworkAccess='Disabled' (reach it through its private endpoint)", None)


def storage_no_shared_key(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Storage accounts must refuse shared key (account key and SAS) authorization."""
    if args.resource_type == STORAGE and args.props.get("allowSharedKeyAccess") is not False:
        report("set allowSharedKeyAccess=False (Entra ID only: no account keys, no SAS)", None)


def workspace_identity_datastores(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Azure ML workspaces must reach their storage with identities, not the account key."""
    if args.resource_type != WORKSPACE:
        return
    if str(args.props.get("systemDatastoresAuthMode") or "").lower() != "identity":
        report("set systemDatastoresAuthMode='Identity' (the storage refuses shared keys)", None)


def registry_no_admin_user(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Container registries must not enable the shared admin user."""
    if args.resource_type == REGISTRY and args.props.get("adminUserEnabled") is not False:
        report("set adminUserEnabled=False (pull with managed identities and AcrPull)", None)


def workspace_no_public_network(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """The prod Azure ML workspace must not be reachable from the internet."""
    if args.resource_type != WORKSPACE or stack_environment() not in PUBLIC_WORKSPACE_FORBIDDEN:
        return
    if args.props.get("publicNetworkAccess") != "Disabled":
        report(
            "set publicNetworkAccess='Disabled' (privateNetwork: true in Pulumi.prod.yaml)", None
        )


def no_standing_admin_for_personas(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """No standing Owner or Contributor for a human persona (a group) in production."""
    if args.resource_type != ROLE_ASSIGNMENT or stack_environment() not in PRODUCTION_STACKS:
        return
    if args.props.get("principalType") != "Group":
        return
    role = STANDING_ADMIN_ROLES.get(_role_id(args.props))
    if role:
        report(
            f"standing {role} for a persona group: make it a PIM eligibility in rbac/matrix.yaml",
            None,
        )


def _delegation_problem(props: Mapping[str, Any]) -> str | None:
    """What is wrong with a role administrator assignment's condition; None if nothing."""
    allowed = delegation(props.get("condition"))
    if props.get("conditionVersion") != "2.0" or allowed is None:
        return (
            "has no delegation condition (version 2.0, constraining roles and principal types "
            "for roleAssignments/write and /delete): it could grant any role to anyone"
        )
    administrators = sorted(
        ROLE_ADMINISTRATORS[r] for r in allowed.roles & ROLE_ADMINISTRATORS.keys()
    )
    if administrators:
        return f"its condition lets it hand out {', '.join(administrators)}"
    others = sorted(
        t for t in allowed.principal_types if t.lower() not in DELEGABLE_PRINCIPAL_TYPES
    )
    if others or not allowed.principal_types:
        return f"its condition lets it assign roles to {', '.join(others) or 'any principal type'}"
    return None


def role_administrators_constrained(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Owner and other role administrators are assigned only with a delegation condition."""
    if args.resource_type != ROLE_ASSIGNMENT:
        return
    role = ROLE_ADMINISTRATORS.get(_role_id(args.props))
    problem = _delegation_problem(args.props) if role else None
    if problem:
        report(
            f"{role} {problem}; constrain it to workload roles for ServicePrincipal only "
            "(rbac/RBAC.md, Constrained delegation)",
            None,
        )


def container_limits(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Every container of a Deployment must have CPU and memory limits."""
    if args.resource_type != DEPLOYMENT:
        return
    for container in _containers(args.props):
        limits = (container.get("resources") or {}).get("limits") or {}
        missing = [key for key in ("cpu", "memory") if key not in limits]
        if missing:
            report(f"container {container.get('name')}: set resources.limits {missing}", None)


def container_security_context(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Every container must run as non-root, read-only, without privilege escalation."""
    if args.resource_type != DEPLOYMENT:
        return
    pod_non_root = _pod_security(args.props).get("runAsNonRoot")
    for container in _containers(args.props):
        context = container.get("securityContext") or {}
        wrong = []
        if context.get("runAsNonRoot", pod_non_root) is not True:
            wrong.append("runAsNonRoot=true")
        if context.get("readOnlyRootFilesystem") is not True:
            wrong.append("readOnlyRootFilesystem=true")
        if context.get("allowPrivilegeEscalation") is not False:
            wrong.append("allowPrivilegeEscalation=false")
        if wrong:
            report(f"container {container.get('name')}: set securityContext {wrong}", None)


def image_by_digest(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Containers of staging and prod run an image pinned by digest."""
    if args.resource_type != DEPLOYMENT or stack_environment() not in DIGEST_STACKS:
        return
    for container in _containers(args.props):
        image = str(container.get("image") or "")
        if "@sha256:" not in image:
            report(
                f"container {container.get('name')}: image {image!r} is not pinned by digest "
                "(set servingImageDigest in the stack config)",
                None,
            )


def environment_tag_matches_stack(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """A resource's environment tag or label names the stack it is deployed by."""
    metadata = args.props.get("metadata") if args.resource_type.startswith("kubernetes:") else None
    labels = (metadata or {}).get("labels") if isinstance(metadata, Mapping) else None
    tags = labels if labels is not None else args.props.get("tags")
    if not isinstance(tags, Mapping) or "environment" not in tags:
        return
    if tags["environment"] != stack_environment():
        report(
            f"environment={tags['environment']!r} but the stack is {stack_environment()!r}: "
            "name the stack after its environment",
            None,
        )


def _linked_ids(endpoint: PolicyResource) -> set[str]:
    connections = endpoint.props.get("privateLinkServiceConnections") or []
    return {str(c.get("privateLinkServiceId") or "").lower() for c in connections}


def _has_endpoint(target: PolicyResource, endpoints: Iterable[PolicyResource]) -> bool:
    """Whether an endpoint links ``target``: by dependency (preview) or by its Azure id."""
    return points_at(target, endpoints, "privateLinkServiceConnections", _linked_ids)


def private_endpoint_for_data_plane(args: StackValidationArgs, report: ReportViolation) -> None:
    """Every data-plane resource (workspace, vault, storage, registry) has a private endpoint."""
    if stack_environment() not in PRIVATE_STACKS:
        return
    endpoints = [r for r in args.resources if r.resource_type == PRIVATE_ENDPOINT]
    for resource in args.resources:
        if resource.resource_type in PRIVATE_LINK_TARGETS and not _has_endpoint(
            resource, endpoints
        ):
            report(
                f"{resource.resource_type} {resource.name} has no private endpoint: "
                "set privateNetwork: true in the stack config",
                resource.urn,
            )


POLICIES: list[Policy] = [
    resource_policy(
        "mlops-keyvault-purge-protection",
        "Ensure Key Vaults have purge protection enabled.",
        keyvault_purge_protection,
    ),
    resource_policy(
        "mlops-keyvault-rbac-authorization",
        "Ensure Key Vaults authorize data access with Azure RBAC.",
        keyvault_rbac_authorization,
    ),
    resource_policy(
        "mlops-storage-no-public-blob-access",
        "Ensure storage accounts do not allow public blob access.",
        storage_no_public_blob_access,
    ),
    resource_policy(
        "mlops-storage-no-public-network",
        "Ensure storage accounts in staging and prod disable public network access.",
        storage_no_public_network,
    ),
    resource_policy(
        "mlops-storage-no-shared-key",
        "Ensure storage accounts disable shared key access.",
        storage_no_shared_key,
    ),
    resource_policy(
        "mlops-workspace-identity-datastores",
        "Ensure Azure ML workspaces use identity-based system datastores.",
        workspace_identity_datastores,
    ),
    resource_policy(
        "mlops-registry-no-admin-user",
        "Ensure container registries do not enable the admin user.",
        registry_no_admin_user,
    ),
    resource_policy(
        "mlops-workspace-no-public-network",
        "Ensure the prod Azure ML workspace disables public network access.",
        workspace_no_public_network,
    ),
    resource_policy(
        "mlops-no-standing-admin-for-personas",
        "Ensure no human persona holds a standing Owner or Contributor role in production.",
        no_standing_admin_for_personas,
    ),
    resource_policy(
        "mlops-role-administrators-constrained",
        "Ensure Owner, User Access Administrator and RBAC Administrator role assignments carry "
        "a delegation condition.",
        role_administrators_constrained,
    ),
    resource_policy(
        "mlops-container-limits",
        "Ensure every container of a Deployment has CPU and memory limits.",
        container_limits,
    ),
    resource_policy(
        "mlops-container-security-context",
        "Ensure every container runs as non-root, read-only, without privilege escalation.",
        container_security_context,
    ),
    resource_policy(
        "mlops-image-by-digest",
        "Ensure containers in staging and prod run images pinned by digest.",
        image_by_digest,
    ),
    resource_policy(
        "mlops-environment-tag-matches-stack",
        "Ensure a resource's environment tag names the stack that deploys it.",
        environment_tag_matches_stack,
    ),
    StackValidationPolicy(
        name="mlops-private-endpoint-for-data-plane",
        description=(
            "Ensure every workspace, vault, storage account and registry in staging and prod "
            "has a private endpoint."
        ),
        validate=private_endpoint_for_data_plane,
        enforcement_level=EnforcementLevel.MANDATORY,
    ),
    *GUARDRAIL_POLICIES,
]
# What the runner and the tests read from the pack (the resource types live in pack_support).
__all__ = [
    "DEPLOYMENT",
    "PACK_NAME",
    "POLICIES",
    "PRIVATE_ENDPOINT",
    "REGISTRY",
    "ROLE_ASSIGNMENT",
    "STORAGE",
    "VAULT",
    "WORKSPACE",
]
