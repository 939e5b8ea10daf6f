"""Inputs of the blue/green serving component: constants, quantities, image rules and validation."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

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


def mebibytes(size: int) -> str:
    """A byte count as a whole number of mebibytes, rounded up: ``"512Mi"``."""
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
        if not self.api_key_secret_name or not _DNS_LABEL.fullmatch(self.api_key_secret_name):
            raise ServingArgsError(
                f"api_key_secret_name must be a DNS label, got {self.api_key_secret_name!r}"
            )
        return self

    def _validate_names(self) -> None:
        """Namespaces and gateway names are DNS labels; labels are valid label values."""
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
