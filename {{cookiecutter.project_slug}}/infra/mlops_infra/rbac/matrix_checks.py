"""The matrices and the Kubernetes mapping checked against the personas, resources and codes.

Every problem is appended to ``problems`` as one line naming the file, the cell and the fix;
``mlops_infra.rbac.load`` raises them together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mlops_infra.rbac.model import Matrix, Persona, Resource, Role


@dataclass(frozen=True)
class Parts:
    """What the matrices are checked against."""

    personas: dict[str, Persona]
    resources: dict[str, Resource]
    codes: dict[str, dict[str, Role]]


def _owner_kind(code: str, codes: Mapping[str, Mapping[str, Role]]) -> str | None:
    return next((kind for kind, table in codes.items() if code in table), None)


def _cell_codes(
    value: object, where: str, kind: str, rbac: Parts, problems: list[str]
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


def check_matrix(env: str, rows: object, parts: Parts, problems: list[str]) -> Matrix:
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


def check_kubernetes(
    data: Mapping[str, Any], parts: Parts, problems: list[str]
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
