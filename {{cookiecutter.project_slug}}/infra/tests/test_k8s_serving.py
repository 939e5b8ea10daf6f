"""Guardrails of the blue/green serving component and the AKS cluster, under pulumi mocks.

Each ``@pulumi.runtime.test`` returns ``Output.all(...).apply(check)`` over the ids of every child
resource, so the checks run once the mock engine has registered them all; the ``ran`` fixture
fails a test whose check never executed. Manifests are built from the recorded inputs with
``mlops_infra.render`` (the offline plan's own code), i.e. exactly what a cluster would receive.
"""

from __future__ import annotations

import base64
import copy
from collections import Counter

import pulumi
import pytest
import yaml

from k8s_policy import deployment_violations, http_route_violations
from mlops_infra import render
from mlops_infra.aks_cluster import (
    ACR_PULL_ROLE_ID,
    AksArgsError,
    AksCluster,
    AksClusterArgs,
    kubeconfig_with_login_mode,
)
from mlops_infra.k8s_serving import (
    APP_NAME,
    COMPONENT_TYPE,
    KubernetesServing,
    KubernetesServingArgs,
    ServingArgsError,
)
from mlops_infra.mocks import PROJECT_NAME, Mocks

DIGEST = "sha256:" + "ab" * 32
REPO = "acrcontoso.azurecr.io/{{ cookiecutter.project_slug }}"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
CLUSTER = "azure-native:containerservice:ManagedCluster"


def serving_args(**overrides) -> KubernetesServingArgs:
    values = {
        "namespace": "{{ cookiecutter.project_slug }}",
        "environment": "dev",
        "image": f"{REPO}:1.2.3",
        "green_weight": 10,
    }
    values.update(overrides)
    return KubernetesServingArgs(**values)


def when_created(components, check) -> pulumi.Output:
    """Run ``check`` once every child of ``components`` is registered with the mock engine."""
    if isinstance(components, KubernetesServing):
        components = [components]
    children = [child for component in components for child in component.resources.values()]
    return pulumi.Output.all(*(child.id for child in children)).apply(lambda _: check())


def manifests_of(mocks: Mocks, kind: str | None = None) -> list[dict]:
    found = render.manifests(mocks.resources)
    return [m for m in found if kind is None or m["kind"] == kind]


@pytest.fixture
def mocks(stack_factory) -> Mocks:
    return stack_factory("dev").mocks


# -- the workload ---------------------------------------------------------------------------


@pulumi.runtime.test
def test_every_container_has_resources_probes_and_hardening(mocks, ran):
    serving = KubernetesServing("serving", serving_args())

    def check():
        deployments = manifests_of(mocks, "Deployment")
        assert sorted(d["metadata"]["name"] for d in deployments) == [
            "{{ cookiecutter.project_slug }}-blue",
            "{{ cookiecutter.project_slug }}-green",
        ]
        for deployment in deployments:
            assert deployment_violations(deployment) == [], deployment["metadata"]["name"]
            pod = deployment["spec"]["template"]["spec"]
            container = pod["containers"][0]
            assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
            assert container["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
            assert pod["securityContext"]["runAsUser"] == 10001
            assert pod["serviceAccountName"] == "{{ cookiecutter.project_slug }}-scoring"
            # The HPA owns the replica count; a fixed spec.replicas would fight it.
            assert "replicas" not in deployment["spec"]
        ran.append("hardening")

    return when_created(serving, check)


@pulumi.runtime.test
def test_slots_are_labelled_and_selected_by_app_and_slot(mocks, ran):
    serving = KubernetesServing("serving", serving_args())

    def check():
        for slot in ("blue", "green"):
            selector = {"app": "{{ cookiecutter.project_slug }}", "slot": slot}
            deployment = next(
                d
                for d in manifests_of(mocks, "Deployment")
                if d["metadata"]["labels"]["slot"] == slot
            )
            assert deployment["spec"]["selector"]["matchLabels"] == selector
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            assert selector.items() <= labels.items()
            service = next(
                s for s in manifests_of(mocks, "Service") if s["metadata"]["name"].endswith(slot)
            )
            assert service["spec"]["type"] == "ClusterIP"
            assert service["spec"]["selector"] == selector
            assert service["spec"]["ports"][0]["port"] == 8080
        ran.append("labels")

    return when_created(serving, check)


@pulumi.runtime.test
def test_api_key_comes_from_a_secret_reference_never_a_value(mocks, ran):
    serving = KubernetesServing("serving", serving_args())

    def check():
        assert not [r for r in mocks.resources if r["type"] == "kubernetes:core/v1:Secret"]
        for deployment in manifests_of(mocks, "Deployment"):
            env = {
                e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]
            }
            key = env["SCORING_API_KEY"]
            assert "value" not in key
            assert key["valueFrom"]["secretKeyRef"] == {
                "name": "scoring-api-key",
                "key": "api-key",
                "optional": False,
            }
        ran.append("secret-ref")

    return when_created(serving, check)


