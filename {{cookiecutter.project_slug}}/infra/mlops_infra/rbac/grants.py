"""The compiler's pure half: one matrix -> the grants a stack creates, named deterministically.

Every cell of an Azure column becomes one ``AzureGrant`` (a standing role assignment, or a PIM
eligibility for a just-in-time persona); every cell of the devops and artifacts columns one
``DevOpsGrant``; the Kubernetes column's codes become RoleBindings in the serving namespace. The
Pulumi components in this package only turn these into resources.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace

from mlops_infra.rbac.model import Cell, Rbac, Role
from mlops_infra.rbac.rules import DEVOPS_ADMIN_PROCESS

# Role assignment and eligibility names must be GUIDs; uuid5 over the stack and the cell keeps
# them stable across runs (no replacement on every `pulumi up`) and unique per stack.
_NAMESPACE = uuid.UUID("6f1c2a9e-5d0b-4c3e-9a57-0b8e4d2f7c11")


@dataclass(frozen=True)
class AzureGrant:
    """One Azure-column cell: the role at the resource's scope, standing or eligible."""

    cell: Cell
    role: Role
    scope: str
    eligible: bool

    @property
    def key(self) -> str:
        """``data-scientist-container-registry-r``: unique within a matrix, used in names."""
        return f"{self.cell.persona}-{self.cell.resource}-{self.cell.code}".lower()

    def guid(self, stack_key: str) -> str:
        """The deterministic GUID Azure names the assignment (or eligibility request) with."""
        return str(uuid.uuid5(_NAMESPACE, f"{stack_key}/{self.key}"))


@dataclass(frozen=True)
class DevOpsGrant:
    """One devops- or artifacts-column cell: a project group membership or a feed role."""

    cell: Cell
    role: Role

    @property
    def key(self) -> str:
        """Unique within a matrix, used in resource names."""
        return f"{self.cell.persona}-{self.cell.resource}-{self.cell.code}".lower()


@dataclass(frozen=True)
class KubernetesBinding:
    """One persona's ClusterRole in the serving namespace."""

    persona: str
    cluster_role: str


def azure_grants(rbac: Rbac, environment: str) -> list[AzureGrant]:
    """Every Azure-column cell of ``environment``'s matrix, in matrix order."""
    return [
        AzureGrant(
            cell,
            rbac.role(cell),
            rbac.resources[cell.resource].scope,
            rbac.personas[cell.persona].just_in_time,
        )
        for cell in rbac.cells(environment)
        if rbac.resources[cell.resource].kind == "azure"
    ]


def devops_grants(rbac: Rbac, environment: str) -> list[DevOpsGrant]:
    """Every devops- and artifacts-column cell of ``environment``'s matrix."""
    return [
        DevOpsGrant(cell, rbac.role(cell))
        for cell in rbac.cells(environment)
        if rbac.resources[cell.resource].kind != "azure"
    ]


def cicd_devops_at_project_level(
    grants: Iterable[DevOpsGrant], project_administrators: Role
) -> list[DevOpsGrant]:
    """``grants`` with CI/CD's collection-level Azure DevOps role as ``project_administrators``."""
    return [
        replace(grant, role=project_administrators)
        if grant.cell.persona == DEVOPS_ADMIN_PROCESS and grant.role.level == "collection"
        else grant
        for grant in grants
    ]


def kubernetes_bindings(rbac: Rbac, environment: str) -> list[KubernetesBinding]:
    """The Kubernetes column's mapped codes, one binding per persona and ClusterRole."""
    bindings: dict[tuple[str, str], KubernetesBinding] = {}
    for cell in rbac.cells(environment):
        cluster_role = rbac.kubernetes_roles.get(cell.code)
        if cell.resource == rbac.kubernetes_column and cluster_role:
            bindings.setdefault(
                (cell.persona, cluster_role), KubernetesBinding(cell.persona, cluster_role)
            )
    return list(bindings.values())
