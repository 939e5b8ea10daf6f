"""The offline plan's outputs, from the resources a Pulumi mock run recorded.

A record is ``{"type": <Pulumi type token>, "name": <logical name>, "inputs": {camelCase...}}``,
as ``pulumi.runtime.Mocks.new_resource`` sees it. From a list of records this module writes:

* ``resources.json``: every record with secrets masked (``[secret]``): any value the program
  marked secret (``pulumi.Output.secret``), every value under a Kubernetes Secret's ``data`` or
  ``stringData``, and any string under a key named like a credential (password, token, apiKey...);
* Kubernetes manifests for every ``kubernetes:*`` resource, in the layout of pulumi-kubernetes'
  ``renderYamlToDirectory``: ``<dir>/1-manifest/<apiVersion, / and : as _>-<kind lowercase>-
  <namespace or "default">-<name>.yaml``, CustomResourceDefinitions under ``<dir>/0-crd/``;
* a text summary: resource counts per type, then the run-time guardrails one per line (policy
  assignments and their effect, exemptions, Defender plans, delete locks, diagnostic settings and
  their log categories, the managed network's outbound rules), as ``guardrail_lines`` lists them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pulumi.runtime import rpc

SECRET_MASK = "[secret]"  # noqa: S105  # nosec B105 - the mask that replaces secrets
CRD_DIRECTORY = "0-crd"
MANIFEST_DIRECTORY = "1-manifest"
_K8S_TYPE = re.compile(r"kubernetes:(?P<group_version>[^:]+/[^:]+):(?P<kind>[A-Za-z0-9]+)")
# Not objects of the Kubernetes API: Helm/YAML/Kustomize components, Helm releases, patches.
_NOT_MANIFESTS = ("helm.sh/", "yaml/", "kustomize/")
# Credential-holding keys end like these (clientSecret, adminPassword, apiKey, ...); a key that
# only mentions one (secretName, secretKeyRef, enableSecretRotation) names, not holds, a secret.
_SENSITIVE_KEY = re.compile(
    r"(password|passwd|secret|token|api[-_]?key|private[-_]?key|connection[-_]?string"
    r"|credentials?|kubeconfig|sas[-_]?key|access[-_]?key|shared[-_]?key)$",
    re.IGNORECASE,
)


def _is_sensitive_key(key: str) -> bool:
    return bool(_SENSITIVE_KEY.search(key))


def plain(value: Any) -> Any:
    """JSON-safe copy: integral floats (protobuf numbers) back to int, objects to strings."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return f"<{type(value).__name__}>"


def mask_secrets(value: Any, *, by_key_name: bool = True, _key: str = "") -> Any:
    """Replace Pulumi secrets (and, with ``by_key_name``, credential-named strings) by a mask."""
    if rpc.is_rpc_secret(value):
        return SECRET_MASK
    if isinstance(value, Mapping):
        masked = {
            k: mask_secrets(v, by_key_name=by_key_name, _key=str(k)) for k, v in value.items()
        }
        if masked.get("kind") == "Secret":
            for data_key in ("data", "stringData"):
                if isinstance(masked.get(data_key), Mapping):
                    masked[data_key] = dict.fromkeys(masked[data_key], SECRET_MASK)
        return masked
    if isinstance(value, (list, tuple)):
        return [mask_secrets(v, by_key_name=by_key_name, _key=_key) for v in value]
    if by_key_name and isinstance(value, str) and value and _is_sensitive_key(_key):
        return SECRET_MASK
    return value


def _record_inputs(record: Mapping[str, Any]) -> Mapping[str, Any]:
    inputs = record.get("inputs") or {}
    if rpc.is_rpc_secret(inputs):
        return {"value": inputs}
    return inputs


