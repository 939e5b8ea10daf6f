"""``PrivateLinkEndpoint``: one private endpoint and the zone group that manages its DNS records.

The endpoint sits in the endpoints subnet and connects to one sub-resource (``group_id``) of one
resource, as ``zones.TARGETS`` lists them. Its ``PrivateDnsZoneGroup`` points at the target's
private DNS zones, so Azure writes and removes the A records as the endpoint's addresses change.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import network

from mlops_infra.naming import type_token
from mlops_infra.network.args import PrivateLinkEndpointArgs
from mlops_infra.network.zones import zone_label

TYPE_TOKEN = type_token("network", "PrivateLinkEndpoint")


class PrivateLinkEndpoint(pulumi.ComponentResource):
    """A private endpoint to one target, with its private DNS zone group."""

    def __init__(
        self, name: str, args: PrivateLinkEndpointArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args.validate()
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        target = args.target
        self.endpoint = network.PrivateEndpoint(
            f"{name}-pe",
            private_endpoint_name=args.endpoint_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            subnet=network.SubnetArgs(id=args.subnet_id),
            private_link_service_connections=[
                network.PrivateLinkServiceConnectionArgs(
                    name=args.endpoint_name,
                    private_link_service_id=args.resource_id,
                    group_ids=[target.group_id],
                )
            ],
            tags=dict(args.tags),
            opts=child,
        )
        self.zone_group = network.PrivateDnsZoneGroup(
            f"{name}-dns",
            private_dns_zone_group_name="default",
            private_endpoint_name=self.endpoint.name,
            resource_group_name=args.resource_group_name,
            private_dns_zone_configs=[
                network.PrivateDnsZoneConfigArgs(
                    name=zone_label(zone), private_dns_zone_id=args.zone_ids[zone]
                )
                for zone in target.zones
            ],
            opts=child,
        )
        self.endpoint_id: pulumi.Output[str] = self.endpoint.id
        self.register_outputs(
            {
                "endpointId": self.endpoint_id,
                "groupId": target.group_id,
                "zones": list(target.zones),
            }
        )