@pulumi.runtime.test
def test_service_account_and_namespace_are_locked_down(mocks, ran):
    serving = KubernetesServing("serving", serving_args())

    def check():
        (account,) = manifests_of(mocks, "ServiceAccount")
        assert account["automountServiceAccountToken"] is False
        (namespace,) = manifests_of(mocks, "Namespace")
        labels = namespace["metadata"]["labels"]
        for mode in ("enforce", "audit", "warn"):
            assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        ran.append("namespace")

    return when_created(serving, check)


@pulumi.runtime.test
def test_network_is_default_deny_plus_gateway_ingress_and_dns(mocks, ran):
    serving = KubernetesServing(
        "serving", serving_args(gateway_namespace="gw", monitoring_namespace="monitoring")
    )

    def check():
        policies = {p["metadata"]["name"]: p["spec"] for p in manifests_of(mocks, "NetworkPolicy")}
        deny = policies["default-deny-all"]
        assert deny["podSelector"] == {}
        assert sorted(deny["policyTypes"]) == ["Egress", "Ingress"]
        assert "ingress" not in deny
        assert "egress" not in deny

        (ingress,) = policies["allow-gateway-ingress"]["ingress"]
        sources = [p["namespaceSelector"]["matchLabels"] for p in ingress["from"]]
        assert sources == [
            {"kubernetes.io/metadata.name": "gw"},
            {"kubernetes.io/metadata.name": "monitoring"},
        ]
        assert ingress["ports"] == [{"port": 8080, "protocol": "TCP"}]
        assert policies["allow-gateway-ingress"]["policyTypes"] == ["Ingress"]

        (egress,) = policies["allow-dns-egress"]["egress"]
        assert sorted(p["protocol"] for p in egress["ports"]) == ["TCP", "UDP"]
        assert {p["port"] for p in egress["ports"]} == {53}
        assert egress["to"][0]["podSelector"]["matchLabels"] == {"k8s-app": "kube-dns"}
        ran.append("netpol")

    return when_created(serving, check)


@pulumi.runtime.test
def test_quota_and_limit_range_cover_both_slots_at_max_scale(mocks, ran):
    serving = KubernetesServing("serving", serving_args(max_replicas=4))

    def check():
        (quota,) = manifests_of(mocks, "ResourceQuota")
        hard = quota["spec"]["hard"]
        pods = 2 * (4 + 1)  # both slots at max_replicas plus one surge pod each
        assert hard["pods"] == str(pods)
        assert hard["limits.cpu"] == f"{pods * 1000}m"
        assert hard["requests.memory"] == f"{pods * 512}Mi"
        assert hard["services.loadbalancers"] == "0"
        (limit_range,) = manifests_of(mocks, "LimitRange")
        (item,) = limit_range["spec"]["limits"]
        assert item["type"] == "Container"
        assert item["default"] == {"cpu": "1", "memory": "1Gi"}
        assert item["defaultRequest"] == {"cpu": "250m", "memory": "512Mi"}
        ran.append("quota")

    return when_created(serving, check)


# -- traffic, scaling, disruption -----------------------------------------------------------


@pytest.mark.parametrize("green_weight", [0, 10, 50, 100])
@pulumi.runtime.test
def test_route_weights_sum_to_100_and_follow_green_weight(mocks, ran, green_weight):
    serving = KubernetesServing(
        "serving", serving_args(green_weight=green_weight, hostnames=["score.example.com"])
    )

    def check():
        (route,) = manifests_of(mocks, "HTTPRoute")
        assert http_route_violations(route) == []
        assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
        (rule,) = route["spec"]["rules"]
        weights = {ref["name"]: ref["weight"] for ref in rule["backendRefs"]}
        assert weights == {
            "{{ cookiecutter.project_slug }}-blue": 100 - green_weight,
            "{{ cookiecutter.project_slug }}-green": green_weight,
        }
        assert sum(weights.values()) == 100
        assert {ref["port"] for ref in rule["backendRefs"]} == {8080}
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

    return when_created(serving, check)


