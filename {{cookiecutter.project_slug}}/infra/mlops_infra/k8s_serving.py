"""Blue/green model serving on Kubernetes: one namespace, two slots, one weighted HTTPRoute.

``KubernetesServing`` lays out everything the scoring server needs in one hardened namespace:

* the Namespace itself, labelled for Pod Security Admission ``restricted`` (enforce, audit, warn);
* a ServiceAccount that mounts no API token (the server never talks to the Kubernetes API);
* NetworkPolicies: deny all ingress and egress, then allow only DNS out and port 8080 in from the
  gateway's namespace (and, if set, the monitoring namespace that scrapes ``/metrics``);
* a ResourceQuota sized from the slots' limits and a LimitRange with the same defaults;
* Deployments and ClusterIP Services ``blue`` and ``green``, an autoscaling/v2 HPA (CPU) and a
  policy/v1 PodDisruptionBudget per slot: ``minAvailable: 1``, except for a single-replica slot
  (dev), where ``minAvailable: 1`` would block every node drain and AKS upgrade forever, so that
  budget is ``maxUnavailable: 1`` instead;
* a Gateway API ``HTTPRoute`` sending ``100 - green_weight`` % of requests to blue and
  ``green_weight`` % to green, attached to a shared Gateway in another namespace.

The scoring API key is NOT created here: the pods read it from the Secret
``api_key_secret_name`` (key ``api_key_secret_key``), which CI creates out of band from Key Vault,
so the value never enters Pulumi state, the plan's files or a command line:

    az keyvault secret show --vault-name <kv> --name scoring-api-key --query value -o tsv \
      | kubectl create secret generic scoring-api-key -n <namespace> \
          --from-file=api-key=/dev/stdin --dry-run=client -o yaml | kubectl apply -f -

Pods stay Pending (CreateContainerConfigError) until it exists. The shared Gateway is not created
here either: its listener must admit routes from this namespace (``allowedRoutes.namespaces``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import pulumi
import pulumi_kubernetes as k8s

_R = TypeVar("_R", bound=pulumi.CustomResource)

COMPONENT_TYPE = "{{ cookiecutter.project_slug }}:k8s:Serving"
APP_NAME = "{{ cookiecutter.project_slug }}"
PORT = 8080
RUN_AS_USER = 10001
SLOTS = ("blue", "green")
GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1"
# Routed to the scoring server through the gateway; /metrics stays inside the cluster.
ROUTED_PATHS = ("/score", "/health", "/ready")

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?")
# Reference grammar of the OCI distribution spec (docker/distribution reference.go), simplified.
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])"
_DOMAIN = rf"{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?"
_IMAGE = re.compile(
    rf"(?P<repository>(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?"
)
_CPU = re.compile(r"(?P<number>\d+(?:\.\d+)?)(?P<milli>m?)")
_MEMORY = re.compile(r"(?P<number>\d+)(?P<unit>Ki|Mi|Gi|Ti|k|M|G|T)?")
_MEMORY_UNITS = {
    None: 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
}


class ServingArgsError(ValueError):
    """``KubernetesServingArgs`` are invalid; the message names the field and the fix."""


def parse_image(image: str) -> dict[str, str | None]:
    """Split ``registry/repo[:tag][@sha256:...]`` into repository, tag and digest, or refuse it."""
    match = _IMAGE.fullmatch(image)
    if not match:
        raise ServingArgsError(
            f"image {image!r} is not a valid image reference: expected "
            "registry/repository@sha256:<64 hex> or registry/repository:tag"
        )
    return match.groupdict()


def cpu_millis(quantity: str) -> int:
    """``"250m"`` -> 250, ``"1.5"`` -> 1500."""
    match = _CPU.fullmatch(quantity)
    if not match:
        raise ServingArgsError(f"CPU quantity {quantity!r} must look like 250m or 1.5")
    number = float(match["number"])
    return math.ceil(number if match["milli"] else number * 1000)


def memory_bytes(quantity: str) -> int:
    """``"512Mi"`` -> 536870912."""
    match = _MEMORY.fullmatch(quantity)
    if not match:
        raise ServingArgsError(f"memory quantity {quantity!r} must look like 512Mi or 1Gi")
    return int(match["number"]) * _MEMORY_UNITS[match["unit"]]


def _mebibytes(size: int) -> str:
    return f"{math.ceil(size / 2**20)}Mi"


@dataclass(frozen=True)
class KubernetesServingArgs:
    """Inputs of ``KubernetesServing``; ``validate()`` runs in the component's constructor."""

    namespace: str
    environment: str
    image: str  # registry/repo@sha256:<digest> (staging, prod) or registry/repo:tag (dev)
    replicas: int = 2  # per slot; the HPA's minReplicas (the HPA owns spec.replicas)
    green_weight: int = 0  # percent of requests routed to the green slot, 0..100
    labels: Mapping[str, str] = field(default_factory=dict)  # added to every object
    cpu_request: str = "250m"
    cpu_limit: str = "1"
    memory_request: str = "512Mi"
    memory_limit: str = "1Gi"
    max_replicas: int = 6  # per slot; the HPA's maxReplicas
    target_cpu_utilization: int = 70  # percent of the CPU request, HPA target
    gateway_name: str = "shared-gateway"
    gateway_namespace: str = "gateway-system"
    gateway_section_name: str | None = None  # a listener of the Gateway, or all listeners
    hostnames: Sequence[str] = ()
    require_digest: bool = False  # set from settings: True in staging and prod
    green_image: str | None = None  # image of the green slot; ``image`` when None
    # The Secret (name, key) holding the API key: created out of band by CI, never by Pulumi.
    api_key_secret_name: str = "scoring-api-key"  # noqa: S105 (a Secret's name, not a value)
    api_key_secret_key: str = "api-key"  # noqa: S105 (a key within the Secret, not a value)
    monitoring_namespace: str | None = None  # allowed to scrape /metrics on 8080
    tmp_size_limit: str = "256Mi"  # emptyDir at /tmp (the root filesystem is read-only)

    @property
    def images(self) -> dict[str, str]:
        return {"blue": self.image, "green": self.green_image or self.image}

    @property
    def weights(self) -> dict[str, int]:
        return {"blue": 100 - self.green_weight, "green": self.green_weight}

    def validate(self) -> KubernetesServingArgs:
        for key in ("namespace", "environment", "gateway_name", "gateway_namespace"):
            value = getattr(self, key)
            if not isinstance(value, str) or not _DNS_LABEL.fullmatch(value):
                raise ServingArgsError(
                    f"{key} must be a DNS label (lowercase alphanumerics and '-', at most 63 "
                    f"characters), got {value!r}"
                )
        if self.monitoring_namespace is not None and not _DNS_LABEL.fullmatch(
            self.monitoring_namespace
        ):
            raise ServingArgsError(
                f"monitoring_namespace must be a DNS label, got {self.monitoring_namespace!r}"
            )
        for key, value in self.labels.items():
            if not _LABEL_VALUE.fullmatch(str(value)):
                raise ServingArgsError(f"label {key}={value!r} is not a valid label value")
        for slot, image in self.images.items():
            parts = parse_image(image)
            if self.require_digest and not parts["digest"]:
                raise ServingArgsError(
                    f"image of the {slot} slot {image!r} has no digest, and this environment "
                    f"({self.environment}) requires one: deploy repository@sha256:<digest> "
                    "(the digest that CI pushed), never a mutable tag"
                )
            if not parts["digest"] and parts["tag"] in (None, "latest"):
                raise ServingArgsError(
                    f"image of the {slot} slot {image!r} has neither a digest nor a fixed tag "
                    "(no tag means :latest): pin repository:tag or repository@sha256:<digest>"
                )
        if not 0 <= self.green_weight <= 100:
            raise ServingArgsError(f"green_weight must be 0..100, got {self.green_weight}")
        if self.replicas < 1:
            raise ServingArgsError(f"replicas must be at least 1, got {self.replicas}")
        if self.max_replicas < self.replicas:
            raise ServingArgsError(
                f"max_replicas ({self.max_replicas}) must be at least replicas ({self.replicas})"
            )
        if not 1 <= self.target_cpu_utilization <= 100:
            raise ServingArgsError(
                f"target_cpu_utilization must be 1..100, got {self.target_cpu_utilization}"
            )
        if cpu_millis(self.cpu_request) > cpu_millis(self.cpu_limit):
            raise ServingArgsError(
                f"cpu_request {self.cpu_request} is above cpu_limit {self.cpu_limit}"
            )
        if memory_bytes(self.memory_request) > memory_bytes(self.memory_limit):
            raise ServingArgsError(
                f"memory_request {self.memory_request} is above memory_limit {self.memory_limit}"
            )
        memory_bytes(self.tmp_size_limit)
        if not self.api_key_secret_name or not _DNS_LABEL.fullmatch(self.api_key_secret_name):
            raise ServingArgsError(
                f"api_key_secret_name must be a DNS label, got {self.api_key_secret_name!r}"
            )
        return self


