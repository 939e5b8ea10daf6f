"""The offline plan's outputs: render layout, secret masking, schema validation and checkov.

The manifests under test are the ones ``python -m mlops_infra.plan`` writes for the real stacks
(dev, staging, prod): the real program, run by the real SDKs under mocks.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import kubernetes_validate
import pulumi
import pulumi_kubernetes as k8s
import pytest
import yaml
from pulumi_azure_native import resources as azure_resources

from k8s_policy import (
    CHECKOV_SKIPS_ALWAYS,
    CHECKOV_SKIPS_DEV,
    checkov_available,
    deployment_violations,
    http_route_violations,
    run_checkov,
)
from mlops_infra import plan, render

STACKS = ("dev", "staging", "prod")
K8S_VERSION = kubernetes_validate.latest_version()
# Gateway API objects are CRDs: kubernetes-validate has schemas for built-in kinds only.
NO_BUILTIN_SCHEMA = {"HTTPRoute"}
LEAK = "s3cr3t-leak-canary"


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> dict[str, Path]:
    """``mlops_infra.plan`` output of every stack: {stack: <out>/<stack>}."""
    out = tmp_path_factory.mktemp("plan")
    for stack in STACKS:
        assert plan.main(["--stack", stack, "--out", str(out)]) == 0
    return {stack: out / stack for stack in STACKS}


def load_manifests(directory: Path) -> dict[str, dict]:
    return {
        path.name: yaml.safe_load(path.read_text())
        for path in sorted((directory / "manifests").glob("*/*.yaml"))
    }


# -- layout -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("kubernetes:core/v1:Namespace", ("v1", "Namespace")),
        ("kubernetes:core/v1:Service", ("v1", "Service")),
        ("kubernetes:apps/v1:Deployment", ("apps/v1", "Deployment")),
        (
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            ("networking.k8s.io/v1", "NetworkPolicy"),
        ),
        (
            "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
            ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ),
        (
            "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
            ("gateway.networking.k8s.io/v1", "HTTPRoute"),
        ),
        ("kubernetes:apps/v1:DeploymentPatch", None),
        ("kubernetes:helm.sh/v3:Release", None),
        ("kubernetes:yaml/v2:ConfigGroup", None),
        ("pulumi:providers:kubernetes", None),
        ("azure-native:containerservice:ManagedCluster", None),
    ],
)
def test_type_tokens_map_to_api_version_and_kind(token, expected):
    assert render.api_version_kind(token) == expected


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        (
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "shop"},
            },
            "1-manifest/apps_v1-deployment-shop-web.yaml",
        ),
        (  # cluster-scoped: pulumi-kubernetes writes "default" as the namespace part
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
            "1-manifest/v1-namespace-default-shop.yaml",
        ),
        (
            {
                "apiVersion": "gateway.networking.k8s.io/v1",
                "kind": "HTTPRoute",
                "metadata": {"name": "web", "namespace": "shop"},
            },
            "1-manifest/gateway.networking.k8s.io_v1-httproute-shop-web.yaml",
        ),
        (
            {
                "apiVersion": "apiextensions.k8s.io/v1",
                "kind": "CustomResourceDefinition",
                "metadata": {"name": "httproutes.gateway.networking.k8s.io"},
            },
            "0-crd/apiextensions.k8s.io_v1-customresourcedefinition-default-"
            "httproutes.gateway.networking.k8s.io.yaml",
        ),
    ],
)
def test_file_names_follow_pulumi_kubernetes_render_layout(manifest, expected, tmp_path):
    # provider/pkg/provider/provider.go renderPathForResource:
    # "%s-%s-%s-%s.yaml" % (apiVersion with / and : -> _, lower(kind), namespace|default, name)
    assert render.manifest_path(manifest, tmp_path) == tmp_path / expected


def test_plan_writes_every_serving_object_under_1_manifest(planned):
    names = sorted(load_manifests(planned["prod"]))
    ns = "{{ cookiecutter.project_slug }}"
    assert names == sorted(
        [
            f"v1-namespace-default-{ns}.yaml",
            f"v1-serviceaccount-{ns}-{ns}-scoring.yaml",
            f"networking.k8s.io_v1-networkpolicy-{ns}-default-deny-all.yaml",
            f"networking.k8s.io_v1-networkpolicy-{ns}-allow-gateway-ingress.yaml",
            f"networking.k8s.io_v1-networkpolicy-{ns}-allow-dns-egress.yaml",
            f"v1-resourcequota-{ns}-serving-quota.yaml",
            f"v1-limitrange-{ns}-serving-limits.yaml",
            f"gateway.networking.k8s.io_v1-httproute-{ns}-{ns}.yaml",
            *(
                f"{prefix}-{ns}-{ns}-{slot}.yaml"
                for slot in ("blue", "green")
                for prefix in (
                    "apps_v1-deployment",
                    "v1-service",
                    "autoscaling_v2-horizontalpodautoscaler",
                    "policy_v1-poddisruptionbudget",
                )
            ),
        ]
    )
    assert list((planned["prod"] / "manifests" / "0-crd").iterdir()) == []
    for path in (planned["prod"] / "manifests" / "1-manifest").iterdir():
        manifest = yaml.safe_load(path.read_text())
        assert render.manifest_path(manifest, planned["prod"] / "manifests") == path


def test_rewriting_removes_stale_manifests_and_refuses_collisions(tmp_path):
    record = {
        "type": "kubernetes:core/v1:ConfigMap",
        "name": "cm",
        "inputs": {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "a", "namespace": "n"},
        },
    }
    (tmp_path / "1-manifest").mkdir(parents=True)
    stale = tmp_path / "1-manifest" / "v1-configmap-n-old.yaml"
    stale.write_text("{}")
    (written,) = render.write_manifests([record], tmp_path)
    assert not stale.exists()
    assert yaml.safe_load(written.read_text())["metadata"] == {"name": "a", "namespace": "n"}
    with pytest.raises(ValueError, match="same file"):
        render.write_manifests([record, {**record, "name": "cm2"}], tmp_path)
    unnamed = {**record, "inputs": {"metadata": {"namespace": "n"}}}
    with pytest.raises(ValueError, match=r"no metadata\.name"):
        render.write_manifests([unnamed], tmp_path)


def test_numbers_come_back_as_integers_and_order_is_stable(planned):
    text = (planned["dev"] / "resources.json").read_text()
    records = json.loads(text)
    assert "8080.0" not in text
    deployment = next(r for r in records if r["type"] == "kubernetes:apps/v1:Deployment")
    port = deployment["inputs"]["spec"]["template"]["spec"]["containers"][0]["ports"][0]
    assert port["containerPort"] == 8080
    assert isinstance(port["containerPort"], int)
    keys = [(r["type"], r["name"]) for r in records]
    assert keys == sorted(keys)


def test_summary_counts_resources_per_type():
    records = [
        {"type": "kubernetes:apps/v1:Deployment", "name": "a", "inputs": {}},
        {"type": "kubernetes:apps/v1:Deployment", "name": "b", "inputs": {}},
        {"type": "kubernetes:core/v1:Service", "name": "c", "inputs": {}},
    ]
    lines = render.summary_table(records).splitlines()
    assert lines[0].split() == ["TYPE", "COUNT"]
    assert lines[1].split() == ["kubernetes:apps/v1:Deployment", "2"]
    assert lines[2].split() == ["kubernetes:core/v1:Service", "1"]
    assert lines[3].split() == ["total", "3"]
    assert render.summary_table([]) == "no resources\n"


# -- secrets ----------------------------------------------------------------------------------


def record_secret_program(stack_factory) -> list[dict]:
    """A program holding the canary as Pulumi secrets and as a Secret's data; its records."""
    mocks = stack_factory("dev").mocks

    @pulumi.runtime.test
    def program():
        k8s.core.v1.Secret(
            "api-key",
            metadata={"name": "scoring-api-key", "namespace": "ns"},
            string_data={"api-key": LEAK},  # plain text, but a Secret's data
        )
        k8s.core.v1.ConfigMap(
            "settings",
            metadata={"name": "settings", "namespace": "ns"},
            data={"token": pulumi.Output.secret(LEAK), "mode": "public-value"},
        )
        k8s.Provider("cluster", kubeconfig=pulumi.Output.secret(f"token: {LEAK}"))
        azure_resources.ResourceGroup("rg", tags={"adminPassword": LEAK, "owner": "team"})

    program()
    return mocks.resources


