"""Guardrails of the blue/green serving component: on every planned stack, then per argument.

Most checks read the manifests the real program renders for dev, staging and prod (planned once
per session). Checks of particular arguments run the component alone under a fresh mock engine and
assert inside ``apply`` once every child has registered; the ``ran`` fixture fails a test whose
check never executed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import pulumi
import pytest

from mlops_infra.mocks import Mocks
from mlops_infra.naming import SLUG
from mlops_infra.serving.args import COMPONENT_TYPE, KubernetesServingArgs
from mlops_infra.serving.component import KubernetesServing
from mlops_infra.serving.values import ServingArgsError, image_reference
from support import ROLE_BINDING, SERVING_OBJECTS, PlannedStack, manifests_of, mocked, of_type

DIGEST = "sha256:" + "ab" * 32
REPO = f"acrcontoso.azurecr.io/{SLUG}"
Manifest = dict[str, Any]


def serving_args(**overrides: Any) -> KubernetesServingArgs:
    values: dict[str, Any] = {
        "namespace": SLUG,
        "environment": "dev",
        "image": f"{REPO}:1.2.3",
        "green_weight": 10,
    }
    values.update(overrides)
    return KubernetesServingArgs(**values)


def run_serving(
    mocks: Mocks, check: Callable[[list[Manifest]], None], *args: KubernetesServingArgs
) -> None:
    """Create one component per ``args``, then ``check`` the manifests of all their children."""

    @mocked
    def program() -> pulumi.Output[None]:
        components = [KubernetesServing(f"serving-{i}", a) for i, a in enumerate(args)]
        children = [child for c in components for child in c.resources.values()]
        return pulumi.Output.all(*(child.id for child in children)).apply(
            lambda _: check(manifests_of(mocks.resources))
        )

    program()


def of_kind(manifests: Sequence[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m["kind"] == kind]


# -- the workload, on every stack --------------------------------------------------------------


def test_every_container_has_resources_probes_and_hardening(stack: PlannedStack) -> None:
    deployments = stack.manifests("Deployment")
    assert sorted(d["metadata"]["name"] for d in deployments) == [f"{SLUG}-blue", f"{SLUG}-green"]
    registry = stack.settings.names.container_registry_login_server
    image = f"{registry}/{SLUG}@sha256:"  # every stack, dev included, runs a digest
    for deployment in deployments:
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert container["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert container["image"].startswith(image)
        assert pod["securityContext"]["runAsUser"] == 10001
        assert pod["serviceAccountName"] == f"{SLUG}-scoring"
        # The HPA owns the replica count; a fixed spec.replicas would fight it.
        assert "replicas" not in deployment["spec"]


def test_slots_are_labelled_and_selected_by_app_and_slot(stack: PlannedStack) -> None:
    for slot in ("blue", "green"):
        selector = {"app": SLUG, "slot": slot}
        (deployment,) = [
            d for d in stack.manifests("Deployment") if d["metadata"]["labels"]["slot"] == slot
        ]
        assert deployment["spec"]["selector"]["matchLabels"] == selector
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items()
        assert labels["app.kubernetes.io/instance"] == f"{SLUG}-{stack.name}"
        assert labels["environment"] == stack.name
        (service,) = [s for s in stack.manifests("Service") if s["metadata"]["name"].endswith(slot)]
        assert service["spec"]["type"] == "ClusterIP"
        assert service["spec"]["selector"] == selector
        assert service["spec"]["ports"][0]["port"] == 8080


def test_api_key_comes_from_a_secret_reference_never_a_value(stack: PlannedStack) -> None:
    assert stack.manifests("Secret") == []
    for deployment in stack.manifests("Deployment"):
        env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        key = env["SCORING_API_KEY"]
        assert "value" not in key
        assert key["valueFrom"]["secretKeyRef"] == {
            "name": "scoring-api-key",
            "key": "api-key",
            "optional": False,
        }


def test_service_account_and_namespace_are_locked_down(stack: PlannedStack) -> None:
    (account,) = stack.manifests("ServiceAccount")
    assert account["automountServiceAccountToken"] is False
    (namespace,) = stack.manifests("Namespace")
    assert namespace["metadata"]["name"] == stack.settings.namespace
    for mode in ("enforce", "audit", "warn"):
        assert namespace["metadata"]["labels"][f"pod-security.kubernetes.io/{mode}"] == "restricted"


def test_network_is_default_deny_plus_gateway_ingress_and_dns(stack: PlannedStack) -> None:
    policies = {p["metadata"]["name"]: p["spec"] for p in stack.manifests("NetworkPolicy")}
    assert policies["default-deny-all"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    gateway = policies["allow-gateway-ingress"]
    assert gateway["policyTypes"] == ["Ingress"]
    assert gateway["podSelector"] == {"matchLabels": {"app": SLUG}}
    (ingress,) = gateway["ingress"]
    assert [p["namespaceSelector"]["matchLabels"] for p in ingress["from"]] == [
        {"kubernetes.io/metadata.name": "gateway-system"}
    ]
    assert ingress["ports"] == [{"port": 8080, "protocol": "TCP"}]
    (egress,) = policies["allow-dns-egress"]["egress"]
    assert sorted((p["protocol"], p["port"]) for p in egress["ports"]) == [("TCP", 53), ("UDP", 53)]
    assert egress["to"][0]["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}


def test_quota_and_limit_range_cover_both_slots_at_max_scale(stack: PlannedStack) -> None:
    max_replicas = max(3, 3 * stack.settings.serving_replicas)
    pods = 2 * (max_replicas + 1)  # both slots at max_replicas plus one surge pod each
    (quota,) = stack.manifests("ResourceQuota")
    hard = quota["spec"]["hard"]
    assert hard["pods"] == str(pods)
    assert hard["requests.cpu"] == f"{pods * 250}m"
    assert hard["limits.cpu"] == f"{pods * 1000}m"
    assert hard["requests.memory"] == f"{pods * 512}Mi"
    assert hard["limits.memory"] == f"{pods * 1024}Mi"
    assert hard["services.loadbalancers"] == hard["services.nodeports"] == "0"
    (limit_range,) = stack.manifests("LimitRange")
    (item,) = limit_range["spec"]["limits"]
    assert item["type"] == "Container"
    assert item["default"] == item["max"] == {"cpu": "1", "memory": "1Gi"}
    assert item["defaultRequest"] == {"cpu": "250m", "memory": "512Mi"}


def test_one_hpa_and_one_pdb_per_deployment(stack: PlannedStack) -> None:
    replicas = stack.settings.serving_replicas
    deployments = {d["metadata"]["name"] for d in stack.manifests("Deployment")}
    hpas = stack.manifests("HorizontalPodAutoscaler")
    assert {h["spec"]["scaleTargetRef"]["name"] for h in hpas} == deployments
    for hpa in hpas:
        assert hpa["apiVersion"] == "autoscaling/v2"
        assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (
            replicas,
            max(3, 3 * replicas),
        )
        (metric,) = hpa["spec"]["metrics"]
        assert metric["resource"] == {
            "name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": 70},
        }
    pdbs = stack.manifests("PodDisruptionBudget")
    assert {p["spec"]["selector"]["matchLabels"]["slot"] for p in pdbs} == {"blue", "green"}
    # minAvailable 1 with a single replica would block every node drain and AKS upgrade.
    budget = {"maxUnavailable": 1} if replicas == 1 else {"minAvailable": 1}
    for pdb in pdbs:
        assert pdb["apiVersion"] == "policy/v1"
        kinds = ("minAvailable", "maxUnavailable")
        assert {k: pdb["spec"][k] for k in kinds if k in pdb["spec"]} == budget


def test_children_are_parented_and_outputs_resolve(stack: PlannedStack) -> None:
    assert f"{SLUG}:k8s:Serving" == COMPONENT_TYPE
    urns = stack.outputs["serving_urns"]
    assert len(urns) == 16
    for urn in urns:
        assert f"::{COMPONENT_TYPE}$kubernetes:" in urn, urn
    assert stack.outputs["serving"] == {
        "namespace": SLUG,
        "route": SLUG,
        "blue_service": f"{SLUG}-blue",
        "green_service": f"{SLUG}-green",
        "blue_deployment": f"{SLUG}-blue",
        "green_deployment": f"{SLUG}-green",
    }


def test_kubernetes_resources_use_the_cluster_provider(stack: PlannedStack) -> None:
    names = [r["name"] for r in stack.resources if r["type"].startswith("kubernetes:")]
    assert len(names) == SERVING_OBJECTS + len(of_type(stack.resources, ROLE_BINDING))
    for name in names:
        provider = stack.mocks.providers[name] or ""
        assert f"pulumi:providers:kubernetes::{SLUG}-aks-k8s::" in provider, (name, provider)


# -- particular arguments, each under a fresh engine -------------------------------------------


@pytest.mark.parametrize("green_weight", [0, 10, 50, 100])
def test_route_weights_sum_to_100_and_follow_green_weight(
    dev_mocks: Mocks, ran: list[str], green_weight: int
) -> None:
    def check(manifests: list[Manifest]) -> None:
        (route,) = of_kind(manifests, "HTTPRoute")
        assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
        (rule,) = route["spec"]["rules"]
        weights = {ref["name"]: ref["weight"] for ref in rule["backendRefs"]}
        assert weights == {f"{SLUG}-blue": 100 - green_weight, f"{SLUG}-green": green_weight}
        assert {ref["port"] for ref in rule["backendRefs"]} == {8080}
        assert route["spec"]["hostnames"] == ["score.example.com"]
        assert route["spec"]["parentRefs"] == [
            {
                "group": "gateway.networking.k8s.io",
                "kind": "Gateway",
                "name": "shared-gateway",
                "namespace": "gateway-system",
            }
        ]
        paths = {m["path"]["value"] for m in rule["matches"]}
        assert paths == {"/score", "/health", "/ready"}  # /metrics stays in-cluster
        ran.append("route")

    args = serving_args(green_weight=green_weight, hostnames=["score.example.com"])
    run_serving(dev_mocks, check, args)


def test_monitoring_namespace_may_also_reach_the_pods(dev_mocks: Mocks, ran: list[str]) -> None:
    def check(manifests: list[Manifest]) -> None:
        (gateway,) = [
            p
            for p in of_kind(manifests, "NetworkPolicy")
            if p["metadata"]["name"] == "allow-gateway-ingress"
        ]
        sources = [
            p["namespaceSelector"]["matchLabels"] for p in gateway["spec"]["ingress"][0]["from"]
        ]
        assert sources == [
            {"kubernetes.io/metadata.name": "gw"},
            {"kubernetes.io/metadata.name": "monitoring"},
        ]
        ran.append("netpol")

    run_serving(
        dev_mocks, check, serving_args(gateway_namespace="gw", monitoring_namespace="monitoring")
    )


def test_names_are_unique_per_namespace_and_environment(dev_mocks: Mocks, ran: list[str]) -> None:
    def check(manifests: list[Manifest]) -> None:
        logical = Counter((r["type"], r["name"]) for r in dev_mocks.resources)
        assert [key for key, n in logical.items() if n > 1] == []
        objects = Counter(
            (m["apiVersion"], m["kind"], m["metadata"].get("namespace"), m["metadata"]["name"])
            for m in manifests
        )
        assert [key for key, n in objects.items() if n > 1] == []
        assert len(manifests) == 2 * 16
        for manifest in manifests:
            environment = manifest["metadata"]["labels"]["environment"]
            if manifest["kind"] != "Namespace":
                assert manifest["metadata"]["namespace"] == f"dp-{environment}"
        ran.append("names")

    dev = serving_args(namespace="dp-dev", environment="dev")
    staging = serving_args(namespace="dp-staging", environment="staging", image=f"{REPO}@{DIGEST}")
    run_serving(dev_mocks, check, dev, staging)


def test_component_validates_before_registering_anything(dev_mocks: Mocks) -> None:
    with pytest.raises(ServingArgsError, match="neither a digest nor a fixed tag"):
        KubernetesServing("serving", serving_args(image=REPO))
    assert dev_mocks.resources == []


# -- arguments from settings, and their rules ----------------------------------------------------


def test_args_from_settings_pin_the_image_where_required(planned: dict[str, PlannedStack]) -> None:
    dev, prod = planned["dev"].settings, planned["prod"].settings
    dev_args = KubernetesServingArgs.from_settings(dev)
    prod_args = KubernetesServingArgs.from_settings(prod)
    dev_args = KubernetesServingArgs.from_settings(
        replace(dev, serving_image=f"{SLUG}:dev", serving_image_digest=None)
    )
    assert dev_args.image == f"{dev.names.container_registry_login_server}/{SLUG}:dev"
    assert prod_args.image == (
        f"{prod.names.container_registry_login_server}/{SLUG}@{prod.serving_image_digest}"
    )
    assert (dev_args.require_digest, prod_args.require_digest) == (False, True)
    assert (prod_args.replicas, prod_args.max_replicas) == (3, 9)
    assert prod_args.labels == {"app.kubernetes.io/instance": f"{SLUG}-prod"}
    custom = replace(prod, serving_image="ghcr.io/contoso/model")
    assert KubernetesServingArgs.from_settings(custom).image == (
        f"ghcr.io/contoso/model@{prod.serving_image_digest}"
    )


@pytest.mark.parametrize(
    ("stack", "changes", "message"),
    [
        ("prod", {"serving_image_digest": None}, r"has no digest, and this environment \(prod\)"),
        ("staging", {"serving_image_digest": None}, r"\(staging\) requires one"),
        ("prod", {"serving_image_digest": "sha256:abc"}, "must be sha256:<64 lowercase hex"),
        (
            "prod",
            {"serving_image": f"{SLUG}:latest"},
            f"repository '{SLUG}:latest' must not carry a tag when a digest is set: "
            f"give the bare repository '{SLUG}'",
        ),
        (
            "dev",
            {"serving_image": SLUG, "serving_image_digest": None},
            "neither a digest nor a fixed tag",
        ),
        ("dev", {"green_weight": 101}, "green_weight must be 0..100, got 101"),
        ("staging", {"green_weight": -5}, "green_weight must be 0..100, got -5"),
        ("prod", {"serving_replicas": 0}, "replicas must be at least 1, got 0"),
        ("dev", {"namespace": "Diabetes_Progression"}, "namespace must be a DNS label"),
    ],
)
def test_config_values_are_refused_by_the_serving_rules(
    planned: dict[str, PlannedStack], stack: str, changes: dict[str, Any], message: str
) -> None:
    settings = replace(planned[stack].settings, **changes)
    with pytest.raises(ServingArgsError, match=message) as caught:
        KubernetesServingArgs.from_settings(settings).validate()
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "overrides",
    [
        {"image": f"{REPO}:1.2.3"},
        {"image": f"{REPO}@{DIGEST}", "green_image": f"{REPO}:1.2.4"},
    ],
)
def test_digest_is_required_when_the_environment_demands_it(overrides: dict[str, str]) -> None:
    args = serving_args(environment="prod", require_digest=True, **overrides)
    with pytest.raises(ServingArgsError, match=r"has no digest.*\(prod\) requires one"):
        args.validate()


@pytest.mark.parametrize(
    "image", [f"{REPO}@{DIGEST}", f"{REPO}:1.2.3@{DIGEST}", f"localhost:5000/dp@{DIGEST}"]
)
def test_digest_pinned_images_are_accepted_with_require_digest(image: str) -> None:
    assert serving_args(image=image, require_digest=True).validate().images["blue"] == image


def test_image_reference_puts_bare_repositories_in_the_registry() -> None:
    assert image_reference("model:1", None, "acr.io") == "acr.io/model:1"
    assert image_reference("ghcr.io/o/model", DIGEST, "acr.io") == f"ghcr.io/o/model@{DIGEST}"
    with pytest.raises(ServingArgsError, match="must not carry a tag"):
        image_reference(f"model@{DIGEST}", DIGEST, "acr.io")


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (REPO, "neither a digest nor a fixed tag"),
        (f"{REPO}:latest", "neither a digest nor a fixed tag"),
        (f"{REPO}@sha256:abc", "not a valid image reference"),
        ("Acr.io/UPPER:1", "not a valid image reference"),
        (f"{REPO}:1 ", "not a valid image reference"),
    ],
)
def test_mutable_or_malformed_images_are_refused(image: str, message: str) -> None:
    with pytest.raises(ServingArgsError, match=message):
        serving_args(image=image).validate()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"green_weight": 101}, "green_weight must be 0..100"),
        ({"green_weight": -1}, "green_weight must be 0..100"),
        ({"replicas": 0}, "replicas must be at least 1"),
        ({"replicas": 4, "max_replicas": 3}, r"max_replicas \(3\) must be at least replicas"),
        ({"target_cpu_utilization": 0}, "target_cpu_utilization must be 1..100"),
        ({"cpu_request": "2", "cpu_limit": "1"}, "cpu_request 2 is above cpu_limit 1"),
        ({"memory_request": "2Gi"}, "memory_request 2Gi is above memory_limit 1Gi"),
        ({"cpu_limit": "lots"}, "CPU quantity 'lots'"),
        ({"tmp_size_limit": "big"}, "memory quantity 'big'"),
        ({"namespace": "Not_A_Label"}, "namespace must be a DNS label"),
        ({"gateway_namespace": ""}, "gateway_namespace must be a DNS label"),
        ({"monitoring_namespace": "Mon"}, "monitoring_namespace must be a DNS label"),
        ({"api_key_secret_name": "Key!"}, "api_key_secret_name must be a DNS label"),
        ({"labels": {"team": "a b"}}, "label team='a b' is not a valid label value"),
    ],
)
def test_invalid_serving_args_are_refused_with_the_field_named(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ServingArgsError, match=message):
        serving_args(**overrides).validate()
