"""``TrainingCompute``: the workspace's AmlCompute training cluster, which scales to zero.

Linux, dedicated nodes, no local auth and no SSH. Where the stack is private the nodes get no
public IP; with ``subnet_id`` they join that subnet (our VNet), otherwise Azure ML places them in
the workspace's managed network (or, in a public stack, in no VNet at all). The cluster has a
system-assigned identity with Storage Blob Data Contributor on the workspace storage: the storage
refuses shared keys, so jobs reach the identity-based datastores as that identity (Azure ML also
pulls images from the registry with it).
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization
from pulumi_azure_native import machinelearningservices as ml

from mlops_infra.aks.credentials import role_definition_id
from mlops_infra.naming import type_token
from mlops_infra.workspace.args import STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE_ID, TrainingComputeArgs

TYPE_TOKEN = type_token("ml", "TrainingCompute")


class TrainingCompute(pulumi.ComponentResource):
    """The AmlCompute cluster of one workspace."""

    def __init__(
        self, name: str, args: TrainingComputeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args.validate()
        super().__init__(TYPE_TOKEN, name, None, opts)
        scale = ml.ScaleSettingsArgs(
            min_node_count=0,
            max_node_count=args.max_nodes,
            node_idle_time_before_scale_down=args.idle_before_scale_down,
        )
        subnet = None if args.subnet_id is None else ml.ResourceIdArgs(id=args.subnet_id)
        self.compute = ml.Compute(
            f"{name}-compute",
            resource_group_name=args.resource_group_name,
            workspace_name=args.workspace_name,
            compute_name=args.name,
            location=args.location,
            tags=dict(args.tags),
            identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
            properties=ml.AmlComputeArgs(
                compute_type="AmlCompute",
                disable_local_auth=True,
                properties=ml.AmlComputePropertiesArgs(
                    vm_size=args.vm_size,
                    vm_priority="Dedicated",
                    os_type="Linux",
                    remote_login_port_public_access="Disabled",
                    enable_node_public_ip=args.node_public_ip,
                    subnet=subnet,
                    scale_settings=scale,
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.compute_name: pulumi.Output[str] = self.compute.name
        self.storage_access = self._storage_access(name, args)
        self.register_outputs({"computeName": self.compute_name, "computeId": self.compute.id})

    def _storage_access(self, name: str, args: TrainingComputeArgs) -> authorization.RoleAssignment:
        """Storage Blob Data Contributor on the workspace storage for the cluster's identity."""
        return authorization.RoleAssignment(
            f"{name}-storage-blob-data",
            principal_id=self.compute.identity.apply(
                lambda identity: identity.principal_id if identity else ""
            ),
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role_definition_id=pulumi.Output.from_input(args.storage_account_id).apply(
                lambda scope: role_definition_id(scope, STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE_ID)
            ),
            scope=args.storage_account_id,
            description="The training cluster's jobs read and write the identity-based datastores",
            opts=pulumi.ResourceOptions(parent=self),
        )
