"""The offline plan's outputs: render layout, secret masking, schema validation and checkov.

The manifests under test are the ones ``python -m mlops_infra.plan`` writes for the real stacks
(dev, staging, prod): the real program, run by the real SDKs under mocks.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import pulumi
import pulumi_kubernetes as k8s
import pytest
import yaml
from pulumi_azure_native import resources as azure_resources

from checkov_scan import MUTANT_FINDINGS, MUTANTS, ROUTE_MUTANTS, expected_findings, findings
from mlops_infra import render
from mlops_infra.naming import SLUG
from support import (
    SERVING_OBJECTS,
    STACKS,
    PlannedStack,
    Record,
    mock_stack,
    mocked,
    serving_objects,
)

K8S_VERSION = kubernetes_validate.latest_version()
# Gateway API objects are CRDs: kubernetes-validate has schemas for built-in kinds only.
NO_BUILTIN_SCHEMA = {"HTTPRoute"}
LEAK = "s3cr3t-leak-canary"


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
def test_type_tokens_map_to_api_version_and_kind(
    token: str, expected: tuple[str, str] | None
) -> None:
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
def test_file_names_follow_pulumi_kubernetes_render_layout(
    manifest: dict[str, Any], expected: str, tmp_path: Path
) -> None:
    # provider/pkg/provider/provider.go renderPathForResource:
    # "%s-%s-%s-%s.yaml" % (apiVersion with / and : -> _, lower(kind), namespace|default, name)
    assert render.manifest_path(manifest, tmp_path) == tmp_path / expected


def test_plan_writes_every_serving_object_under_1_manifest(
    planned: dict[str, PlannedStack],
) -> None:
    directory = planned["prod"].directory / "manifests"
    paths = directory.glob("*/*.yaml")
    names = sorted(path.name for path in paths if "rolebinding" not in path.name)
    ns = SLUG
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
    assert list((directory / "0-crd").iterdir()) == []
    for path in (directory / "1-manifest").iterdir():
        manifest = yaml.safe_load(path.read_text())
        assert render.manifest_path(manifest, directory) == path


def test_rewriting_removes_stale_manifests_and_refuses_collisions(tmp_path: Path) -> None:
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


def test_numbers_come_back_as_integers_and_order_is_stable(
    planned: dict[str, PlannedStack],
) -> None:
    text = (planned["dev"].directory / "resources.json").read_text()
    records = json.loads(text)
    assert "8080.0" not in text
    deployment = next(r for r in records if r["type"] == "kubernetes:apps/v1:Deployment")
    port = deployment["inputs"]["spec"]["template"]["spec"]["containers"][0]["ports"][0]
    assert port["containerPort"] == 8080
    assert isinstance(port["containerPort"], int)
    keys = [(r["type"], r["name"]) for r in records]
    assert keys == sorted(keys)


def test_summary_counts_resources_per_type() -> None:
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


def record_secret_program() -> list[Record]:
    """A program holding the canary as Pulumi secrets and as a Secret's data; its records."""
    mocks = mock_stack("dev")

    @mocked
    def program() -> None:
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


def test_secrets_never_reach_resources_json_or_manifests(tmp_path: Path) -> None:
    records = record_secret_program()
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


def test_plain_secret_data_is_masked_key_by_key(tmp_path: Path) -> None:
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


def test_mutation_without_masking_the_canary_leaks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The leak check above is not vacuous: with masking disabled it fails."""
    records = record_secret_program()
    monkeypatch.setattr(render, "mask_secrets", lambda value, **_: value)
    text = render.write_resources_json(records, tmp_path / "resources.json").read_text()
    assert LEAK in text


def test_references_to_secrets_stay_readable(planned: dict[str, PlannedStack]) -> None:
    text = (planned["staging"].directory / "resources.json").read_text()
    assert '"secretKeyRef"' in text
    assert '"scoring-api-key"' in text
    assert '"enableSecretRotation": "true"' in text
    records = json.loads(text)
    provider = next(r for r in records if r["type"] == "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == render.SECRET_MASK


# -- schema validation ------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_manifests_pass_kubernetes_validate_strict(
    planned: dict[str, PlannedStack], stack: str
) -> None:
    manifests = planned[stack].manifests()
    assert len(serving_objects(manifests)) == SERVING_OBJECTS
    for manifest in manifests:
        if manifest["kind"] in NO_BUILTIN_SCHEMA:
            # No schema ships for CRDs: prove that; the project's checkov check CKV_MLOPS_19
            # holds the HTTPRoute's rules (test_checkov_fails_each_stack_only_on_...).
            with pytest.raises(kubernetes_validate.utils.SchemaNotFoundError):
                kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)
            continue
        kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)


def test_strict_validation_catches_a_mutated_manifest(planned: dict[str, PlannedStack]) -> None:
    (deployment, *_) = planned["dev"].manifests("Deployment")
    mutant = copy.deepcopy(deployment)
    mutant["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsUserr"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(mutant, K8S_VERSION, strict=True)


# -- checkov: one run over every stack and the mutants, started with the session ---------------


def _deployments(planned: PlannedStack) -> set[str]:
    return {p.name for p in (planned.directory / "manifests").glob("*/apps_v1-deployment-*")}


def _route(planned: PlannedStack) -> str:
    (route,) = (planned.directory / "manifests").glob("*/*httproute*")
    return route.name


def test_checkov_fails_each_stack_only_on_its_expected_findings(
    planned: dict[str, PlannedStack], checkov_report: dict[str, Any]
) -> None:
    failed = findings(checkov_report, "failed")
    for stack in STACKS:
        expected = {
            (check, stack, name)
            for check, stacks in expected_findings().items()
            if stack in stacks
            for name in _deployments(planned[stack])
        }
        assert {f for f in failed if f[1] == stack} == expected, stack


def test_checkov_really_checked_every_stacks_workloads(
    planned: dict[str, PlannedStack], checkov_report: dict[str, Any]
) -> None:
    assert checkov_report["summary"]["parsing_errors"] == 0
    passed = findings(checkov_report, "passed")
    for stack in STACKS:
        for name in _deployments(planned[stack]):
            ran = {check for check, folder, file in passed if (folder, file) == (stack, name)}
            assert len(ran) > 40, (stack, name, len(ran))
            assert {f"CKV_MLOPS_{n}" for n in range(10, 19)} <= ran, (stack, name)
        route = {
            c for c, folder, file in passed if (folder, file) == (stack, _route(planned[stack]))
        }
        assert "CKV_MLOPS_19" in route, stack


def test_checkov_catches_every_mutant(checkov_report: dict[str, Any]) -> None:
    failed = findings(checkov_report, "failed")
    assert set(MUTANT_FINDINGS) == set(MUTANTS) | set(ROUTE_MUTANTS)
    for label, expected in MUTANT_FINDINGS.items():
        found = {
            check
            for check, folder, name in failed
            if (folder, name) == ("mutants", f"{label}.yaml")
        }
        own = {check for check in found if check.startswith("CKV_MLOPS_")}
        assert own == {check for check in expected if check.startswith("CKV_MLOPS_")}, (
            label,
            found,
        )
        assert expected <= found, (label, found)
