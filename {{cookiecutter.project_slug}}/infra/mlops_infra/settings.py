"""Typed, validated stack settings: the ONLY place where environments differ.

``load_settings`` reads ``pulumi.Config()`` once (keys ``<project>:<key>``, schema in
``Pulumi.yaml``) and returns a frozen ``Settings``. Components never branch on the environment
name: they read fields and derived properties from here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pulumi

PROJECT = "{{ cookiecutter.project_slug }}"
ENVIRONMENTS = ("dev", "staging", "prod")
DIGEST_REQUIRED_IN = ("staging", "prod")
DEFAULT_LOCATION = "{{ cookiecutter.azure_region }}"
DEFAULT_ORGANIZATION = "{{ cookiecutter.organization }}"
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_COUNTS = {"computeMaxNodes": 2, "aksNodeCount": 2, "servingReplicas": 2}


class ConfigError(ValueError):
    """A stack configuration value is missing or invalid; the message names the key and the fix."""


def _fix(key: str, example: str) -> str:
    return f"set it with pulumi config set {key} {example}"


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(frozen=True)
class Settings:
    stack: str
    environment: str
    location: str
    organization: str
    public_network_access: bool
    compute_vm_size: str
    compute_max_nodes: int
    aks_create: bool
    aks_node_count: int
    aks_vm_size: str
    serving_image: str
    serving_image_digest: str | None
    serving_replicas: int
    green_weight: int
    namespace: str
    project: str = PROJECT

    @property
    def resource_prefix(self) -> str:
        """``<project>-<environment>``: prefix of names unique within a subscription."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.project.lower())[:20].strip("-")
        return f"{slug}-{self.environment}"

    @property
    def resource_group_name(self) -> str:
        return f"rg-{self.resource_prefix}"

    def _global_name(self, prefix: str, max_len: int, sep: str = "") -> str:
        # Globally unique names: org+project (truncated) + a stable hash of both + environment.
        digest = hashlib.sha256(f"{self.organization}/{self.project}".encode()).hexdigest()[:4]
        room = max_len - len(prefix) - len(digest) - len(sep) - len(self.environment)
        body = _compact(self.organization + self.project)[:room]
        return f"{prefix}{body}{digest}{sep}{self.environment}"

    @property
    def storage_account_name(self) -> str:
        """Lowercase alphanumerics, 3-24 characters, globally unique."""
        return self._global_name("st", 24)

    @property
    def key_vault_name(self) -> str:
        """Alphanumerics and single hyphens, starts with a letter, 3-24 characters."""
        return self._global_name("kv-", 24, sep="-")

    @property
    def container_registry_name(self) -> str:
        """Alphanumerics, 5-50 characters, globally unique."""
        return self._global_name("acr", 50)

    @property
    def container_registry_login_server(self) -> str:
        return f"{self.container_registry_name}.azurecr.io"

    @property
    def workspace_name(self) -> str:
        return f"mlw-{self.resource_prefix}"

    @property
    def public_network_access_mode(self) -> str:
        """The Azure enum value: ``Enabled`` or ``Disabled``."""
        return "Enabled" if self.public_network_access else "Disabled"

    @property
    def requires_digest(self) -> bool:
        """Only an immutable ``repo@sha256:...`` may run (staging and prod)."""
        return self.environment in DIGEST_REQUIRED_IN

    @property
    def serving_image_ref(self) -> str:
        """Pinned ``repo@sha256:...`` when a digest is set; the tagged image otherwise (dev only).

        A bare repository name (no ``/``) lives in this stack's container registry.
        """
        image = self.serving_image
        if "/" not in image:
            image = f"{self.container_registry_login_server}/{image}"
        return f"{image}@{self.serving_image_digest}" if self.serving_image_digest else image

    @property
    def tags(self) -> dict[str, str]:
        return {
            "environment": self.environment,
            "organization": self.organization,
            "project": self.project,
            "managed-by": "pulumi",
        }


