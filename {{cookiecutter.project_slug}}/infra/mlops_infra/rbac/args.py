"""What a stack grants: its matrix compiled for its settings, and the rules on those inputs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from mlops_infra.rbac.grants import (
    AzureGrant,
    DevOpsGrant,
    KubernetesBinding,
    azure_grants,
    cicd_devops_at_project_level,
    devops_grants,
    kubernetes_bindings,
)
from mlops_infra.rbac.model import ENVIRONMENTS, Persona, Rbac
from mlops_infra.settings import Settings

_OBJECT_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PRINCIPAL_TYPES = {
    "group": "Group",
    "managed-identity": "ServicePrincipal",
    "workspace-identity": "ServicePrincipal",
}
# cicdDevOpsLevel: where CI/CD administers Azure DevOps. "collection" keeps the matrix's Project
# Collection Administrators (the reference); "project" maps it to this code of roles.yaml.
CICD_DEVOPS_LEVELS = ("collection", "project")
PROJECT_ADMINISTRATORS = "DOPA"


class AccessArgsError(ValueError):
    """``PersonaAccessArgs`` are invalid; the message names the config key and the fix."""


@dataclass(frozen=True)
class PersonaAccessArgs:
    """The personas, existing principals and grants one stack compiles; ``validate()`` checks."""

    stack_key: str
    prefix: str
    location: str
    matrix: str
    personas: Mapping[str, Persona]
    existing: Mapping[str, str]  # persona -> object id of an existing principal
    azure: tuple[AzureGrant, ...]
    devops: tuple[DevOpsGrant, ...]
    kubernetes: tuple[KubernetesBinding, ...]
    eligibility_duration: str
    devops_project: str
    principal_entries: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    cicd_devops_level: str = "collection"

    @classmethod
    def from_settings(cls, settings: Settings, rbac: Rbac) -> PersonaAccessArgs:
        """Compile ``settings.rbac_matrix`` of ``rbac`` for this stack."""
        matrix = settings.rbac_matrix
        known = matrix in ENVIRONMENTS
        entries = settings.persona_principals
        devops = devops_grants(rbac, matrix) if known else []
        if settings.cicd_devops_level == "project":
            project = rbac.codes["devops"][PROJECT_ADMINISTRATORS]
            devops = cicd_devops_at_project_level(devops, project)
        return cls(
            stack_key=f"{settings.project}/{settings.stack}",
            prefix=settings.names.resource_prefix,
            location=settings.location,
            matrix=matrix,
            personas=rbac.personas,
            existing=dict(entry.partition("=")[::2] for entry in entries),
            azure=tuple(azure_grants(rbac, matrix)) if known else (),
            devops=tuple(devops),
            kubernetes=tuple(kubernetes_bindings(rbac, matrix)) if known else (),
            eligibility_duration=rbac.eligibility_duration,
            devops_project=settings.azure_devops_project,
            principal_entries=entries,
            tags=settings.tags,
            cicd_devops_level=settings.cicd_devops_level,
        )

    def validate(self) -> PersonaAccessArgs:
        """Raise ``AccessArgsError`` on the first invalid input; return ``self`` otherwise."""
        if self.matrix not in ENVIRONMENTS:
            raise AccessArgsError(
                f"rbacMatrix must be one of {', '.join(ENVIRONMENTS)}, got {self.matrix!r}: "
                "set it with pulumi config set rbacMatrix production"
            )
        if self.cicd_devops_level not in CICD_DEVOPS_LEVELS:
            raise AccessArgsError(
                f"cicdDevOpsLevel must be one of {', '.join(CICD_DEVOPS_LEVELS)}, got "
                f"{self.cicd_devops_level!r}: set it with pulumi config set cicdDevOpsLevel project"
            )
        for entry in self.principal_entries:
            persona, _, object_id = entry.partition("=")
            if persona not in self.personas:
                raise AccessArgsError(
                    f"personaPrincipals: unknown persona in {entry!r}; "
                    f"use one of {', '.join(self.personas)} (rbac/personas.yaml)"
                )
            if not _OBJECT_ID.match(object_id):
                raise AccessArgsError(
                    f"personaPrincipals: {entry!r} must be persona=<object id> (a lowercase GUID)"
                )
            if self.personas[persona].principal == "workspace-identity":
                raise AccessArgsError(
                    f"personaPrincipals: {persona} is the workspace's own identity; "
                    f"remove {entry!r}"
                )
        return self

    def principal_type(self, persona: str) -> str:
        """``Group`` or ``ServicePrincipal``, as Azure role assignments name it."""
        return PRINCIPAL_TYPES[self.personas[persona].principal]