class KubernetesServing(pulumi.ComponentResource):
    """The serving namespace and both blue/green slots; pass a Kubernetes ``provider`` in opts."""

    namespace_name: pulumi.Output[str]
    service_names: dict[str, pulumi.Output[str]]
    deployment_names: dict[str, pulumi.Output[str]]
    route_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: KubernetesServingArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        args.validate()
        super().__init__(COMPONENT_TYPE, name, None, opts)
        self._args = args
        self.resources: dict[str, pulumi.CustomResource] = {}
        child = pulumi.ResourceOptions(parent=self)
        common = {
            "app.kubernetes.io/name": APP_NAME,
            "app.kubernetes.io/part-of": APP_NAME,
            "app.kubernetes.io/managed-by": "pulumi",
            "environment": args.environment,
            **args.labels,
        }
        self._common = common

        namespace = self._keep(
            k8s.core.v1.Namespace(
                f"{name}-namespace",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=args.namespace,
                    labels={
                        **common,
                        "pod-security.kubernetes.io/enforce": "restricted",
                        "pod-security.kubernetes.io/enforce-version": "latest",
                        "pod-security.kubernetes.io/audit": "restricted",
                        "pod-security.kubernetes.io/warn": "restricted",
                    },
                ),
                opts=child,
            )
        )
        # Every namespaced object takes the namespace from this output: it depends on it.
        ns = namespace.metadata.apply(lambda meta: meta.name)
        self.namespace_name = ns

        account = self._keep(
            k8s.core.v1.ServiceAccount(
                f"{name}-serviceaccount",
                metadata=self._meta(f"{APP_NAME}-scoring", ns),
                automount_service_account_token=False,
                opts=child,
            )
        )
        self._network_policies(name, ns, child)
        self._quota(name, ns, child)

        self.deployment_names = {}
        self.service_names = {}
        for slot in SLOTS:
            deployment = self._deployment(name, slot, ns, account, child)
            service = self._keep(
                k8s.core.v1.Service(
                    f"{name}-service-{slot}",
                    metadata=self._meta(f"{APP_NAME}-{slot}", ns, slot),
                    spec=k8s.core.v1.ServiceSpecArgs(
                        type="ClusterIP",
                        selector=self._selector(slot),
                        ports=[
                            k8s.core.v1.ServicePortArgs(
                                name="http", port=PORT, target_port="http", protocol="TCP"
                            )
                        ],
                    ),
                    opts=child,
                )
            )
            self._autoscaling(name, slot, ns, deployment, child)
            self.deployment_names[slot] = deployment.metadata.apply(lambda meta: meta.name)
            self.service_names[slot] = service.metadata.apply(lambda meta: meta.name)

        route = self._keep(
            k8s.apiextensions.CustomResource(
                f"{name}-httproute",
                api_version=GATEWAY_API_VERSION,
                kind="HTTPRoute",
                metadata=self._meta(APP_NAME, ns),
                spec=pulumi.Output.all(**self.service_names).apply(self._route_spec),
                opts=child,
            )
        )
        self.route_name = route.metadata.apply(lambda meta: meta["name"])

        self.register_outputs(
            {
                "namespace": self.namespace_name,
                "serviceAccount": account.metadata.apply(lambda meta: meta.name),
                "blueService": self.service_names["blue"],
                "greenService": self.service_names["green"],
                "blueDeployment": self.deployment_names["blue"],
                "greenDeployment": self.deployment_names["green"],
                "route": self.route_name,
                "weights": args.weights,
            }
        )

    # -- helpers ---------------------------------------------------------------------------

    def _keep(self, resource: _R) -> _R:
        """Remember a child by logical name (``resources``: for dependsOn and for tests)."""
        self.resources[resource.pulumi_resource_name] = resource
        return resource

    def _meta(
        self, object_name: str, ns: pulumi.Input[str], slot: str | None = None
    ) -> k8s.meta.v1.ObjectMetaArgs:
        labels = dict(self._common)
        if slot:
            labels.update(self._selector(slot))
        return k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=ns, labels=labels)

    @staticmethod
    def _selector(slot: str) -> dict[str, str]:
        return {"app": APP_NAME, "slot": slot}

    def _network_policies(
        self, name: str, ns: pulumi.Output[str], child: pulumi.ResourceOptions
    ) -> None:
        args = self._args
        self._keep(
            k8s.networking.v1.NetworkPolicy(
                f"{name}-netpol-default-deny",
                metadata=self._meta("default-deny-all", ns),
                spec=k8s.networking.v1.NetworkPolicySpecArgs(
                    pod_selector=k8s.meta.v1.LabelSelectorArgs(),
                    policy_types=["Ingress", "Egress"],
                ),
                opts=child,
            )
        )
        sources = [args.gateway_namespace]
        if args.monitoring_namespace and args.monitoring_namespace != args.gateway_namespace:
            sources.append(args.monitoring_namespace)
        self._keep(
            k8s.networking.v1.NetworkPolicy(
                f"{name}-netpol-allow-gateway",
                metadata=self._meta("allow-gateway-ingress", ns),
                spec=k8s.networking.v1.NetworkPolicySpecArgs(
                    pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels={"app": APP_NAME}),
                    policy_types=["Ingress"],
                    ingress=[
                        k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                            from_=[
                                k8s.networking.v1.NetworkPolicyPeerArgs(
                                    namespace_selector=k8s.meta.v1.LabelSelectorArgs(
                                        match_labels={"kubernetes.io/metadata.name": source}
                                    )
                                )
                                for source in sources
                            ],
                            ports=[
                                k8s.networking.v1.NetworkPolicyPortArgs(protocol="TCP", port=PORT)
                            ],
                        )
                    ],
                ),
                opts=child,
            )
        )
        self._keep(
            k8s.networking.v1.NetworkPolicy(
                f"{name}-netpol-allow-dns",
                metadata=self._meta("allow-dns-egress", ns),
                spec=k8s.networking.v1.NetworkPolicySpecArgs(
                    pod_selector=k8s.meta.v1.LabelSelectorArgs(),
                    policy_types=["Egress"],
                    egress=[
                        k8s.networking.v1.NetworkPolicyEgressRuleArgs(
                            to=[
                                k8s.networking.v1.NetworkPolicyPeerArgs(
                                    namespace_selector=k8s.meta.v1.LabelSelectorArgs(
                                        match_labels={"kubernetes.io/metadata.name": "kube-system"}
                                    ),
                                    pod_selector=k8s.meta.v1.LabelSelectorArgs(
                                        match_labels={"k8s-app": "kube-dns"}
                                    ),
                                )
                            ],
                            ports=[
                                k8s.networking.v1.NetworkPolicyPortArgs(protocol="UDP", port=53),
                                k8s.networking.v1.NetworkPolicyPortArgs(protocol="TCP", port=53),
                            ],
                        )
                    ],
                ),
                opts=child,
            )
        )

    def _quota(self, name: str, ns: pulumi.Output[str], child: pulumi.ResourceOptions) -> None:
        args = self._args
        # Both slots at max_replicas, plus one surge pod each during a rolling update.
        pods = len(SLOTS) * (args.max_replicas + 1)
        self._keep(
            k8s.core.v1.ResourceQuota(
                f"{name}-quota",
                metadata=self._meta("serving-quota", ns),
                spec=k8s.core.v1.ResourceQuotaSpecArgs(
                    hard={
                        "pods": str(pods),
                        "requests.cpu": f"{pods * cpu_millis(args.cpu_request)}m",
                        "limits.cpu": f"{pods * cpu_millis(args.cpu_limit)}m",
                        "requests.memory": _mebibytes(pods * memory_bytes(args.memory_request)),
                        "limits.memory": _mebibytes(pods * memory_bytes(args.memory_limit)),
                        "requests.ephemeral-storage": _mebibytes(
                            pods * memory_bytes(args.tmp_size_limit)
                        ),
                        "services": "4",
                        "services.loadbalancers": "0",
                        "services.nodeports": "0",
                        "persistentvolumeclaims": "0",
                    }
                ),
                opts=child,
            )
        )
        self._keep(
            k8s.core.v1.LimitRange(
                f"{name}-limitrange",
                metadata=self._meta("serving-limits", ns),
                spec=k8s.core.v1.LimitRangeSpecArgs(
                    limits=[
                        k8s.core.v1.LimitRangeItemArgs(
                            type="Container",
                            default={"cpu": args.cpu_limit, "memory": args.memory_limit},
                            default_request={
                                "cpu": args.cpu_request,
                                "memory": args.memory_request,
                            },
                            max={"cpu": args.cpu_limit, "memory": args.memory_limit},
                        )
                    ]
                ),
                opts=child,
            )
        )

    def _deployment(
        self,
        name: str,
        slot: str,
        ns: pulumi.Output[str],
        account: k8s.core.v1.ServiceAccount,
        child: pulumi.ResourceOptions,
    ) -> k8s.apps.v1.Deployment:
        args = self._args
        selector = self._selector(slot)
        pod_labels = {**self._common, **selector}
        container = k8s.core.v1.ContainerArgs(
            name="scoring",
            image=args.images[slot],
            image_pull_policy="Always",
            ports=[k8s.core.v1.ContainerPortArgs(name="http", container_port=PORT, protocol="TCP")],
            env=[
                k8s.core.v1.EnvVarArgs(
                    name="SCORING_API_KEY",
                    value_from=k8s.core.v1.EnvVarSourceArgs(
                        secret_key_ref=k8s.core.v1.SecretKeySelectorArgs(
                            name=args.api_key_secret_name,
                            key=args.api_key_secret_key,
                            optional=False,
                        )
                    ),
                ),
                k8s.core.v1.EnvVarArgs(name="SERVING_SLOT", value=slot),
                k8s.core.v1.EnvVarArgs(name="SERVING_ENVIRONMENT", value=args.environment),
            ],
            resources=k8s.core.v1.ResourceRequirementsArgs(
                requests={
                    "cpu": args.cpu_request,
                    "memory": args.memory_request,
                    "ephemeral-storage": args.tmp_size_limit,
                },
                limits={
                    "cpu": args.cpu_limit,
                    "memory": args.memory_limit,
                    "ephemeral-storage": args.tmp_size_limit,
                },
            ),
            startup_probe=_probe("/health", period=5, failures=24),
            liveness_probe=_probe("/health", period=10, failures=3),
            readiness_probe=_probe("/ready", period=5, failures=3),
            security_context=k8s.core.v1.SecurityContextArgs(
                run_as_non_root=True,
                run_as_user=RUN_AS_USER,
                run_as_group=RUN_AS_USER,
                read_only_root_filesystem=True,
                allow_privilege_escalation=False,
                privileged=False,
                capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
                seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
            ),
            volume_mounts=[k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp")],  # noqa: S108
        )
        return self._keep(
            k8s.apps.v1.Deployment(
                f"{name}-deployment-{slot}",
                metadata=self._meta(f"{APP_NAME}-{slot}", ns, slot),
                spec=k8s.apps.v1.DeploymentSpecArgs(
                    # No spec.replicas: the HorizontalPodAutoscaler owns it (minReplicas).
                    selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector),
                    revision_history_limit=5,
                    strategy=k8s.apps.v1.DeploymentStrategyArgs(
                        type="RollingUpdate",
                        rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(
                            max_surge=1, max_unavailable=0
                        ),
                    ),
                    template=k8s.core.v1.PodTemplateSpecArgs(
                        metadata=k8s.meta.v1.ObjectMetaArgs(labels=pod_labels),
                        spec=k8s.core.v1.PodSpecArgs(
                            service_account_name=account.metadata.apply(lambda meta: meta.name),
                            automount_service_account_token=False,
                            enable_service_links=False,
                            termination_grace_period_seconds=30,
                            security_context=k8s.core.v1.PodSecurityContextArgs(
                                run_as_non_root=True,
                                run_as_user=RUN_AS_USER,
                                run_as_group=RUN_AS_USER,
                                fs_group=RUN_AS_USER,
                                seccomp_profile=k8s.core.v1.SeccompProfileArgs(
                                    type="RuntimeDefault"
                                ),
                            ),
                            containers=[container],
                            volumes=[
                                k8s.core.v1.VolumeArgs(
                                    name="tmp",
                                    empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(
                                        size_limit=args.tmp_size_limit
                                    ),
                                )
                            ],
                            topology_spread_constraints=[
                                k8s.core.v1.TopologySpreadConstraintArgs(
                                    max_skew=1,
                                    topology_key=key,
                                    when_unsatisfiable="ScheduleAnyway",
                                    label_selector=k8s.meta.v1.LabelSelectorArgs(
                                        match_labels=selector
                                    ),
                                )
                                for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
                            ],
                        ),
                    ),
                ),
                opts=child,
            )
        )

    def _autoscaling(
        self,
        name: str,
        slot: str,
        ns: pulumi.Output[str],
        deployment: k8s.apps.v1.Deployment,
        child: pulumi.ResourceOptions,
    ) -> None:
        args = self._args
        self._keep(
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-hpa-{slot}",
                metadata=self._meta(f"{APP_NAME}-{slot}", ns, slot),
                spec=k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
                    scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
                        api_version="apps/v1",
                        kind="Deployment",
                        name=deployment.metadata.apply(lambda meta: meta.name),
                    ),
                    min_replicas=args.replicas,
                    max_replicas=args.max_replicas,
                    metrics=[
                        k8s.autoscaling.v2.MetricSpecArgs(
                            type="Resource",
                            resource=k8s.autoscaling.v2.ResourceMetricSourceArgs(
                                name="cpu",
                                target=k8s.autoscaling.v2.MetricTargetArgs(
                                    type="Utilization",
                                    average_utilization=args.target_cpu_utilization,
                                ),
                            ),
                        )
                    ],
                ),
                opts=child,
            )
        )
        self._keep(
            k8s.policy.v1.PodDisruptionBudget(
                f"{name}-pdb-{slot}",
                metadata=self._meta(f"{APP_NAME}-{slot}", ns, slot),
                spec=k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                    # One replica: minAvailable 1 would make the only pod unevictable.
                    min_available=1 if args.replicas > 1 else None,
                    max_unavailable=1 if args.replicas == 1 else None,
                    selector=k8s.meta.v1.LabelSelectorArgs(match_labels=self._selector(slot)),
                    unhealthy_pod_eviction_policy="AlwaysAllow",
                ),
                opts=child,
            )
        )

    def _route_spec(self, services: dict[str, str]) -> dict:
        """The HTTPRoute spec (camelCase: CustomResource specs are passed through verbatim)."""
        args = self._args
        parent: dict[str, object] = {
            "group": "gateway.networking.k8s.io",
            "kind": "Gateway",
            "name": args.gateway_name,
            "namespace": args.gateway_namespace,
        }
        if args.gateway_section_name:
            parent["sectionName"] = args.gateway_section_name
        spec: dict[str, object] = {
            "parentRefs": [parent],
            "rules": [
                {
                    "matches": [
                        {"path": {"type": "Exact", "value": path}} for path in ROUTED_PATHS
                    ],
                    "backendRefs": [
                        {
                            "group": "",
                            "kind": "Service",
                            "name": services[slot],
                            "port": PORT,
                            "weight": args.weights[slot],
                        }
                        for slot in SLOTS
                    ],
                }
            ],
        }
        if args.hostnames:
            spec["hostnames"] = list(args.hostnames)
        return spec


def _probe(path: str, period: int, failures: int) -> k8s.core.v1.ProbeArgs:
    return k8s.core.v1.ProbeArgs(
        http_get=k8s.core.v1.HTTPGetActionArgs(path=path, port="http", scheme="HTTP"),
        period_seconds=period,
        timeout_seconds=2,
        failure_threshold=failures,
        success_threshold=1,
    )
