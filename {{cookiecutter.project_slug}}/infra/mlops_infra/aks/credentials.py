"""Pure helpers over AKS credentials and identities: user kubeconfig, kubelet identity, AcrPull."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

import yaml

ACR_PULL_ROLE_ID = "7f951dda-4ed3-4680-a7ca-43fe172d538d"  # built-in role "AcrPull"
NETWORK_CONTRIBUTOR_ROLE_ID = "4d97b98b-1d4f-4787-a291-c67834d212e7"  # "Network Contributor"


def kubeconfig_with_login_mode(kubeconfig: str, mode: str) -> str:
    """Set ``--login <mode>`` on every kubelogin exec user of a kubeconfig."""
    config = yaml.safe_load(kubeconfig) or {}
    for user in config.get("users") or []:
        exec_config = (user.get("user") or {}).get("exec")
        if not exec_config or "kubelogin" not in str(exec_config.get("command", "")):
            continue
        args = list(exec_config.get("args") or [])
        for flag in ("--login", "-l"):
            while flag in args:
                index = args.index(flag)
                del args[index : index + 2]
        exec_config["args"] = [*args, "--login", mode]
    return yaml.safe_dump(config, sort_keys=False)


def decode_kubeconfig(credentials: Any, mode: str) -> str:
    """The first kubeconfig of a ``listManagedClusterUserCredentials`` result, as YAML text."""
    kubeconfigs = getattr(credentials, "kubeconfigs", None) or []
    if not kubeconfigs:
        raise ValueError("listManagedClusterUserCredentials returned no kubeconfig")
    raw = base64.b64decode(kubeconfigs[0].value).decode("utf-8")
    return kubeconfig_with_login_mode(raw, mode)


def role_definition_id(scope_id: str, role_id: str) -> str:
    """The subscription-scoped id of built-in role ``role_id``, for the subscription of
    ``scope_id``."""
    parts = scope_id.split("/")
    if len(parts) < 3 or parts[1].lower() != "subscriptions":
        raise ValueError(f"not an Azure resource id: {scope_id!r}")
    return f"/subscriptions/{parts[2]}/providers/Microsoft.Authorization/roleDefinitions/{role_id}"


def acr_pull_role_definition_id(scope_id: str) -> str:
    """The subscription-scoped id of the AcrPull role, for the subscription of ``scope_id``."""
    return role_definition_id(scope_id, ACR_PULL_ROLE_ID)


def network_contributor_role_definition_id(scope_id: str) -> str:
    """The subscription-scoped id of Network Contributor, for the subscription of ``scope_id``."""
    return role_definition_id(scope_id, NETWORK_CONTRIBUTOR_ROLE_ID)


def kubelet_object_id(identity_profile: Mapping[str, Any] | None) -> str | None:
    """The kubelet identity's object id from a ManagedCluster's ``identity_profile`` output."""
    identity = (identity_profile or {}).get("kubeletidentity")
    if identity is None:
        return None
    if isinstance(identity, Mapping):
        found = identity.get("objectId") or identity.get("object_id")
    else:
        found = getattr(identity, "object_id", None)
    return str(found) if found is not None else None
