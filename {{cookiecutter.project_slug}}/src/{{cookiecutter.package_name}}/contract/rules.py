"""What makes a contract usable: each rule refuses with the fix, pointing at the key in the file."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.contract.schema import (
    ROLES,
    TASKS,
    TYPES,
    Column,
    Contract,
    ContractError,
    KeyPath,
)

# Keys of the request forms (an `input_data` object with "columns" or "data" is a split table)
# and the columns batch scoring adds to its output: a column cannot be named like them.
RESERVED_NAMES = (
    "columns",
    "data",
    "index",
    "source_file",
    "row_number",
    "prediction",
    "model_name",
    "model_version",
)
# Batch output names one column per class `probability_<class>`: no column may start like it.
PROBABILITY_PREFIX = "probability_"


def check_contract(contract: Contract) -> None:
    """Raise ContractError for the first rule the contract breaks."""
    if contract.task not in TASKS:
        _fail(f"task {contract.task!r} is unknown: use one of {', '.join(TASKS)}", ("task",))
    for column in contract.columns:
        _check_column(column)
    if contract.target.column in contract.by_name:
        _fail(
            f"column {contract.target.column!r} is the target: list it under 'target' only",
            ("columns", contract.target.column),
        )
    if not contract.features:
        _fail("no column has role 'feature': the model would read nothing", ("columns",))
    _check_target(contract)


def _check_column(column: Column) -> None:
    where = ("columns", column.name)
    if column.name in RESERVED_NAMES:
        _fail(
            f"column {column.name!r}: the name is reserved (request keys and batch output "
            f"columns: {', '.join(RESERVED_NAMES)}); rename the column in the data",
            where,
        )
    if column.name.startswith(PROBABILITY_PREFIX):
        _fail(
            f"column {column.name!r}: names starting with {PROBABILITY_PREFIX!r} are reserved "
            "for the class probabilities of batch output; rename the column in the data",
            where,
        )
    if column.type not in TYPES:
        known = ", ".join(TYPES)
        message = f"column {column.name!r}: type {column.type!r} is unknown: use {known}"
        _fail(message, (*where, "type"))
    if column.role not in ROLES:
        known = ", ".join(ROLES)
        message = f"column {column.name!r}: role {column.role!r} is unknown: use {known}"
        _fail(message, (*where, "role"))
    bounded = column.minimum is not None or column.maximum is not None
    if bounded and not column.is_numeric:
        _fail(f"column {column.name!r}: min/max apply to numbers only; remove them", (*where,))
    low, high = column.minimum, column.maximum
    if low is not None and high is not None and low > high:
        message = f"column {column.name!r}: min {low:g} is above max {high:g}; swap them"
        _fail(message, (*where, "min"))
    _check_categories(column)
    if column.sensitive and column.type not in ("category", "boolean"):
        _fail(
            f"column {column.name!r}: a sensitive column defines groups, so it must be a "
            "category or a boolean",
            (*where, "sensitive"),
        )


def _check_categories(column: Column) -> None:
    where = ("columns", column.name, "categories")
    if column.type != "category":
        if column.categories:
            _fail(f"column {column.name!r}: categories apply to type category only", where)
        return
    if len(set(column.categories)) != len(column.categories):
        _fail(f"column {column.name!r}: a category is listed twice", where)
    if len(column.categories) < 2 and column.role == "feature":
        _fail(
            f"column {column.name!r} has {len(column.categories)} category: a column with a "
            "single value tells the model nothing; list every value, or set role: ignore",
            where,
        )


def _check_target(contract: Contract) -> None:
    target, where = contract.target, ("target",)
    if contract.task == "regression":
        if target.classes or target.positive is not None:
            _fail("a regression target has no classes: remove them, or change the task", where)
        return
    classes = target.classes
    if len(set(classes)) != len(classes):
        _fail("a class is listed twice in target.classes", (*where, "classes"))
    if len({str(label) for label in classes}) != len(classes):
        _fail(
            'two classes in target.classes are written alike (1 and "1"): batch output would '
            "name both probability columns the same; keep one spelling",
            (*where, "classes"),
        )
    if len(classes) < 2:
        _fail(
            f"target {target.column!r} has {len(classes)} class: classification needs two or "
            "more; list every class under target.classes",
            (*where, "classes"),
        )
    if contract.task == "binary":
        if len(classes) != 2:
            message = f"a binary target has two classes, not {len(classes)}: use multiclass"
            _fail(message, (*where, "classes"))
        if target.positive not in classes:
            message = "name the positive class (one of target.classes) as target.positive"
            _fail(message, (*where, "positive"))
    elif target.positive is not None:
        _fail("target.positive is for binary targets only: remove it", (*where, "positive"))


def _fail(message: str, path: KeyPath) -> None:
    raise ContractError(message, path)
