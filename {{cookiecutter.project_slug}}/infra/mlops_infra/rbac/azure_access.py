"""``AzureRoleAccess``: every Azure-column cell as one role assignment or one PIM eligibility.

Standing personas get an ``authorization.RoleAssignment`` named by a deterministic GUID; just-in-
time personas get an ``authorization.PimRoleEligibilitySchedule`` instead (members activate the
role in Privileged Identity Management for a limited time, with justification). Each lands at the
scope of its resource; Azure Monitor's scope is the resource group. A standing assignment of a
role that administers role assignments (CI/CD's Owner) carries the delegation condition of
``mlops_infra.rbac.delegation``: it may assign only this stack's workload roles, only to service
principals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization

from mlops_infra.naming import type_token
from mlops_infra.rbac.args import PersonaAccessArgs
from mlops_infra.rbac.delegation import (
    CONDITION_VERSION,
    administers_roles,
    delegable_roles,
    delegation_condition,
)
from mlops_infra.rbac.grants import AzureGrant

TYPE_TOKEN = type_token("rbac", "AzureRoleAccess")


class AzureAccessError(ValueError):
    """A grant names a scope the stack does not provide."""


@dataclass(frozen=True)
class AzureRoleAccessArgs:
    """The compiled access, the personas' object ids and the resource ids by scope name."""

    access: PersonaAccessArgs
    object_ids: Mapping[str, pulumi.Input[str]]
    scopes: Mapping[str, pulumi.Input[str]]
    subscription_id: pulumi.Input[str]

    def validate(self) -> AzureRoleAccessArgs:
        """Every grant's scope and persona is provided."""
        for grant in self.access.azure:
            if grant.scope not in self.scopes:
                raise AzureAccessError(
                    f"{grant.cell.where}: scope {grant.scope!r} is not one of {sorted(self.scopes)}"
                )
        return self


class AzureRoleAccess(pulumi.ComponentResource):
    """Role assignments and PIM eligibilities; ``assignments`` and ``eligibilities`` by key."""

    def __init__(
        self, name: str, args: AzureRoleAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args.validate()
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self.assignments: dict[str, authorization.RoleAssignment] = {}
        self.eligibilities: dict[str, authorization.PimRoleEligibilitySchedule] = {}
        for grant in args.access.azure:
            if grant.eligible:
                self.eligibilities[grant.key] = self._eligibility(grant)
            else:
                self.assignments[grant.key] = self._assignment(grant)
        self.register_outputs(
            {
                "assignment_ids": {key: a.id for key, a in self.assignments.items()},
                "eligibility_ids": {key: e.id for key, e in self.eligibilities.items()},
            }
        )

    def _role_definition_id(self, grant: AzureGrant) -> pulumi.Output[str]:
        return pulumi.Output.concat(
            "/subscriptions/",
            self._args.subscription_id,
            "/providers/Microsoft.Authorization/roleDefinitions/",
            str(grant.role.definition_id),
        )

    def _condition(self, grant: AzureGrant) -> str | None:
        """The delegation condition for a role-administering role; None for any other role."""
        if not administers_roles(grant.role.definition_id):
            return None
        access = self._args.access
        return delegation_condition(delegable_roles(access.azure, access.personas))

    def _assignment(self, grant: AzureGrant) -> authorization.RoleAssignment:
        access = self._args.access
        condition = self._condition(grant)
        return authorization.RoleAssignment(
            f"{self._name}-{grant.key}",
            role_assignment_name=grant.guid(access.stack_key),
            scope=self._args.scopes[grant.scope],
            role_definition_id=self._role_definition_id(grant),
            principal_id=self._args.object_ids[grant.cell.persona],
            principal_type=access.principal_type(grant.cell.persona),
            description=f"{grant.cell.where}: {grant.cell.code} ({grant.role.name})",
            condition=condition,
            condition_version=CONDITION_VERSION if condition else None,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _eligibility(self, grant: AzureGrant) -> authorization.PimRoleEligibilitySchedule:
        access = self._args.access
        expiration = authorization.RoleEligibilityScheduleRequestPropertiesExpirationArgs(
            type="AfterDuration", duration=access.eligibility_duration
        )
        return authorization.PimRoleEligibilitySchedule(
            f"{self._name}-{grant.key}",
            scope=self._args.scopes[grant.scope],
            role_definition_id=self._role_definition_id(grant),
            principal_id=self._args.object_ids[grant.cell.persona],
            justification=f"{grant.cell.where}: {grant.cell.code} ({grant.role.name}) just in time",
            schedule_info=authorization.RoleEligibilityScheduleRequestPropertiesScheduleInfoArgs(
                expiration=expiration
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
