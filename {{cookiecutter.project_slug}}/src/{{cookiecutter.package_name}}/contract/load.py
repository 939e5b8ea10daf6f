"""Reading data/contract.yaml: every mistake is one error naming the file, the line and the fix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from {{ cookiecutter.package_name }}.contract.rules import check_contract
from {{ cookiecutter.package_name }}.contract.schema import (
    Column,
    Contract,
    ContractError,
    KeyPath,
    Label,
    Target,
)
from {{ cookiecutter.package_name }}.errors import LifecycleError

CONTRACT_FILE = "contract.yaml"


def load_contract(path: Path) -> Contract:
    """Parse and check a contract file; ContractError says where and what to fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LifecycleError(f"{path}: cannot read the contract ({exc.strerror})") from None
    return parse_contract(text, str(path))


def parse_contract(text: str, source: str) -> Contract:
    """Parse contract YAML; errors name `source` and the line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise LifecycleError(f"{source}{line}: not valid YAML ({problem})") from None
    try:
        contract = _contract(raw)
        check_contract(contract)
    except ContractError as exc:
        raise LifecycleError(f"{source}{_line(root, exc.path)}: {exc}") from None
    return contract


def _contract(raw: Any) -> Contract:
    if not isinstance(raw, dict):
        raise ContractError("the contract must be a mapping with task, target and columns")
    _known(raw, ("task", "target", "columns"), ())
    for key in ("task", "target", "columns"):
        if key not in raw:
            raise ContractError(f"missing '{key}'; see the template's data/contract.yaml")
    columns = raw["columns"]
    if not isinstance(columns, dict) or not columns:
        raise ContractError("'columns' must map each column name to its spec", ("columns",))
    return Contract(
        task=str(raw["task"]),
        target=_target(raw["target"]),
        columns=tuple(_column(str(name), spec) for name, spec in columns.items()),
    )


def _target(raw: Any) -> Target:
    where = ("target",)
    if not isinstance(raw, dict) or "column" not in raw:
        raise ContractError("'target' must be a mapping with 'column' (and classes)", where)
    _known(raw, ("column", "classes", "positive"), where)
    classes = raw.get("classes") or []
    if not isinstance(classes, list):
        raise ContractError("'target.classes' must be a list", (*where, "classes"))
    labels = tuple(_label(value, (*where, "classes")) for value in classes)
    positive = raw.get("positive")
    return Target(
        str(raw["column"]),
        labels,
        None if positive is None else _label(positive, (*where, "positive")),
    )


def _column(name: str, raw: Any) -> Column:
    where = ("columns", name)
    if not isinstance(raw, dict) or "type" not in raw:
        raise ContractError(f"column {name!r} needs a mapping with at least 'type'", where)
    _known(raw, ("type", "role", "nullable", "min", "max", "categories", "sensitive"), where)
    categories = raw.get("categories") or []
    if not isinstance(categories, list):
        raise ContractError(f"column {name!r}: 'categories' must be a list", (*where, "categories"))
    return Column(
        name=name,
        type=str(raw["type"]),
        role=str(raw.get("role", "feature")),
        nullable=_flag(raw, "nullable", where),
        minimum=_number(raw, "min", where),
        maximum=_number(raw, "max", where),
        categories=tuple(_label(value, (*where, "categories")) for value in categories),
        sensitive=_flag(raw, "sensitive", where),
    )


def _known(raw: dict, keys: Sequence[str], where: KeyPath) -> None:
    for key in raw:
        if key not in keys:
            raise ContractError(
                f"unknown key {key!r}; allowed here: {', '.join(keys)}", (*where, str(key))
            )


def _flag(raw: dict, key: str, where: KeyPath) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise ContractError(f"'{key}' must be true or false, not {value!r}", (*where, key))
    return value


def _number(raw: dict, key: str, where: KeyPath) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ContractError(f"'{key}' must be a number, not {value!r}", (*where, key))
    return float(value)


def _label(value: Any, where: KeyPath) -> Label:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ContractError(
            f"{value!r} is not a valid value here: use text or a whole number "
            '(write true/false as "true"/"false")',
            where,
        )
    return value


def _line(root: yaml.Node | None, path: KeyPath) -> str:
    """':<line>' of the deepest node of `path` found in the composed YAML tree."""
    node, line = root, None
    for key in path:
        if not isinstance(node, yaml.MappingNode):
            break
        found = next((pair for pair in node.value if pair[0].value == key), None)
        if found is None:
            break
        line = found[0].start_mark.line + 1
        node = found[1]
    if line is None and root is not None:
        line = root.start_mark.line + 1
    return f":{line}" if line is not None else ""
