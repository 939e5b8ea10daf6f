"""Inputs of the private network and of one private endpoint, their rules and their settings."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations

import pulumi

from mlops_infra.network.zones import ZONES, PrivateLinkTarget
from mlops_infra.settings import Settings

# subnet role -> the config key that sets its prefix
SUBNET_KEYS = {"endpoints": "endpointsSubnet", "training": "trainingSubnet", "aks": "aksSubnet"}
# Ranges AKS uses by default (service CIDR, Azure CNI overlay pod CIDR): a VNet must avoid them.
AKS_RANGES = {"AKS's service range": "10.0.0.0/16", "AKS's pod range": "10.244.0.0/16"}


class NetworkArgsError(ValueError):
    """Network Args are invalid; the message names the config key and the fix."""


def _fix(key: str, example: str) -> str:
    return f"set it with pulumi config set {key} {example}"


def parse_cidr(key: str, value: str, example: str) -> ipaddress.IPv4Network:
    """``value`` as an IPv4 network (no host bits set), or a ``NetworkArgsError`` naming ``key``."""
    try:
        network = ipaddress.ip_network(value)
    except ValueError:
        network = None
    if not isinstance(network, ipaddress.IPv4Network):
        raise NetworkArgsError(
            f"{key} must be an IPv4 CIDR such as {example}, got {value!r}: {_fix(key, example)}"
        )
    return network


@dataclass(frozen=True)
class PrivateNetworkArgs:
    """Inputs of ``PrivateNetwork``; ``validate()`` runs in the component's constructor."""

    prefix: str  # <slug>-<environment>; the network is vnet-<prefix>
    location: str
    resource_group_name: pulumi.Input[str]
    address_space: str
    subnets: Mapping[str, str]  # role (SUBNET_KEYS) -> CIDR
    zones: tuple[str, ...] = ZONES
    tags: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(
        cls, settings: Settings, resource_group_name: pulumi.Input[str]
    ) -> PrivateNetworkArgs:
        """The stack's network, in ``resource_group_name``, with the configured prefixes."""
        return cls(
            prefix=settings.names.resource_prefix,
            location=settings.location,
            resource_group_name=resource_group_name,
            address_space=settings.vnet_address_space,
            subnets={
                "endpoints": settings.endpoints_subnet,
                "training": settings.training_subnet,
                "aks": settings.aks_subnet,
            },
            tags=settings.tags,
        )

    @property
    def vnet_name(self) -> str:
        """The virtual network's Azure name."""
        return f"vnet-{self.prefix}"

    def validate(self) -> PrivateNetworkArgs:
        """Raise ``NetworkArgsError`` on the first invalid prefix; return ``self`` otherwise."""
        space = parse_cidr("vnetAddressSpace", self.address_space, "10.40.0.0/16")
        for label, reserved in AKS_RANGES.items():
            if space.overlaps(ipaddress.ip_network(reserved)):
                raise NetworkArgsError(
                    f"vnetAddressSpace {space} overlaps {label} {reserved}: "
                    + _fix("vnetAddressSpace", "10.40.0.0/16")
                )
        if set(self.subnets) != set(SUBNET_KEYS):
            raise NetworkArgsError(f"subnets must be exactly {', '.join(SUBNET_KEYS)}")
        parsed = {role: self._subnet(role, space) for role in SUBNET_KEYS}
        for (role, net), (other, other_net) in combinations(parsed.items(), 2):
            if net.overlaps(other_net):
                raise NetworkArgsError(
                    f"{SUBNET_KEYS[other]} {other_net} overlaps {SUBNET_KEYS[role]} {net}: "
                    + _fix(SUBNET_KEYS[other], f"<a free prefix inside {space}>")
                )
        return self

    def _subnet(self, role: str, space: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
        """One subnet's prefix, parsed and inside the address space."""
        key = SUBNET_KEYS[role]
        subnet = parse_cidr(key, self.subnets[role], "10.40.0.0/24")
        if not subnet.subnet_of(space):
            raise NetworkArgsError(
                f"{key} {subnet} is outside vnetAddressSpace {space}: "
                + _fix(key, f"<a prefix inside {space}>")
            )
        return subnet


@dataclass(frozen=True)
class PrivateLinkEndpointArgs:
    """Inputs of ``PrivateLinkEndpoint``: one ``zones.TARGETS`` row, in the endpoints subnet."""

    prefix: str
    location: str
    resource_group_name: pulumi.Input[str]
    target: PrivateLinkTarget
    resource_id: pulumi.Input[str]  # the resource the endpoint connects to
    subnet_id: pulumi.Input[str]
    zone_ids: Mapping[str, pulumi.Input[str]]  # private DNS zone name -> its id
    tags: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        target: PrivateLinkTarget,
        network: tuple[pulumi.Input[str], pulumi.Input[str], Mapping[str, pulumi.Input[str]]],
        resource_id: pulumi.Input[str],
    ) -> PrivateLinkEndpointArgs:
        """``target``'s endpoint; ``network`` is (resource group, endpoints subnet, zone ids)."""
        resource_group_name, subnet_id, zone_ids = network
        return cls(
            prefix=settings.names.resource_prefix,
            location=settings.location,
            resource_group_name=resource_group_name,
            target=target,
            resource_id=resource_id,
            subnet_id=subnet_id,
            zone_ids={zone: zone_ids[zone] for zone in target.zones if zone in zone_ids},
            tags=settings.tags,
        )

    @property
    def endpoint_name(self) -> str:
        """The private endpoint's Azure name."""
        return f"pe-{self.prefix}-{self.target.key}"

    def validate(self) -> PrivateLinkEndpointArgs:
        """Every zone of the target has an id: the zone group covers all of its names."""
        missing = [zone for zone in self.target.zones if zone not in self.zone_ids]
        if missing or not self.target.zones:
            raise NetworkArgsError(
                f"private endpoint {self.target.key} has no private DNS zone id for "
                f"{', '.join(missing) or 'any zone'}: add the zone to zones.TARGETS"
            )
        return self
