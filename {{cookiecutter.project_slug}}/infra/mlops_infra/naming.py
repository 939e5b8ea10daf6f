"""Names: the application's slug (the one place it is written), type tokens and Azure names."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

SLUG = "{{ cookiecutter.project_slug }}"
ONLINE_ENDPOINT_MAX = 32  # Azure ML online endpoint names: 3-32 characters, unique in the region


def type_token(module: str, kind: str) -> str:
    """The type token of one of this project's components: ``<slug>:<module>:<kind>``."""
    return f"{SLUG}:{module}:{kind}"


def compact(text: str) -> str:
    """Only the lowercase letters and digits of ``text``."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(frozen=True)
class AzureNames:
    """One environment's Azure resource names: distinct per environment, within Azure's limits."""

    organization: str
    environment: str
    project: str = SLUG

    @property
    def resource_prefix(self) -> str:
        """``<project>-<environment>``: prefix of names unique within a subscription."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.project.lower())[:20].strip("-")
        return f"{slug}-{self.environment}"

    @property
    def resource_group_name(self) -> str:
        """The stack's resource group."""
        return f"rg-{self.resource_prefix}"

    @property
    def workspace_name(self) -> str:
        """The Azure ML workspace."""
        return f"mlw-{self.resource_prefix}"

    def _global_name(self, prefix: str, max_len: int, sep: str = "") -> str:
        """org+project (truncated), a stable hash of both, then the environment."""
        digest = hashlib.sha256(f"{self.organization}/{self.project}".encode()).hexdigest()[:4]
        room = max_len - len(prefix) - len(digest) - len(sep) - len(self.environment)
        body = compact(self.organization + self.project)[:room]
        return f"{prefix}{body}{digest}{sep}{self.environment}"

    @property
    def online_endpoint_name(self) -> str:
        """The Azure ML online endpoint: ``<project>-<hash>-<environment>``, at most 32 characters.

        Its scoring URI is ``<name>.<region>.inference.ml.azure.com``: unique per region across
        all of Azure, so every environment (and every project) needs its own.
        """
        digest = hashlib.sha256(f"{self.organization}/{self.project}".encode()).hexdigest()[:4]
        room = ONLINE_ENDPOINT_MAX - len(digest) - len(self.environment) - 2
        slug = re.sub(r"[^a-z0-9]+", "-", self.project.lower())[:room].strip("-")
        return f"{slug}-{digest}-{self.environment}"

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
        """The registry's login server; a bare ``servingImage`` repository lives there."""
        return f"{self.container_registry_name}.azurecr.io"
