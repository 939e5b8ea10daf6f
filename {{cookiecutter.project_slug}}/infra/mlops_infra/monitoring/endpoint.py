"""``ServingEndpoint``: the Azure ML managed online endpoint the CD's rollout deploys onto.

Pulumi owns the endpoint (name, auth mode and public network access of
``pipelines/online/endpoint.yml``, in dev ``endpoint.dev.yml``; a system identity, tags) so that
alerts and diagnostic settings have a scope from the first ``pulumi up``.
The rollout owns what changes with every release: the deployments (``blue``, ``green``) and the
endpoint's traffic and mirror traffic, which Pulumi never sets and ignores (``ignore_changes``).
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import machinelearningservices as ml

from mlops_infra.monitoring.args import OnlineEndpointArgs
from mlops_infra.naming import type_token

TYPE_TOKEN = type_token("ml", "OnlineEndpoint")
# Set by `<cli> rollout` (az ml online-endpoint update --traffic/--mirror-traffic), never here.
ROLLOUT_OWNED = ("properties.traffic", "properties.mirrorTraffic")


class ServingEndpoint(pulumi.ComponentResource):
    """The managed online endpoint of one workspace."""

    def __init__(
        self, name: str, args: OnlineEndpointArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args.validate()
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.endpoint = ml.OnlineEndpoint(
            f"{name}-endpoint",
            endpoint_name=args.name,
            resource_group_name=args.resource_group_name,
            workspace_name=args.workspace_name,
            location=args.location,
            tags=dict(args.tags),
            identity=ml.ManagedServiceIdentityArgs(type="SystemAssigned"),
            properties=ml.OnlineEndpointPropertiesArgs(
                auth_mode=args.auth_mode,
                public_network_access=args.public_network_access,
                description=args.description,
            ),
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=list(ROLLOUT_OWNED)),
        )
        self.endpoint_id: pulumi.Output[str] = self.endpoint.id
        self.endpoint_name: pulumi.Output[str] = self.endpoint.name
        self.register_outputs({"endpointId": self.endpoint_id, "endpointName": self.endpoint_name})
