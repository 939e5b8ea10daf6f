"""``DevOpsAccess``: the devops and artifacts columns as Azure DevOps memberships and feed roles.

Each persona's principal is brought into the organization (an Entra ID group as a DevOps group,
a workload identity as a service principal entitlement) and added to the project's (or the
collection's) built-in group its code names; the artifacts column becomes a role on this stack's
feed. The provider needs ``azuredevops:orgServiceUrl`` and a token with Graph and Packaging scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_azuredevops as azuredevops

from mlops_infra.naming import type_token
from mlops_infra.rbac.args import PersonaAccessArgs
from mlops_infra.rbac.grants import DevOpsGrant

TYPE_TOKEN = type_token("rbac", "DevOpsAccess")


@dataclass(frozen=True)
class DevOpsAccessArgs:
    """The compiled access and the personas' object ids."""

    access: PersonaAccessArgs
    object_ids: Mapping[str, pulumi.Input[str]]


class DevOpsAccess(pulumi.ComponentResource):
    """Group memberships and feed permissions; ``memberships`` and ``feed_roles`` by key."""

    def __init__(
        self, name: str, args: DevOpsAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self._child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self.project = azuredevops.get_project_output(name=args.access.devops_project, opts=invoke)
        self._descriptors: dict[str, pulumi.Output[str]] = {}
        self.memberships: dict[str, azuredevops.GroupMembership] = {}
        self.feed_roles: dict[str, azuredevops.FeedPermission] = {}
        feed_grants = [g for g in args.access.devops if g.cell.resource == "artifacts"]
        self.feed = self._feed() if feed_grants else None
        for grant in args.access.devops:
            if grant.cell.resource == "artifacts":
                self.feed_roles[grant.key] = self._feed_role(grant)
            else:
                self.memberships[grant.key] = self._membership(grant, invoke)
        self.register_outputs(
            {"memberships": list(self.memberships), "feed_roles": list(self.feed_roles)}
        )

    def _descriptor(self, persona: str) -> pulumi.Output[str]:
        """The persona's identity descriptor in the organization, materialized once."""
        if persona not in self._descriptors:
            origin_id = self._args.object_ids[persona]
            if self._args.access.principal_type(persona) == "Group":
                member = azuredevops.Group(
                    f"{self._name}-{persona}", origin_id=origin_id, opts=self._child
                )
                self._descriptors[persona] = member.descriptor
            else:
                entitlement = azuredevops.ServicePrincipalEntitlement(
                    f"{self._name}-{persona}", origin="aad", origin_id=origin_id, opts=self._child
                )
                self._descriptors[persona] = entitlement.descriptor
        return self._descriptors[persona]

    def _membership(
        self, grant: DevOpsGrant, invoke: pulumi.InvokeOutputOptions
    ) -> azuredevops.GroupMembership:
        project_id = self.project.id if grant.role.level == "project" else None
        group = azuredevops.get_group_output(
            name=grant.role.name, project_id=project_id, opts=invoke
        )
        return azuredevops.GroupMembership(
            f"{self._name}-{grant.key}",
            group=group.descriptor,
            members=[self._descriptor(grant.cell.persona)],
            mode="add",
            opts=self._child,
        )

    def _feed(self) -> azuredevops.Feed:
        return azuredevops.Feed(
            f"{self._name}-feed",
            name=f"feed-{self._args.access.prefix}",
            project_id=self.project.id,
            opts=self._child,
        )

    def _feed_role(self, grant: DevOpsGrant) -> azuredevops.FeedPermission:
        if self.feed is None:  # created whenever an artifacts grant exists
            raise RuntimeError("a feed permission needs the project's feed")
        return azuredevops.FeedPermission(
            f"{self._name}-{grant.key}",
            feed_id=self.feed.id,
            project_id=self.project.id,
            identity_descriptor=self._descriptor(grant.cell.persona),
            role=grant.role.name,
            opts=self._child,
        )
