"""``PrivateNetwork``: the virtual network, its subnets and the linked private DNS zones.

One ``VirtualNetwork`` with its subnets inline (one PUT, no concurrent subnet writes): private
endpoints, the AmlCompute training cluster (when it is not in Azure ML's managed network) and the
AKS nodes. Each ``privatelink.*`` zone of ``zones.ZONES`` is a ``PrivateZone`` (location
``global``) with a ``VirtualNetworkLink`` to the network, so names resolve to the endpoints'
private addresses inside it. The endpoints themselves are ``PrivateLinkEndpoint`` components.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi_azure_native import network, privatedns

from mlops_infra.naming import type_token
from mlops_infra.network.args import PrivateNetworkArgs
from mlops_infra.network.zones import zone_label

TYPE_TOKEN = type_token("network", "PrivateNetwork")


class PrivateNetwork(pulumi.ComponentResource):
    """The virtual network, ``subnet_ids`` by role, and ``zone_ids`` by private DNS zone name."""

    def __init__(
        self, name: str, args: PrivateNetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args.validate()
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=args.vnet_name,
            resource_group_name=args.resource_group_name,
            location=args.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[args.address_space]),
            subnets=[
                network.SubnetArgs(
                    name=f"snet-{role}",
                    address_prefix=prefix,
                    private_endpoint_network_policies="Disabled",
                )
                for role, prefix in args.subnets.items()
            ],
            tags=dict(args.tags),
            opts=child,
        )
        self.vnet_id: pulumi.Output[str] = self.vnet.id
        self.subnet_ids: dict[str, pulumi.Output[str]] = {
            role: pulumi.Output.concat(self.vnet.id, f"/subnets/snet-{role}")
            for role in args.subnets
        }
        self.zones: dict[str, privatedns.PrivateZone] = {}
        self.links: dict[str, privatedns.VirtualNetworkLink] = {}
        for zone in args.zones:
            self._zone(name, args, zone, child)
        self.zone_ids: dict[str, pulumi.Output[str]] = {z: r.id for z, r in self.zones.items()}
        outputs: dict[str, Any] = {"vnetId": self.vnet_id, "vnetName": self.vnet.name}
        outputs.update({f"{role}SubnetId": sid for role, sid in self.subnet_ids.items()})
        outputs["zoneIds"] = self.zone_ids
        self.register_outputs(outputs)

    def _zone(
        self, name: str, args: PrivateNetworkArgs, zone: str, child: pulumi.ResourceOptions
    ) -> None:
        """One private DNS zone and its link to the network (no auto-registration)."""
        label = zone_label(zone)
        self.zones[zone] = privatedns.PrivateZone(
            f"{name}-zone-{label}",
            private_zone_name=zone,
            resource_group_name=args.resource_group_name,
            location="global",
            tags=dict(args.tags),
            opts=child,
        )
        self.links[zone] = privatedns.VirtualNetworkLink(
            f"{name}-link-{label}",
            private_zone_name=self.zones[zone].name,
            virtual_network_link_name=args.vnet_name,
            resource_group_name=args.resource_group_name,
            virtual_network=privatedns.SubResourceArgs(id=self.vnet.id),
            registration_enabled=False,
            location="global",
            tags=dict(args.tags),
            opts=child,
        )