@pulumi.runtime.test
def test_one_hpa_and_one_pdb_per_deployment(mocks, ran):
    serving = KubernetesServing("serving", serving_args(replicas=3, max_replicas=9))

    def check():
        deployments = {d["metadata"]["name"] for d in manifests_of(mocks, "Deployment")}
        hpas = manifests_of(mocks, "HorizontalPodAutoscaler")
        assert {h["spec"]["scaleTargetRef"]["name"] for h in hpas} == deployments
        for hpa in hpas:
            assert hpa["apiVersion"] == "autoscaling/v2"
            assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
            assert hpa["spec"]["minReplicas"] == 3
            assert hpa["spec"]["maxReplicas"] == 9
            (metric,) = hpa["spec"]["metrics"]
            assert metric["resource"]["name"] == "cpu"
            assert metric["resource"]["target"] == {"type": "Utilization", "averageUtilization": 70}
        pdbs = manifests_of(mocks, "PodDisruptionBudget")
        assert {p["spec"]["selector"]["matchLabels"]["slot"] for p in pdbs} == {"blue", "green"}
        for pdb in pdbs:
            assert pdb["apiVersion"] == "policy/v1"
            assert pdb["spec"]["minAvailable"] == 1
            assert "maxUnavailable" not in pdb["spec"]
        ran.append("hpa-pdb")

    return when_created(serving, check)


@pulumi.runtime.test
def test_single_replica_pdb_does_not_block_node_drains(mocks, ran):
    serving = KubernetesServing("serving", serving_args(replicas=1))

    def check():
        for pdb in manifests_of(mocks, "PodDisruptionBudget"):
            assert "minAvailable" not in pdb["spec"]
            assert pdb["spec"]["maxUnavailable"] == 1
        ran.append("pdb-single")

    return when_created(serving, check)


# -- names, parents, providers --------------------------------------------------------------


@pulumi.runtime.test
def test_names_are_unique_per_namespace_and_environment(mocks, ran):
    dev = KubernetesServing("serving-dev", serving_args(namespace="dp-dev", environment="dev"))
    staging = KubernetesServing(
        "serving-staging",
        serving_args(namespace="dp-staging", environment="staging", image=f"{REPO}@{DIGEST}"),
    )

    def check():
        logical = Counter((r["type"], r["name"]) for r in mocks.resources)
        assert [key for key, n in logical.items() if n > 1] == []
        found = manifests_of(mocks)
        objects = Counter(
            (m["apiVersion"], m["kind"], m["metadata"].get("namespace"), m["metadata"]["name"])
            for m in found
        )
        assert [key for key, n in objects.items() if n > 1] == []
        for manifest in found:
            if manifest["kind"] != "Namespace":
                assert manifest["metadata"]["namespace"] in ("dp-dev", "dp-staging")
            assert manifest["metadata"]["labels"]["environment"] in ("dev", "staging")
        assert len(found) == 2 * 16
        ran.append("names")

    return when_created([dev, staging], check)


@pulumi.runtime.test
def test_children_are_parented_and_outputs_resolve(mocks, ran):
    serving = KubernetesServing("serving", serving_args())
    children = list(serving.resources.values())

    def check(values):
        urns, namespace, blue, green, route = values
        assert len(urns) == 16
        for urn in urns:
            assert f"::{COMPONENT_TYPE}$kubernetes:" in urn, urn
        assert namespace == APP_NAME
        assert (blue, green) == (f"{APP_NAME}-blue", f"{APP_NAME}-green")
        assert route == APP_NAME
        ran.append("parents")

    return pulumi.Output.all(
        pulumi.Output.all(*(c.urn for c in children)),
        serving.namespace_name,
        serving.service_names["blue"],
        serving.service_names["green"],
        serving.route_name,
    ).apply(check)


class ProviderRecordingMocks(Mocks):
    """Also records which provider each resource was registered with."""

    def __init__(self) -> None:
        super().__init__()
        self.providers: dict[str, str | None] = {}

    def new_resource(self, args):
        self.providers[args.name] = args.provider
        if args.typ == CLUSTER:
            rid, outputs = super().new_resource(args)
            outputs["identityProfile"] = {
                "kubeletidentity": {"objectId": "11111111-2222-3333-4444-555555555555"}
            }
            return rid, outputs
        return super().new_resource(args)


@pulumi.runtime.test
def test_kubernetes_resources_use_the_cluster_provider(ran):
    mocks = ProviderRecordingMocks()
    pulumi.runtime.set_mocks(mocks, project=PROJECT_NAME, stack="dev", preview=False)
    aks = AksCluster(
        "aks",
        AksClusterArgs(prefix=f"{APP_NAME}-dev", resource_group_name="rg", location="westeurope"),
    )
    serving = KubernetesServing(
        "serving", serving_args(), opts=pulumi.ResourceOptions(provider=aks.provider)
    )

    def check():
        k8s_names = [r["name"] for r in mocks.resources if r["type"].startswith("kubernetes:")]
        assert len(k8s_names) == 16
        for name in k8s_names:
            provider = mocks.providers[name] or ""
            assert "pulumi:providers:kubernetes::aks-k8s::" in provider, (name, provider)
        ran.append("provider")

    return when_created(serving, check)