def _read(config: pulumi.Config, key: str, kind: type, default: object) -> object:
    getter = {bool: config.get_bool, int: config.get_int, str: config.get}[kind]
    try:
        value = getter(key)
    except pulumi.ConfigTypeError:
        noun, example = {bool: ("a boolean", "true"), int: ("an integer", "1")}[kind]
        raise ConfigError(
            f"{key} must be {noun}, got {config.get(key)!r}: {_fix(key, example)}"
        ) from None
    return default if value is None or value == "" else value


def load_settings(config: pulumi.Config | None = None, stack: str | None = None) -> Settings:
    """Read every key once from ``config`` (default: this project's) and validate it."""
    config = config or pulumi.Config()
    stack = stack or pulumi.get_stack()

    def get(key: str, kind: type, default: object) -> object:
        return _read(config, key, kind, default)

    environment = str(get("environment", str, stack))
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            f"environment must be one of dev, staging, prod, got {environment!r}: "
            + _fix("environment", "dev")
        )
    location = str(get("location", str, DEFAULT_LOCATION))
    provider_location = pulumi.Config("azure-native").get("location")
    if provider_location and provider_location != location:
        raise ConfigError(
            f"location is {location!r} but azure-native:location is {provider_location!r}: "
            + _fix("location", provider_location)
        )
    organization = str(get("organization", str, DEFAULT_ORGANIZATION))
    if not _compact(organization):
        raise ConfigError(
            "organization must contain letters or digits: "
            + _fix("organization", DEFAULT_ORGANIZATION)
        )
    counts = {key: int(get(key, int, default)) for key, default in _COUNTS.items()}
    for key, count in counts.items():
        if count < 1:
            raise ConfigError(f"{key} must be at least 1, got {count}: {_fix(key, '1')}")
    green_weight = int(get("greenWeight", int, 0))
    if not 0 <= green_weight <= 100:
        raise ConfigError(
            f"greenWeight must be between 0 and 100, got {green_weight}: "
            + _fix("greenWeight", "10")
        )
    image = str(get("servingImage", str, PROJECT))
    digest = get("servingImageDigest", str, None)
    if digest is None and environment in DIGEST_REQUIRED_IN:
        raise ConfigError(
            "servingImageDigest is required in staging and prod: "
            + _fix("servingImageDigest", "sha256:...")
        )
    if digest is not None and not _DIGEST.fullmatch(str(digest)):
        raise ConfigError(
            f"servingImageDigest must be sha256:<64 lowercase hex digits>, got {digest!r}: "
            + _fix("servingImageDigest", "sha256:...")
        )
    if digest is not None and ("@" in image or ":" in image.rsplit("/", 1)[-1]):
        raise ConfigError(
            f"servingImage must be a repository without tag when servingImageDigest is set, "
            f"got {image!r}: {_fix('servingImage', PROJECT)}"
        )
    namespace = str(get("namespace", str, PROJECT))
    if not _DNS_LABEL.fullmatch(namespace):
        raise ConfigError(
            f"namespace must be a DNS label (lowercase alphanumerics and '-', at most 63), "
            f"got {namespace!r}: {_fix('namespace', PROJECT)}"
        )
    return Settings(
        stack=stack,
        environment=environment,
        location=location,
        organization=organization,
        public_network_access=bool(get("publicNetworkAccess", bool, False)),
        compute_vm_size=str(get("computeVmSize", str, "Standard_DS3_v2")),
        compute_max_nodes=counts["computeMaxNodes"],
        aks_create=bool(get("aksCreate", bool, True)),
        aks_node_count=counts["aksNodeCount"],
        aks_vm_size=str(get("aksVmSize", str, "Standard_D4s_v5")),
        serving_image=image,
        serving_image_digest=str(digest) if digest is not None else None,
        serving_replicas=counts["servingReplicas"],
        green_weight=green_weight,
        namespace=namespace,
    )
