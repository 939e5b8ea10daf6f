"""``TrainingCompute``: the workspace's AmlCompute training cluster, which scales to zero.

Linux, dedicated nodes, no local auth and no SSH. Where the stack is private the nodes get no
public IP; with ``subnet_id`` they join that subnet (our VNet), otherwise Azure ML places them in
the workspace's managed network (or, in a public stack, in no VNet at all).
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import machinelearningservices as ml

from mlops_infra.naming import type_token
from mlops_infra.workspace.args import TrainingComputeArgs

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
        self.register_outputs({"computeName": self.compute_name, "computeId": self.compute.id})
