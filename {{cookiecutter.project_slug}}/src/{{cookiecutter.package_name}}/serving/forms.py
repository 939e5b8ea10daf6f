"""The JSON forms a scoring request may take, each read into one table: (columns, rows, index).

Rows are lists in `columns` order with the values as sent: the model's data contract
(`contract.inputs.features_from_rows`) judges names and values. Every reader is linear in the
request and counts the columns against the contract (`check_width`) before any per-column work;
a form whose rows are built here (named columns, records, CSV) has its columns checked
(`check_request_columns`: the features, and the contract's id and ignored columns) before any
row is built. A body that is none of the forms is a 400 naming the form expected, a ragged
table a 422.
"""

from __future__ import annotations

from typing import Any

from {{ cookiecutter.package_name }}.contract.inputs import check_request_columns
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import InvalidInputError

Table = tuple[list[Any], Any, Any]
INDEX_LABELS = frozenset({str, int, float, bool, type(None)})
SPLIT_KEYS = ("columns", "data", "index")
SHOWN_NAMES = 10  # column names an error message lists at most


def check_width(contract: Contract, count: int) -> None:
    """Refuse more columns than the contract has before any per-column work (its own refusal)."""
    if count > len(contract.columns):
        check_request_columns(contract, range(count))  # refuses on the count alone, at once


def input_data_table(contract: Contract, data: Any) -> Table:
    """Azure ML's `input_data`: split orientation, named columns, a list of rows or of records."""
    if isinstance(data, dict):
        if "columns" in data or "data" in data:
            return split_table(contract, data, "input_data")
        return named_columns(contract, data, "input_data")
    if isinstance(data, list):
        return list_table(contract, data, "input_data")
    raise InvalidInputError(
        '"input_data" must be an object (split orientation or named columns) or a list of rows '
        "or of records",
        400,
    )


def tensor_table(contract: Contract, data: Any, key: str) -> Table:
    """MLflow's `instances`/`inputs`: named columns, a list of rows or a list of records."""
    if isinstance(data, dict):
        return named_columns(contract, data, key)
    if isinstance(data, list):
        return list_table(contract, data, key)
    raise InvalidInputError(
        f'"{key}" must be a list of rows or of records, or an object of named columns', 400
    )


def list_table(contract: Contract, items: list[Any], key: str) -> Table:
    """A list of records (objects), or of rows in the features' order (checked by the contract)."""
    if items and isinstance(items[0], dict):
        return records_table(contract, items, key)
    return list(contract.feature_names), items, None


def split_table(contract: Contract, table: Any, key: str) -> Table:
    """Split orientation: {"columns": [...], "data": [[...], ...]} and optionally "index"."""
    if not isinstance(table, dict) or "data" not in table or "columns" not in table:
        raise InvalidInputError(
            f'"{key}" must be an object with "columns" and "data" (split orientation)', 400
        )
    if len(table) != 2 + ("index" in table):
        extra = next(name for name in table if name not in SPLIT_KEYS)
        raise InvalidInputError(
            f'"{key}" mixes the split orientation ("columns", "data", "index") with the key '
            f"{shown_name(extra)}: send one form",
            400,
        )
    columns, rows, index = table["columns"], table["data"], table.get("index")
    if not isinstance(columns, list):
        raise InvalidInputError(f'"{key}.columns" must be a list of column names', 400)
    check_width(contract, len(columns))
    if not all(isinstance(name, str) for name in columns):
        raise InvalidInputError(f'"{key}.columns" must be a list of column names', 400)
    if index is not None and not _is_index(index, _length(rows)):
        raise InvalidInputError(
            f'"{key}.index" must be a flat list of strings or numbers, one per row of "data"', 400
        )
    return columns, rows, index


def named_columns(contract: Contract, table: dict[str, Any], key: str) -> Table:
    """Named columns (a named tensor): {"age": [v0, v1, ...], "sex": [...], ...}."""
    check_request_columns(contract, list(table))
    first, length = "", -1
    for name, values in table.items():
        if not isinstance(values, list):
            raise InvalidInputError(
                f'"{key}": column {shown_name(name)} must be a list of values, one per row '
                "(for one row send [value])",
                400,
            )
        if length < 0:
            first, length = name, len(values)
        elif len(values) != length:
            raise InvalidInputError(
                f'"{key}": column {shown_name(name)} has {len(values)} values but column '
                f"{shown_name(first)} has {length}: every column needs one value per row"
            )
    return list(table), [list(row) for row in zip(*table.values(), strict=True)], None


def records_table(contract: Contract, records: Any, key: str) -> Table:
    """Records: [{"age": v, "sex": v, ...}, ...], every record naming the same columns."""
    if not isinstance(records, list):
        raise InvalidInputError(f'"{key}" must be a list of records (objects)', 400)
    for number, record in enumerate(records):
        if not isinstance(record, dict):
            raise InvalidInputError(
                f'"{key}" must be a list of records (objects): item {number} is a '
                f"{type(record).__name__}, send every row in one form",
                400,
            )
    columns = list(records[0]) if records else list(contract.feature_names)
    check_request_columns(contract, columns)
    names = set(columns)
    for number, record in enumerate(records):
        if record.keys() != names:
            raise InvalidInputError(
                f"record {number} has keys {_listing(record)}, expected the first record's: "
                f"{_listing(columns)}"
            )
    return columns, [[record[name] for name in columns] for record in records], None


def shown_name(name: object) -> str:
    """A client's column or key name for an error message: quoted, at most 40 characters."""
    text = repr(name)
    return text if len(text) <= 40 else text[:37] + "..."


def _listing(names: Any) -> str:
    shown = [shown_name(name) for _, name in zip(range(SHOWN_NAMES), names, strict=False)]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _is_index(index: Any, rows: int) -> bool:
    """A flat list with one label (string, number, boolean or null) per row: echoed as given."""
    return (
        isinstance(index, list)
        and len(index) == rows
        and all(type(label) in INDEX_LABELS for label in index)
    )


def _length(rows: Any) -> int:
    return len(rows) if isinstance(rows, list) else -1
