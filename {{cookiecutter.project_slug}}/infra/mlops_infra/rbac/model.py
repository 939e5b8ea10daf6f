"""The RBAC data as typed values: personas, resources, role codes and the two matrices."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

ENVIRONMENTS = ("production", "pre-production")
PERSONA_TYPES = ("person", "process", "person-or-process")
ACCESS_MODES = ("standing", "just-in-time")
PRINCIPALS = ("group", "managed-identity", "workspace-identity")
RESOURCE_KINDS = ("azure", "devops", "artifacts")

Matrix = Mapping[str, Mapping[str, tuple[str, ...]]]  # persona -> resource -> codes


@dataclass(frozen=True)
class Persona:
    """One persona of ``rbac/personas.yaml``."""

    id: str
    title: str
    description: str
    type: str
    project_specific: bool
    access: str
    principal: str

    @property
    def is_human(self) -> bool:
        """A person (or a person or a process): the separation-of-duties rules apply."""
        return self.type != "process"

    @property
    def just_in_time(self) -> bool:
        """Holds eligibilities (activated through PIM) instead of standing assignments."""
        return self.access == "just-in-time"


@dataclass(frozen=True)
class Resource:
    """One column of the matrices: what it is and which kind of codes it takes."""

    id: str
    title: str
    kind: str
    scope: str


@dataclass(frozen=True)
class Role:
    """What one code means in one kind of column (an Azure role, a DevOps group, a feed role)."""

    code: str
    kind: str
    name: str
    definition_id: str | None = None
    level: str | None = None
    write: bool = False
    administrator: bool = False


@dataclass(frozen=True)
class Cell:
    """One grant of a matrix: a persona holds ``code`` on ``resource`` in ``environment``."""

    environment: str
    persona: str
    resource: str
    code: str

    @property
    def where(self) -> str:
        """``production / data-scientist / ml-workspace``: how messages name the cell."""
        return f"{self.environment} / {self.persona} / {self.resource}"


@dataclass(frozen=True)
class Rbac:
    """Everything in ``rbac/``, checked for consistency by ``mlops_infra.rbac.load``."""

    personas: Mapping[str, Persona]
    resources: Mapping[str, Resource]
    codes: Mapping[str, Mapping[str, Role]]  # resource kind -> code -> role
    matrices: Mapping[str, Matrix]  # environment -> matrix
    kubernetes_column: str
    kubernetes_roles: Mapping[str, str]  # code -> ClusterRole
    eligibility_duration: str

    def role(self, cell: Cell) -> Role:
        """What ``cell.code`` means in ``cell.resource``'s column."""
        return self.codes[self.resources[cell.resource].kind][cell.code]

    def cells(self, environment: str) -> Iterator[Cell]:
        """Every grant of one matrix, persona by persona, column by column."""
        for persona, row in self.matrices[environment].items():
            for resource, codes in row.items():
                for code in codes:
                    yield Cell(environment, persona, resource, code)

    def as_json(self, environment: str | None = None) -> dict[str, object]:
        """``{"environments": {env: {persona: {resource: [codes]}}}}``, every cell present."""
        chosen = (environment,) if environment else ENVIRONMENTS
        return {
            "environments": {
                env: {
                    persona: {resource: list(codes) for resource, codes in row.items()}
                    for persona, row in self.matrices[env].items()
                }
                for env in chosen
            }
        }
