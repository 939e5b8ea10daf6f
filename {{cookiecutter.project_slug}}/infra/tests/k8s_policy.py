"""Policy checks on rendered Kubernetes manifests, used by the serving and render tests.

Each check returns a list of violations (empty: compliant), so a test can both assert that the
real manifests comply and that a deliberately broken copy (a mutant) is caught.
"""

from __future__ import annotations

import re
from typing import Any

_HOSTNAME = re.compile(r"(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def pod_spec(manifest: dict[str, Any]) -> dict[str, Any]:
    """The pod template's spec of a Deployment manifest."""
    spec: dict[str, Any] = manifest["spec"]["template"]["spec"]
    return spec


def _port_number(port: Any, container: dict[str, Any]) -> Any:
    if isinstance(port, str):
        for declared in container.get("ports") or []:
            if declared.get("name") == port:
                return declared.get("containerPort")
    return port


def _probe_violations(container: dict[str, Any], probe: str, path: str) -> list[str]:
    spec = container.get(probe)
    name = container.get("name")
    if not spec or "httpGet" not in spec:
        return [f"{name}: no {probe} httpGet"]
    get = spec["httpGet"]
    out = []
    if get.get("path") != path:
        out.append(f"{name}: {probe} path {get.get('path')!r} is not {path}")
    if _port_number(get.get("port"), container) != 8080:
        out.append(f"{name}: {probe} port {get.get('port')!r} is not 8080")
    return out


def deployment_violations(manifest: dict[str, Any]) -> list[str]:
    """Everything the serving Deployments promise, for one Deployment manifest."""
    pod = pod_spec(manifest)
    out: list[str] = []
    if pod.get("automountServiceAccountToken") is not False:
        out.append("pod: automountServiceAccountToken is not false")
    pod_context = pod.get("securityContext") or {}
    if pod_context.get("runAsNonRoot") is not True:
        out.append("pod: runAsNonRoot is not true")
    tmp_volumes = {
        v["name"] for v in pod.get("volumes") or [] if isinstance(v.get("emptyDir"), dict)
    }
    containers = [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]
    if not containers:
        out.append("pod: no containers")
    for c in containers:
        name = c.get("name")
        resources = c.get("resources") or {}
        for section in ("requests", "limits"):
            for resource in ("cpu", "memory"):
                if not (resources.get(section) or {}).get(resource):
                    out.append(f"{name}: no {section}.{resource}")
        out += _probe_violations(c, "livenessProbe", "/health")
        out += _probe_violations(c, "readinessProbe", "/ready")
        ctx = c.get("securityContext") or {}
        expected = {
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
        }
        for key, value in expected.items():
            if ctx.get(key) != value:
                out.append(f"{name}: securityContext.{key} is {ctx.get(key)!r}, not {value!r}")
        if ctx.get("privileged"):
            out.append(f"{name}: privileged")
        if (ctx.get("capabilities") or {}).get("drop") != ["ALL"]:
            out.append(f"{name}: capabilities do not drop ALL")
        if (ctx.get("capabilities") or {}).get("add"):
            out.append(f"{name}: capabilities added")
        seccomp = (ctx.get("seccompProfile") or pod_context.get("seccompProfile") or {}).get("type")
        if seccomp != "RuntimeDefault":
            out.append(f"{name}: seccompProfile is {seccomp!r}, not RuntimeDefault")
        if c.get("imagePullPolicy") != "Always":
            out.append(f"{name}: imagePullPolicy is not Always")
        mounts = {m.get("mountPath"): m.get("name") for m in c.get("volumeMounts") or []}
        if mounts.get("/tmp") not in tmp_volumes:  # noqa: S108 (the emptyDir we require)
            out.append(f"{name}: /tmp is not an emptyDir mount")
    return out


def http_route_violations(manifest: dict[str, Any]) -> list[str]:
    """Required fields and bounds of a gateway.networking.k8s.io/v1 HTTPRoute.

    kubernetes-validate ships no schema for Gateway API CRDs, so the parts of the v1 CRD schema
    this route uses are checked here: parentRefs[].name, hostnames, rules (at most 16), matches
    (path type Exact | PathPrefix | RegularExpression, absolute value), backendRefs (at most 16,
    name, port 1-65535, weight 0-1000000).
    """
    out: list[str] = []
    if manifest.get("apiVersion") != "gateway.networking.k8s.io/v1":
        out.append(f"apiVersion is {manifest.get('apiVersion')!r}")
    if manifest.get("kind") != "HTTPRoute":
        out.append(f"kind is {manifest.get('kind')!r}")
    meta = manifest.get("metadata") or {}
    if not meta.get("name") or not meta.get("namespace"):
        out.append("metadata.name and metadata.namespace are required")
    spec = manifest.get("spec")
    if not isinstance(spec, dict):
        return [*out, "spec is required"]
    allowed = {"parentRefs", "hostnames", "rules"}
    out += [f"spec.{key} is not a known field" for key in set(spec) - allowed]
    parents = spec.get("parentRefs") or []
    if not parents or len(parents) > 32:
        out.append("spec.parentRefs needs 1-32 entries")
    out += [f"parentRefs[{i}].name is required" for i, p in enumerate(parents) if not p.get("name")]
    for host in spec.get("hostnames") or []:
        if not _HOSTNAME.fullmatch(host) or len(host) > 253:
            out.append(f"hostname {host!r} is invalid")
    rules = spec.get("rules") or []
    if not 1 <= len(rules) <= 16:
        out.append("spec.rules needs 1-16 entries")
    for i, rule in enumerate(rules):
        for match in rule.get("matches") or []:
            path = match.get("path") or {}
            if path.get("type") not in ("Exact", "PathPrefix", "RegularExpression"):
                out.append(f"rules[{i}] path type {path.get('type')!r} is invalid")
            if not str(path.get("value", "")).startswith("/"):
                out.append(f"rules[{i}] path value {path.get('value')!r} is not absolute")
        backends = rule.get("backendRefs") or []
        if len(backends) > 16:
            out.append(f"rules[{i}] has more than 16 backendRefs")
        for j, ref in enumerate(backends):
            where = f"rules[{i}].backendRefs[{j}]"
            if not ref.get("name"):
                out.append(f"{where}.name is required")
            if (
                ref.get("kind", "Service") == "Service"
                and not 1 <= int(ref.get("port", 0)) <= 65535
            ):
                out.append(f"{where}.port is required for a Service (1-65535)")
            if not 0 <= int(ref.get("weight", 1)) <= 1_000_000:
                out.append(f"{where}.weight is out of 0..1000000")
    return out
