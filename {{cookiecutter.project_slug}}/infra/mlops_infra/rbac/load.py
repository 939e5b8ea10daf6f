"""Read ``rbac/`` (personas.yaml, roles.yaml, matrix.yaml) into ``Rbac``, every problem named.

The data is refused as a whole when anything is wrong: an unknown persona, resource or code, a
code of the wrong kind for its column (an Azure DevOps group in an Azure column), a missing row or
cell, a field with an unknown value. ``RbacDataError.problems`` lists each one with its file and
cell, and how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from mlops_infra.config import INFRA_DIR
from mlops_infra.rbac.matrix_checks import Parts, check_kubernetes, check_matrix
from mlops_infra.rbac.model import (
    ACCESS_MODES,
    ENVIRONMENTS,
    PERSONA_TYPES,
    PRINCIPALS,
    RESOURCE_KINDS,
    Matrix,
    Persona,
    Rbac,
    Resource,
    Role,
)

RBAC_DIR = INFRA_DIR.parent / "rbac"
FILES = ("personas.yaml", "roles.yaml", "matrix.yaml")


class RbacDataError(ValueError):
    """The RBAC data is invalid; ``problems`` names each problem and its fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RbacDataError([f"{path}: no such file; restore it from the template"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "unreadable"
        raise RbacDataError([f"{path}: not valid YAML{where}: {problem}"]) from None
    if not isinstance(data, dict):
        raise RbacDataError([f"{path}: must be a mapping at the top"])
    return data


def _choice(
    problems: list[str], where: str, field: str, value: object, allowed: tuple[str, ...]
) -> str:
    if value not in allowed:
        problems.append(f"{where}: {field} must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)


def _personas(data: Mapping[str, Any], problems: list[str]) -> dict[str, Persona]:
    personas: dict[str, Persona] = {}
    for pid, spec in (data.get("personas") or {}).items():
        where = f"personas.yaml: {pid}"
        if not isinstance(spec, Mapping):
            problems.append(f"{where}: must be a mapping of title, description, type, ...")
            continue
        personas[pid] = Persona(
            id=pid,
            title=str(spec.get("title", pid)),
            description=str(spec.get("description", "")),
            type=_choice(problems, where, "type", spec.get("type"), PERSONA_TYPES),
            project_specific=bool(spec.get("project_specific", True)),
            access=_choice(problems, where, "access", spec.get("access"), ACCESS_MODES),
            principal=_choice(problems, where, "principal", spec.get("principal"), PRINCIPALS),
        )
    if not personas:
        problems.append("personas.yaml: no personas; list them under personas:")
    return personas


def _resources(data: Mapping[str, Any], problems: list[str]) -> dict[str, Resource]:
    resources: dict[str, Resource] = {}
    for rid, spec in (data.get("resources") or {}).items():
        where = f"roles.yaml: resources.{rid}"
        kind = _choice(problems, where, "kind", spec.get("kind"), RESOURCE_KINDS)
        resources[rid] = Resource(rid, str(spec.get("title", rid)), kind, str(spec.get("scope")))
    return resources


def _codes(data: Mapping[str, Any]) -> dict[str, dict[str, Role]]:
    codes: dict[str, dict[str, Role]] = {}
    for kind, table in (data.get("codes") or {}).items():
        codes[kind] = {
            code: Role(
                code=code,
                kind=kind,
                name=str(spec["name"]),
                definition_id=spec.get("id"),
                level=spec.get("level"),
                write=bool(spec.get("write", False)),
                administrator=bool(spec.get("administrator", False)),
            )
            for code, spec in table.items()
        }
    return codes


def load_rbac(directory: Path = RBAC_DIR) -> Rbac:
    """Read and check ``directory``'s three files; RbacDataError lists every problem."""
    personas_data, roles_data, matrix_data = (_read(directory / name) for name in FILES)
    problems: list[str] = []
    parts = Parts(
        _personas(personas_data, problems), _resources(roles_data, problems), _codes(roles_data)
    )
    environments = matrix_data.get("environments") or {}
    for env in environments.keys() - set(ENVIRONMENTS):
        problems.append(f"matrix.yaml: unknown environment {env!r}; use {', '.join(ENVIRONMENTS)}")
    matrices: dict[str, Matrix] = {}
    for env in ENVIRONMENTS:
        if env not in environments:
            problems.append(f"matrix.yaml: environments.{env} is missing")
            continue
        matrices[env] = check_matrix(env, environments[env], parts, problems)
    column, kubernetes_roles = check_kubernetes(roles_data, parts, problems)
    if problems:
        raise RbacDataError(problems)
    return Rbac(
        personas=parts.personas,
        resources=parts.resources,
        codes=parts.codes,
        matrices=matrices,
        kubernetes_column=column,
        kubernetes_roles=kubernetes_roles,
        eligibility_duration=str(personas_data.get("eligibility_duration", "P365D")),
    )
