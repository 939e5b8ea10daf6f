"""``PersonaPrincipals``: one Entra ID principal per persona for this stack.

A persona listed in ``personaPrincipals`` uses that existing principal. Otherwise a ``group``
persona gets an Entra ID security group (the deployer needs Microsoft Graph Group.ReadWrite.All
or the Groups Administrator role), a ``managed-identity`` persona a user-assigned managed identity,
and the ``workspace-identity`` persona is the ML workspace's system-assigned identity.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azuread as azuread
from pulumi_azure_native import managedidentity

from mlops_infra.naming import type_token
from mlops_infra.rbac.args import PersonaAccessArgs
from mlops_infra.rbac.model import Persona

TYPE_TOKEN = type_token("rbac", "PersonaPrincipals")


@dataclass(frozen=True)
class PersonaPrincipalsArgs:
    """The compiled access plus where identities live and the workspace's own identity."""

    access: PersonaAccessArgs
    resource_group_name: pulumi.Input[str]
    workspace_principal_id: pulumi.Input[str]


class PersonaPrincipals(pulumi.ComponentResource):
    """Groups and managed identities standing for the personas; ``object_ids`` by persona."""

    def __init__(
        self, name: str, args: PersonaPrincipalsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self.object_ids: dict[str, pulumi.Output[str]] = {
            persona.id: self._principal(persona) for persona in args.access.personas.values()
        }
        self.register_outputs({"object_ids": self.object_ids})

    def _principal(self, persona: Persona) -> pulumi.Output[str]:
        access, child = self._args.access, pulumi.ResourceOptions(parent=self)
        if persona.id in access.existing:
            return pulumi.Output.from_input(access.existing[persona.id])
        if persona.principal == "workspace-identity":
            return pulumi.Output.from_input(self._args.workspace_principal_id)
        if persona.principal == "managed-identity":
            identity = managedidentity.UserAssignedIdentity(
                f"{self._name}-{persona.id}",
                resource_name_=f"id-{access.prefix}-{persona.id}",
                resource_group_name=self._args.resource_group_name,
                location=access.location,
                tags=dict(access.tags),
                opts=child,
            )
            return identity.principal_id
        group = azuread.Group(
            f"{self._name}-{persona.id}",
            display_name=f"grp-{access.prefix}-{persona.id}",
            description=f"{persona.title} ({access.prefix}): {persona.description}",
            security_enabled=True,
            prevent_duplicate_names=True,
            opts=child,
        )
        return group.object_id
