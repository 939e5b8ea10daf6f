"""Which private endpoint group and which private DNS zones serve each private resource: data only.

The one source of truth for the private endpoints. ``resource`` names an entry of
``MlWorkspace.private_link_ids``; ``group_id`` is the endpoint's sub-resource; ``zones`` are the
``privatelink.*`` zones whose A records the endpoint's zone group manages (Azure public cloud).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrivateLinkTarget:
    """One private endpoint: its short name, target resource, group and DNS zones."""

    key: str  # in resource names: pe-<prefix>-<key>
    resource: str  # key of MlWorkspace.private_link_ids
    group_id: str
    zones: tuple[str, ...]


TARGETS: tuple[PrivateLinkTarget, ...] = (
    PrivateLinkTarget(
        "workspace",
        "workspace",
        "amlworkspace",
        ("privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"),
    ),
    PrivateLinkTarget("vault", "key_vault", "vault", ("privatelink.vaultcore.azure.net",)),
    PrivateLinkTarget("blob", "storage", "blob", ("privatelink.blob.core.windows.net",)),
    PrivateLinkTarget("file", "storage", "file", ("privatelink.file.core.windows.net",)),
    PrivateLinkTarget("registry", "registry", "registry", ("privatelink.azurecr.io",)),
)

# Every zone once, in table order: the network creates and links each of them.
ZONES: tuple[str, ...] = tuple(dict.fromkeys(zone for target in TARGETS for zone in target.zones))


def zone_label(zone: str) -> str:
    """A zone as a resource-name part: ``privatelink.api.azureml.ms`` -> ``api-azureml-ms``."""
    return zone.removeprefix("privatelink.").replace(".", "-")
