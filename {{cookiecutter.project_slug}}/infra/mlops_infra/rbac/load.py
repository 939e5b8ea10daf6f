"""Read ``rbac/`` (personas.yaml, roles.yaml, matrix.yaml) into ``Rbac``, every problem named.

The data is refused as a whole when anything is wrong: an unknown persona, resource or code, a
code of the wrong kind for its column (an Azure DevOps group in an Azure column), a missing row or
cell, a field with an unknown value. ``RbacDataError.problems`` lists each one with its file and
cell, and how to fix it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlops_infra.config import INFRA_DIR
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


@dataclass(frozen=True)
class _Parts:
    """What the matrices are checked against."""

    personas: dict[str, Persona]
    resources: dict[str, Resource]
    codes: dict[str, dict[str, Role]]


def _owner_kind(code: str, codes: Mapping[str, Mapping[str, Role]]) -> str | None:
    return next((kind for kind, table in codes.items() if code in table), None)


def _cell_codes(
    value: object, where: str, kind: str, rbac: _Parts, problems: list[str]
) -> tuple[str, ...]:
    if not isinstance(value, list):
        problems.append(
            f"matrix.yaml: {where}: must be a list of codes ([] for none), got {value!r}"
        )
        return ()
    known = rbac.codes.get(kind, {})
    for code in value:
        if code in known:
            continue
        owner = _owner_kind(str(code), rbac.codes)
        if owner is None:
            hint = f"unknown code {code!r}; codes of {kind} columns: {', '.join(known)}"
        else:
            hint = f"{code} is a code of {owner} columns, not of {kind} columns like this one"
        problems.append(f"matrix.yaml: {where}: {hint} (see rbac/roles.yaml)")
    if len(set(value)) != len(value):
        problems.append(f"matrix.yaml: {where}: a code is listed twice in {value}")
    return tuple(str(code) for code in value)


def _matrix(env: str, rows: object, parts: _Parts, problems: list[str]) -> Matrix:
    if not isinstance(rows, Mapping):
        problems.append(f"matrix.yaml: environments.{env}: must map personas to their cells")
        return {}
    for pid in rows.keys() - parts.personas.keys():
        problems.append(
            f"matrix.yaml: {env} / {pid}: unknown persona; add it to rbac/personas.yaml"
        )
    for pid in parts.personas.keys() - rows.keys():
        problems.append(f"matrix.yaml: {env}: persona {pid} has no row; add one ([] for no access)")
    matrix: dict[str, dict[str, tuple[str, ...]]] = {}
    for pid in (p for p in parts.personas if p in rows):
        row = rows[pid] if isinstance(rows[pid], Mapping) else {}
        for rid in row.keys() - parts.resources.keys():
            problems.append(
                f"matrix.yaml: {env} / {pid} / {rid}: unknown resource; "
                f"known: {', '.join(parts.resources)}"
            )
        matrix[pid] = {}
        for rid, resource in parts.resources.items():
            where = f"{env} / {pid} / {rid}"
            if rid not in row:
                problems.append(f"matrix.yaml: {where}: missing cell; write [] for no access")
                continue
            matrix[pid][rid] = _cell_codes(row[rid], where, resource.kind, parts, problems)
    return matrix


def _kubernetes(
    data: Mapping[str, Any], parts: _Parts, problems: list[str]
) -> tuple[str, dict[str, str]]:
    spec = data.get("kubernetes") or {}
    column, roles = str(spec.get("column")), dict(spec.get("roles") or {})
    if column not in parts.resources:
        problems.append(f"roles.yaml: kubernetes.column: unknown resource {column!r}")
        return column, roles
    known = parts.codes.get(parts.resources[column].kind, {})
    for code in roles.keys() - known.keys():
        problems.append(
            f"roles.yaml: kubernetes.roles: {code} is not a code of the {column} column"
        )
    return column, roles


def load_rbac(directory: Path = RBAC_DIR) -> Rbac:
    """Read and check ``directory``'s three files; RbacDataError lists every problem."""
    personas_data, roles_data, matrix_data = (_read(directory / name) for name in FILES)
    problems: list[str] = []
    parts = _Parts(
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
        matrices[env] = _matrix(env, environments[env], parts, problems)
    column, kubernetes_roles = _kubernetes(roles_data, parts, problems)
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
