"""Constrained delegation: the condition every standing role-administering assignment carries.

An unconstrained Owner (or User Access Administrator, or Role Based Access Control
Administrator) can grant anything at its scope, to itself or to anyone. So every standing
assignment of such a role the compiler creates (CI/CD's Owner) carries Azure's documented
"Constrain roles and principal types" condition (ABAC, version 2.0), on both role assignment
actions, write and delete:

- roles: only those this stack gives workload identities itself: its compiled grants whose
  principal is a service principal (managed identities, the workspace identity) and the roles
  the program assigns to the identities it creates (``WORKLOAD_ROLES``); never a role that
  administers role assignments;
- principal types: ``ServicePrincipal`` only, never a user or a group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mlops_infra.aks.credentials import ACR_PULL_ROLE_ID, NETWORK_CONTRIBUTOR_ROLE_ID
from mlops_infra.rbac.args import PRINCIPAL_TYPES
from mlops_infra.rbac.grants import AzureGrant
from mlops_infra.rbac.model import Persona
from mlops_infra.workspace.args import STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE_ID

# Built-in roles holding Microsoft.Authorization/roleAssignments/write: they get the condition and
# are never delegable.
ROLE_ADMINISTRATORS: Mapping[str, str] = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
}
# Roles the program assigns outside the matrix, to identities it creates: the AKS kubelet
# (AcrPull), the AKS control plane on its subnet, the training cluster on the workspace storage.
WORKLOAD_ROLES: Mapping[str, str] = {
    ACR_PULL_ROLE_ID: "AcrPull",
    NETWORK_CONTRIBUTOR_ROLE_ID: "Network Contributor",
    STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE_ID: "Storage Blob Data Contributor",
}
DELEGABLE_PRINCIPAL_TYPES = ("ServicePrincipal",)
CONDITION_VERSION = "2.0"
_ATTRIBUTE = "@{source}[Microsoft.Authorization/roleAssignments:{name}]"


def administers_roles(role_id: str | None) -> bool:
    """Whether the built-in role ``role_id`` may create and delete role assignments."""
    return str(role_id or "").lower() in ROLE_ADMINISTRATORS


def delegable_roles(
    grants: Iterable[AzureGrant], personas: Mapping[str, Persona]
) -> dict[str, str]:
    """Role id -> name of what a constrained administrator may assign, sorted by name."""
    roles = dict(WORKLOAD_ROLES)
    for grant in grants:
        principal = PRINCIPAL_TYPES[personas[grant.cell.persona].principal]
        role_id = str(grant.role.definition_id or "").lower()
        if principal in DELEGABLE_PRINCIPAL_TYPES and role_id and not administers_roles(role_id):
            roles[role_id] = grant.role.name
    return dict(sorted(roles.items(), key=lambda item: (item[1], item[0])))


def _values(values: Iterable[str]) -> str:
    """A condition's set literal: ``{a, b}``."""
    return "{" + ", ".join(values) + "}"


def _action(action: str, source: str, role_ids: list[str], principal_types: list[str]) -> str:
    """One action's clause: any other action passes, this one only for the listed values."""
    roles = _ATTRIBUTE.format(source=source, name="RoleDefinitionId")
    types = _ATTRIBUTE.format(source=source, name="PrincipalType")
    matches = "ActionMatches" + _values([f"'Microsoft.Authorization/roleAssignments/{action}'"])
    kinds = _values(f"'{kind}'" for kind in principal_types)
    return (
        f"((!({matches})) OR ({roles} ForAnyOfAnyValues:GuidEquals {_values(role_ids)} AND "
        f"{types} ForAnyOfAnyValues:StringEqualsIgnoreCase {kinds}))"
    )


def delegation_condition(
    role_ids: Iterable[str], principal_types: Iterable[str] = DELEGABLE_PRINCIPAL_TYPES
) -> str:
    """The condition: assign (request) and delete (resource) only these roles, to these types."""
    roles, types = list(role_ids), list(principal_types)
    write = _action("write", "Request", roles, types)
    delete = _action("delete", "Resource", roles, types)
    return f"{write} AND {delete}"