# -- argument validation --------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"image": f"{REPO}:1.2.3"},
        {"image": f"{REPO}@{DIGEST}", "green_image": f"{REPO}:1.2.4"},
    ],
)
def test_digest_is_required_when_the_environment_demands_it(overrides):
    args = serving_args(environment="prod", require_digest=True, **overrides)
    with pytest.raises(ServingArgsError, match=r"has no digest.*\(prod\) requires one"):
        args.validate()


@pytest.mark.parametrize(
    "image",
    [f"{REPO}@{DIGEST}", f"{REPO}:1.2.3@{DIGEST}", f"localhost:5000/dp@{DIGEST}"],
)
def test_digest_pinned_images_are_accepted_with_require_digest(image):
    assert serving_args(image=image, require_digest=True).validate().images["blue"] == image


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
def test_mutable_or_malformed_images_are_refused(image, message):
    with pytest.raises(ServingArgsError, match=message):
        serving_args(image=image).validate()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"green_weight": 101}, "green_weight must be 0..100"),
        ({"green_weight": -1}, "green_weight must be 0..100"),
        ({"replicas": 0}, "replicas must be at least 1"),
        ({"replicas": 4, "max_replicas": 3}, "max_replicas"),
        ({"cpu_request": "2", "cpu_limit": "1"}, "cpu_request 2 is above cpu_limit 1"),
        ({"memory_request": "2Gi"}, "memory_request 2Gi is above memory_limit 1Gi"),
        ({"cpu_limit": "lots"}, "CPU quantity"),
        ({"namespace": "Not_A_Label"}, "namespace must be a DNS label"),
        ({"gateway_namespace": ""}, "gateway_namespace must be a DNS label"),
    ],
)
def test_invalid_serving_args_are_refused_with_the_field_named(overrides, message):
    with pytest.raises(ServingArgsError, match=message):
        serving_args(**overrides).validate()


def test_component_validates_before_registering_anything(stack_factory):
    mocks = stack_factory("dev").mocks
    with pytest.raises(ServingArgsError):
        KubernetesServing("serving", serving_args(image=REPO))
    assert mocks.resources == []


# -- mutation: the checks catch a broken workload -------------------------------------------


@pulumi.runtime.test
def test_policy_catches_mutated_deployments(mocks, ran):
    serving = KubernetesServing("serving", serving_args())

    def check():
        good = manifests_of(mocks, "Deployment")[0]
        assert deployment_violations(good) == []
        mutations = {
            "no limits": lambda c, p: c["resources"].pop("limits"),
            "privilege escalation": lambda c, p: c["securityContext"].update(
                allowPrivilegeEscalation=True
            ),
            "writable root": lambda c, p: c["securityContext"].update(readOnlyRootFilesystem=False),
            "root user": lambda c, p: c["securityContext"].update(runAsUser=0),
            "no liveness": lambda c, p: c.pop("livenessProbe"),
            "wrong readiness": lambda c, p: c["readinessProbe"]["httpGet"].update(path="/health"),
            "caps kept": lambda c, p: c["securityContext"].pop("capabilities"),
            "token mounted": lambda c, p: p.update(automountServiceAccountToken=True),
            "tag pull": lambda c, p: c.update(imagePullPolicy="IfNotPresent"),
        }
        for label, mutate in mutations.items():
            mutant = copy.deepcopy(good)
            pod = mutant["spec"]["template"]["spec"]
            mutate(pod["containers"][0], pod)
            assert deployment_violations(mutant), f"mutation not caught: {label}"
        ran.append("mutants")

    return when_created(serving, check)


# -- the AKS cluster ------------------------------------------------------------------------


def aks_args(**overrides) -> AksClusterArgs:
    values = {
        "prefix": "{{ cookiecutter.project_slug }}-dev",
        "resource_group_name": "rg-{{ cookiecutter.project_slug }}-dev",
        "location": "westeurope",
        "node_count": 2,
        "vm_size": "Standard_D4s_v5",
        "tags": {"environment": "dev"},
    }
    values.update(overrides)
    return AksClusterArgs(**values)