def masked_records(resources: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The records as written to resources.json: type, name, masked inputs."""
    out = []
    for record in resources:
        masked = plain(mask_secrets(dict(_record_inputs(record))))
        out.append({"type": record["type"], "name": record["name"], "inputs": masked})
    return out


def write_resources_json(resources: Iterable[Mapping[str, Any]], path: Path) -> Path:
    """Write the masked records to ``path`` as stable, sorted JSON; return ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Sorted by type and name: registration order varies between runs, the file must not.
    records = sorted(masked_records(resources), key=lambda r: (r["type"], r["name"]))
    path.write_text(json.dumps(records, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def api_version_kind(type_token: str) -> tuple[str, str] | None:
    """``kubernetes:apps/v1:Deployment`` -> (``apps/v1``, ``Deployment``); None if not an object.

    The ``core`` group is the legacy group: ``kubernetes:core/v1:Namespace`` -> ``v1``.
    """
    match = _K8S_TYPE.fullmatch(type_token)
    if not match:
        return None
    group_version, kind = match["group_version"], match["kind"]
    if group_version.startswith(_NOT_MANIFESTS) or kind.endswith(("Patch", "List")):
        return None
    if group_version.startswith("core/"):
        group_version = group_version.removeprefix("core/")
    return group_version, kind


def to_manifest(record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The Kubernetes object of a ``kubernetes:*`` record (Pulumi secrets masked), or None."""
    parsed = api_version_kind(record["type"])
    if parsed is None:
        return None
    api_version, kind = parsed
    inputs = plain(mask_secrets(dict(_record_inputs(record)), by_key_name=False))
    # CustomResource inputs carry apiVersion/kind themselves; typed resources set them too.
    api_version = inputs.pop("apiVersion", None) or api_version
    kind = inputs.pop("kind", None) or kind
    if kind == "Secret":
        for data_key in ("data", "stringData"):
            if isinstance(inputs.get(data_key), Mapping):
                inputs[data_key] = dict.fromkeys(inputs[data_key], SECRET_MASK)
    metadata = dict(inputs.pop("metadata", None) or {})
    if not metadata.get("name"):
        raise ValueError(
            f"{record['type']} {record['name']!r} has no metadata.name: set an explicit name "
            "(auto-named objects cannot be rendered to a stable file)"
        )
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **inputs}


def manifest_path(manifest: Mapping[str, Any], directory: Path) -> Path:
    """Where pulumi-kubernetes' renderYamlToDirectory writes this object (renderPathForResource)."""
    api_version = str(manifest["apiVersion"])
    kind = str(manifest["kind"])
    metadata = manifest.get("metadata") or {}
    namespace = metadata.get("namespace") or "default"
    sanitized = api_version.replace("/", "_").replace(":", "_")
    file_name = f"{sanitized}-{kind.lower()}-{namespace}-{metadata['name']}.yaml"
    is_crd = kind == "CustomResourceDefinition" and api_version.startswith("apiextensions.k8s.io/")
    return Path(directory) / (CRD_DIRECTORY if is_crd else MANIFEST_DIRECTORY) / file_name


def manifests(resources: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The Kubernetes objects among the records, in order."""
    return [m for m in (to_manifest(r) for r in resources) if m is not None]


def write_manifests(resources: Iterable[Mapping[str, Any]], directory: Path) -> list[Path]:
    """Write every Kubernetes object; stale ``*.yaml`` from an earlier plan are removed first."""
    import yaml  # a dependency of the pulumi SDK itself

    directory = Path(directory)
    for sub in (CRD_DIRECTORY, MANIFEST_DIRECTORY):
        (directory / sub).mkdir(parents=True, exist_ok=True)
        for stale in (directory / sub).glob("*.yaml"):
            stale.unlink()
    written: list[Path] = []
    for manifest in manifests(resources):
        path = manifest_path(manifest, directory)
        if path in written:
            raise ValueError(f"two objects render to the same file {path.name}")
        path.write_text(yaml.safe_dump(manifest, sort_keys=True), encoding="utf-8")
        written.append(path)
    return written


def summary_table(resources: Iterable[Mapping[str, Any]]) -> str:
    """Resource counts per type as an aligned table with a total line, then the guardrails."""
    resources = list(resources)
    counts = Counter(record["type"] for record in resources)
    if not counts:
        return "no resources\n"
    width = max(len("TYPE"), *(len(t) for t in counts))
    lines = [f"{'TYPE':<{width}}  COUNT"]
    lines += [f"{t:<{width}}  {n:>5}" for t, n in sorted(counts.items())]
    lines.append(f"{'total':<{width}}  {sum(counts.values()):>5}")
    guardrails = guardrail_lines(resources)
    if guardrails:
        lines += ["", "GUARDRAILS", *guardrails]
    return "\n".join(lines) + "\n"


def _tail(resource_id: object) -> str:
    """The last ``type/name`` of an ARM id (``/subscriptions/s`` for a subscription)."""
    parts = str(resource_id or "").rstrip("/").split("/")
    return "/".join(parts[-2:]) if len(parts) > 2 else str(resource_id)


def _guardrail_line(record: Mapping[str, Any]) -> str | None:
    """One line for a guardrail resource, None for any other record."""
    kind, inputs = str(record["type"]).rsplit(":", 1)[-1], record.get("inputs") or {}
    if kind == "PolicyAssignment":
        effect = ((inputs.get("parameters") or {}).get("effect") or {}).get("value")
        return f"policy {inputs.get('policyAssignmentName')}: {effect}"
    if kind == "PolicyExemption":
        return f"exemption {inputs.get('policyExemptionName')}: until {inputs.get('expiresOn')}"
    if kind == "Pricing":
        return f"defender {inputs.get('pricingName')}: {inputs.get('pricingTier')}"
    if kind == "ManagementLockByScope":
        return f"lock {inputs.get('level')}: {_tail(inputs.get('scope'))}"
    if kind in ("DiagnosticSetting", "SubscriptionDiagnosticSetting"):
        scope = _tail(inputs.get("resourceUri")) if "resourceUri" in inputs else "subscription"
        categories = ", ".join(str(log.get("category")) for log in inputs.get("logs") or [])
        return f"logs {scope}: {categories}"
    return None


def guardrail_lines(resources: Iterable[Mapping[str, Any]]) -> list[str]:
    """The run-time guardrails among the records, one line each, sorted."""
    resources = list(resources)
    lines = [line for line in map(_guardrail_line, resources) if line]
    for record in resources:
        network = (record.get("inputs") or {}).get("managedNetwork") or {}
        for name, rule in sorted((network.get("outboundRules") or {}).items()):
            mode = network.get("isolationMode")
            lines.append(f"outbound {mode} {rule.get('type')} {name}: {rule.get('destination')}")
    return sorted(lines)
