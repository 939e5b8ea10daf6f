"""CKV_MLOPS_19: an HTTPRoute within the Gateway API v1 bounds it uses.

kubernetes-validate ships no schema for Gateway API CRDs, so the parts of the v1 CRD schema the
route uses are checked here: parentRefs[].name, hostnames (RFC 1123, optional leading ``*.``),
rules (1-16), matches (path type Exact | PathPrefix | RegularExpression, absolute value),
backendRefs (at most 16, name, port 1-65535, weight 0-1000000).
"""

from __future__ import annotations

import re
from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check

HOSTNAME = re.compile(r"(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
PATH_TYPES = ("Exact", "PathPrefix", "RegularExpression")


def _hostnames_ok(spec: dict[str, Any]) -> bool:
    """Every hostname is a valid (wildcard) DNS name of at most 253 characters."""
    hosts = spec.get("hostnames") or []
    return all(HOSTNAME.fullmatch(str(h)) and len(str(h)) <= 253 for h in hosts)


def _backend_ok(ref: dict[str, Any]) -> bool:
    """A named backend with a Service port in range and a weight in range."""
    port_ok = ref.get("kind", "Service") != "Service" or 1 <= int(ref.get("port", 0)) <= 65535
    return bool(ref.get("name")) and port_ok and 0 <= int(ref.get("weight", 1)) <= 1_000_000


def _rule_ok(rule: dict[str, Any]) -> bool:
    """Absolute paths of a known match type; at most 16 valid backends."""
    for match in rule.get("matches") or []:
        path = match.get("path") or {}
        if path.get("type") not in PATH_TYPES or not str(path.get("value", "")).startswith("/"):
            return False
    backends = rule.get("backendRefs") or []
    return len(backends) <= 16 and all(_backend_ok(ref) for ref in backends)


def route_ok(conf: dict[str, Any]) -> bool:
    """The route's metadata, parents, hostnames and rules are within the v1 schema."""
    meta = conf.get("metadata") or {}
    spec = conf.get("spec")
    if conf.get("apiVersion") != "gateway.networking.k8s.io/v1" or not isinstance(spec, dict):
        return False
    parents = spec.get("parentRefs") or []
    rules = spec.get("rules") or []
    return (
        bool(meta.get("name") and meta.get("namespace"))
        and {k for k in spec if not k.startswith("__")} <= {"parentRefs", "hostnames", "rules"}
        and 1 <= len(parents) <= 32
        and all(p.get("name") for p in parents)
        and _hostnames_ok(spec)
        and 1 <= len(rules) <= 16
        and all(_rule_ok(rule) for rule in rules)
    )


class HttpRouteValid(BaseK8Check):
    """Ensure an HTTPRoute has valid parents, hostnames, rules and backends (Gateway API v1)."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure an HTTPRoute has valid parents, hostnames, rules and backends",
            id="CKV_MLOPS_19",
            categories=(CheckCategories.KUBERNETES,),
            supported_entities=("HTTPRoute",),
        )

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        """FAILED when any field the route uses is outside the v1 CRD schema's bounds."""
        return CheckResult.PASSED if route_ok(conf) else CheckResult.FAILED


check = HttpRouteValid()
