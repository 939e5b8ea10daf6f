"""Inputs of the blue/green serving component, their rules and how settings map onto them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mlops_infra.naming import type_token
from mlops_infra.serving.values import (
    ServingArgsError,
    cpu_millis,
    image_reference,
    memory_bytes,
    parse_image,
)
from mlops_infra.settings import Settings

COMPONENT_TYPE = type_token("k8s", "Serving")
PORT = 8080
RUN_AS_USER = 10001
SLOTS = ("blue", "green")
GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1"
# Routed to the scoring server through the gateway; /metrics stays inside the cluster.
ROUTED_PATHS = ("/score", "/health", "/ready")

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?")


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
    require_digest: bool = False  # from settings: True in staging and prod
    green_image: str | None = None  # image of the green slot; ``image`` when None
    # The Secret (name, key) holding the API key: created out of band by CI, never by Pulumi.
    api_key_secret_name: str = "scoring-api-key"  # noqa: S105 (a Secret's name, not a value)
    api_key_secret_key: str = "api-key"  # noqa: S105 (a key within the Secret, not a value)
    monitoring_namespace: str | None = None  # allowed to scrape /metrics on 8080
    tmp_size_limit: str = "256Mi"  # emptyDir at /tmp (the root filesystem is read-only)

    @classmethod
    def from_settings(cls, settings: Settings) -> KubernetesServingArgs:
        """The stack's serving: its image (pinned where required), replicas and traffic split."""
        image = image_reference(
            settings.serving_image,
            settings.serving_image_digest,
            settings.names.container_registry_login_server,
        )
        return cls(
            namespace=settings.namespace,
            environment=settings.environment,
            image=image,
            replicas=settings.serving_replicas,
            max_replicas=max(3, 3 * settings.serving_replicas),
            green_weight=settings.green_weight,
            labels={"app.kubernetes.io/instance": f"{settings.project}-{settings.environment}"},
            require_digest=settings.requires_digest,
        )

    @property
    def images(self) -> dict[str, str]:
        """The image of each slot."""
        return {"blue": self.image, "green": self.green_image or self.image}

    @property
    def weights(self) -> dict[str, int]:
        """The percent of requests routed to each slot."""
        return {"blue": 100 - self.green_weight, "green": self.green_weight}

    def validate(self) -> KubernetesServingArgs:
        """Raise ``ServingArgsError`` on the first invalid field; return ``self`` otherwise."""
        self._validate_names()
        self._validate_images()
        self._validate_scaling()
        self._validate_resources()
        return self

    def _validate_names(self) -> None:
        """Namespaces, gateway and Secret names are DNS labels; labels are valid label values."""
        names = ("namespace", "environment", "gateway_name", "gateway_namespace")
        for key in (*names, "api_key_secret_name", "monitoring_namespace"):
            value = getattr(self, key)
            if key == "monitoring_namespace" and value is None:
                continue
            if not isinstance(value, str) or not _DNS_LABEL.fullmatch(value):
                raise ServingArgsError(
                    f"{key} must be a DNS label (lowercase alphanumerics and '-', at most 63 "
                    f"characters), got {value!r}"
                )
        for key, value in self.labels.items():
            if not _LABEL_VALUE.fullmatch(str(value)):
                raise ServingArgsError(f"label {key}={value!r} is not a valid label value")

    def _validate_images(self) -> None:
        """Each slot's image parses, has a digest where required and never floats on latest."""
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

    def _validate_scaling(self) -> None:
        """Weights, replica counts and the HPA target are within their ranges."""
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

    def _validate_resources(self) -> None:
        """Quantities parse and no request exceeds its limit."""
        if cpu_millis(self.cpu_request) > cpu_millis(self.cpu_limit):
            raise ServingArgsError(
                f"cpu_request {self.cpu_request} is above cpu_limit {self.cpu_limit}"
            )
        if memory_bytes(self.memory_request) > memory_bytes(self.memory_limit):
            raise ServingArgsError(
                f"memory_request {self.memory_request} is above memory_limit {self.memory_limit}"
            )
        memory_bytes(self.tmp_size_limit)