def test_secrets_never_reach_resources_json_or_manifests(stack_factory, tmp_path):
    records = record_secret_program(stack_factory)
    assert LEAK in json.dumps(records, default=str)  # the canary really was recorded

    text = render.write_resources_json(records, tmp_path / "resources.json").read_text()
    assert LEAK not in text
    masked = {r["name"]: r["inputs"] for r in json.loads(text)}
    # pulumi-kubernetes itself marks a Secret's data secret: the whole map is masked.
    assert masked["api-key"]["stringData"] == render.SECRET_MASK
    # A secret Output inside a map makes the SDK send the whole map as one secret.
    assert masked["settings"]["data"] == render.SECRET_MASK
    assert masked["settings"]["metadata"] == {"name": "settings", "namespace": "ns"}
    assert masked["cluster"]["kubeconfig"] == render.SECRET_MASK
    assert masked["rg"]["tags"] == {"adminPassword": render.SECRET_MASK, "owner": "team"}

    for path in render.write_manifests(records, tmp_path / "manifests"):
        assert LEAK not in path.read_text(), path.name


def test_plain_secret_data_is_masked_key_by_key(tmp_path):
    record = {
        "type": "kubernetes:core/v1:Secret",
        "name": "raw",
        "inputs": {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "raw", "namespace": "ns"},
            "data": {"api-key": "czNjcjN0"},
            "stringData": {"password": LEAK},
        },
    }
    (masked,) = render.masked_records([record])
    assert masked["inputs"]["data"] == {"api-key": render.SECRET_MASK}
    assert masked["inputs"]["stringData"] == {"password": render.SECRET_MASK}
    (manifest,) = render.manifests([record])
    assert manifest["data"] == {"api-key": render.SECRET_MASK}
    assert LEAK not in json.dumps(manifest)