@pulumi.runtime.test
def test_aks_cluster_is_entra_rbac_with_local_accounts_off(ran):
    mocks = ProviderRecordingMocks()
    pulumi.runtime.set_mocks(mocks, project=PROJECT_NAME, stack="dev", preview=False)
    aks = AksCluster(
        "aks",
        aks_args(
            acr_id="/subscriptions/sub-1/resourceGroups/rg/providers/"
            "Microsoft.ContainerRegistry/registries/acr1"
        ),
    )

    def check(values):
        kubeconfig, urns = values
        cluster = mocks.one(CLUSTER)["inputs"]
        assert cluster["resourceName"] == "aks-{{ cookiecutter.project_slug }}-dev"
        assert cluster["identity"] == {"type": "SystemAssigned"}
        assert cluster["enableRBAC"] is True
        assert cluster["disableLocalAccounts"] is True
        assert cluster["aadProfile"] == {"managed": True, "enableAzureRBAC": True}
        assert cluster["networkProfile"]["networkPolicy"] in ("azure", "calico")
        assert cluster["tags"] == {"environment": "dev"}
        (pool,) = cluster["agentPoolProfiles"]
        assert pool["mode"] == "System"
        assert pool["enableAutoScaling"] is True
        assert (pool["minCount"], pool["maxCount"], pool["count"]) == (2, 4, 2)
        assert pool["vmSize"] == "Standard_D4s_v5"

        (call,) = [c for c in mocks.calls if "listManagedClusterUserCredentials" in c["token"]]
        assert call["args"]["resourceName"] == "aks-{{ cookiecutter.project_slug }}-dev"
        assert call["args"]["format"] == "exec"

        provider = mocks.one("pulumi:providers:kubernetes")["inputs"]
        assert pulumi.runtime.rpc.is_rpc_secret(provider["kubeconfig"])
        assert yaml.safe_load(kubeconfig)["current-context"] == "mock"

        (role,) = mocks.of_type("azure-native:authorization:RoleAssignment")
        assert role["inputs"]["principalId"] == "11111111-2222-3333-4444-555555555555"
        assert role["inputs"]["roleDefinitionId"].endswith(ACR_PULL_ROLE_ID)
        assert role["inputs"]["roleDefinitionId"].startswith("/subscriptions/sub-1/")

        for urn in urns:
            assert "::{{ cookiecutter.project_slug }}:k8s:AksCluster$" in urn, urn
        ran.append("aks")

    return pulumi.Output.all(
        aks.kubeconfig, pulumi.Output.all(aks.cluster.urn, aks.provider.urn, aks.acr_pull.urn)
    ).apply(check)


def test_kubeconfig_login_mode_is_rewritten_for_non_interactive_use():
    kubeconfig = yaml.safe_dump(
        {
            "users": [
                {
                    "name": "clusterUser",
                    "user": {
                        "exec": {
                            "command": "kubelogin",
                            "args": ["get-token", "--login", "devicecode", "--server-id", "x"],
                        }
                    },
                },
                {"name": "other", "user": {"token": "t"}},
            ]
        }
    )
    result = yaml.safe_load(kubeconfig_with_login_mode(kubeconfig, "workloadidentity"))
    args = result["users"][0]["user"]["exec"]["args"]
    assert args == ["get-token", "--server-id", "x", "--login", "workloadidentity"]
    assert result["users"][1] == {"name": "other", "user": {"token": "t"}}


def test_kubeconfig_decoding_reads_the_first_credential():
    from types import SimpleNamespace

    from mlops_infra.aks_cluster import decode_kubeconfig

    raw = "users: [{name: u, user: {exec: {command: kubelogin, args: [get-token]}}}]\n"
    result = SimpleNamespace(
        kubeconfigs=[SimpleNamespace(value=base64.b64encode(raw.encode()).decode())]
    )
    decoded = yaml.safe_load(decode_kubeconfig(result, "azurecli"))
    assert decoded["users"][0]["user"]["exec"]["args"] == ["get-token", "--login", "azurecli"]
    with pytest.raises(ValueError, match="no kubeconfig"):
        decode_kubeconfig(SimpleNamespace(kubeconfigs=[]), "azurecli")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"prefix": "Bad_Prefix"}, "prefix must be"),
        ({"node_count": 0}, "node_count must be at least 1"),
        ({"node_count": 3, "max_node_count": 2}, "max_node_count"),
        ({"vm_size": "D4s"}, "vm_size must be an Azure VM size"),
        ({"sku_tier": "Gold"}, "sku_tier"),
        ({"kubelogin_login_mode": "password"}, "kubelogin_login_mode"),
    ],
)
def test_invalid_aks_args_are_refused(overrides, message):
    with pytest.raises(AksArgsError, match=message):
        aks_args(**overrides).validate()
