"""``DeleteLocks``: CanNotDelete management locks on the resources that hold the stack's state.

One lock per target (workspace, Key Vault, storage account, registry, Log Analytics) rather than
one on the resource group, so that Pulumi can still replace the network, AKS and serving resources
and the rollout can still manage online deployments. Only a principal allowed
``Microsoft.Authorization/locks/*`` (Owner, User Access Administrator) can remove a lock.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization

from mlops_infra.naming import type_token
from mlops_infra.security.args import LockArgs

TYPE_TOKEN = type_token("security", "DeleteLocks")
LOCK_NOTES = "Managed by Pulumi (deleteLock): remove this lock on purpose before deleting."


class DeleteLocks(pulumi.ComponentResource):
    """A CanNotDelete lock on each target."""

    def __init__(
        self, name: str, args: LockArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.locks = {
            target: authorization.ManagementLockByScope(
                f"{name}-{target}",
                lock_name=f"{args.prefix}-no-delete",
                scope=resource_id,
                level=authorization.LockLevel.CAN_NOT_DELETE,
                notes=LOCK_NOTES,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for target, resource_id in args.targets.items()
        }
        self.register_outputs({f"{target}LockId": lock.id for target, lock in self.locks.items()})