def test_mutation_without_masking_the_canary_leaks(stack_factory, tmp_path, monkeypatch):
    """The leak check above is not vacuous: with masking disabled it fails."""
    records = record_secret_program(stack_factory)
    monkeypatch.setattr(render, "mask_secrets", lambda value, **_: value)
    text = render.write_resources_json(records, tmp_path / "resources.json").read_text()
    assert LEAK in text


def test_references_to_secrets_stay_readable(planned):
    text = (planned["staging"] / "resources.json").read_text()
    assert '"secretKeyRef"' in text
    assert '"scoring-api-key"' in text
    assert '"enableSecretRotation": "true"' in text
    records = json.loads(text)
    provider = next(r for r in records if r["type"] == "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == render.SECRET_MASK


# -- schema validation ------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_manifests_pass_kubernetes_validate_strict(planned, stack):
    manifests = load_manifests(planned[stack])
    assert len(manifests) == 16
    for name, manifest in manifests.items():
        if manifest["kind"] in NO_BUILTIN_SCHEMA:
            # No schema ships for CRDs: prove that, then check the CRD's required fields here.
            with pytest.raises(kubernetes_validate.utils.SchemaNotFoundError):
                kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)
            assert http_route_violations(manifest) == [], name
            continue
        kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)


def test_strict_validation_catches_a_mutated_manifest(planned):
    manifests = load_manifests(planned["dev"])
    deployment = next(m for m in manifests.values() if m["kind"] == "Deployment")
    mutant = copy.deepcopy(deployment)
    mutant["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsUserr"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(mutant, K8S_VERSION, strict=True)
    route = next(m for m in manifests.values() if m["kind"] == "HTTPRoute")
    broken = copy.deepcopy(route)
    del broken["spec"]["parentRefs"][0]["name"]
    broken["spec"]["rules"][0]["backendRefs"][0]["weight"] = -1
    assert len(http_route_violations(broken)) == 2


@pytest.mark.parametrize("stack", STACKS)
def test_planned_deployments_satisfy_the_workload_policy(planned, stack):
    for manifest in load_manifests(planned[stack]).values():
        if manifest["kind"] == "Deployment":
            assert deployment_violations(manifest) == []
            image = manifest["spec"]["template"]["spec"]["containers"][0]["image"]
            assert ("@sha256:" in image) is (stack != "dev")


# -- checkov ----------------------------------------------------------------------------------


def _failed(report: dict) -> list[tuple[str, str]]:
    return sorted(
        (check["check_id"], Path(check["file_path"]).name)
        for check in report["results"]["failed_checks"]
    )


@pytest.fixture(scope="module")
def checkov_reports(planned, tmp_path_factory) -> dict[str, dict]:
    """One checkov run for dev (its documented skips) and one for staging, prod and mutants."""
    if not checkov_available():
        pytest.skip("uv is not installed: checkov runs only in its own uv tool environment")
    pinned = tmp_path_factory.mktemp("checkov-pinned")
    for stack in ("staging", "prod"):
        target = pinned / stack
        target.mkdir()
        for name, manifest in load_manifests(planned[stack]).items():
            (target / name).write_text(yaml.safe_dump(manifest))
    # Mutants of a staging Deployment: checkov must fail each for the stated reason.
    base = next(m for m in load_manifests(planned["staging"]).values() if m["kind"] == "Deployment")
    mutants = pinned / "mutants"
    mutants.mkdir()
    for label, mutate in MUTANTS.items():
        mutant = copy.deepcopy(base)
        mutant["metadata"]["name"] = f"mutant-{label}"
        mutate(mutant["spec"]["template"]["spec"]["containers"][0])
        (mutants / f"{label}.yaml").write_text(yaml.safe_dump(mutant))
    try:
        return {
            "dev": run_checkov(
                planned["dev"] / "manifests", sorted(CHECKOV_SKIPS_ALWAYS | CHECKOV_SKIPS_DEV)
            ),
            "pinned": run_checkov(pinned, sorted(CHECKOV_SKIPS_ALWAYS)),
        }
    except (RuntimeError, OSError) as exc:
        pytest.skip(f"checkov could not be installed or run in its uv tool environment: {exc}")


MUTANTS = {
    "no-limits": lambda c: c["resources"].pop("limits"),
    "privilege-escalation": lambda c: c["securityContext"].update(allowPrivilegeEscalation=True),
    "tagged-image": lambda c: c.update(image=c["image"].split("@")[0] + ":1.0"),
}
MUTANT_FINDINGS = {
    "no-limits": {"CKV_K8S_11", "CKV_K8S_13"},  # CPU and memory limits
    "privilege-escalation": {"CKV_K8S_20"},
    "tagged-image": {"CKV_K8S_43"},  # digest required outside dev
}


def test_checkov_passes_dev_with_only_documented_skips(checkov_reports):
    report = checkov_reports["dev"]
    assert report["summary"]["resource_count"] >= 16
    assert report["summary"]["passed"] > 100
    assert _failed(report) == []


def test_checkov_passes_staging_and_prod_and_catches_every_mutant(checkov_reports):
    report = checkov_reports["pinned"]
    failed = _failed(report)
    real = [(check, name) for check, name in failed if not name.startswith(tuple(MUTANTS))]
    assert real == []
    for label, expected in MUTANT_FINDINGS.items():
        found = {check for check, name in failed if name == f"{label}.yaml"}
        assert expected <= found, (label, found)


def test_every_checkov_skip_has_a_reason():
    for check, reason in {**CHECKOV_SKIPS_ALWAYS, **CHECKOV_SKIPS_DEV}.items():
        assert check.startswith("CKV_K8S_")
        assert len(reason) > 20
