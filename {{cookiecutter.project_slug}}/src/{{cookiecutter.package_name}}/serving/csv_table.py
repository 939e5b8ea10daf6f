"""A `text/csv` request body read into one table (columns, rows, index), as MLflow reads it.

The first line names the columns (pandas' `DataFrame.to_csv()` writes it); every further line is a
row, blank lines are skipped. A first column without a name is the index `to_csv()` writes: its
labels are echoed back as written, like an `index` in split orientation. Cells become what JSON
would carry for their column's type in the contract: an empty cell a missing value (null); in a
category column the text as written (`007` stays `007`); in a boolean column `true`/`false`/`1`/
`0` a boolean; elsewhere a finite number a number, `true`/`false` a boolean, anything else
(`nan`, `inf` too) text. The contract then judges them as it judges JSON. The body is at most
`--max-body-bytes` (413 beyond), parsing is linear, the header is counted against the contract
(`check_width`) before any per-column work and its names checked (`check_request_columns`)
before any row is read.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from typing import Any

from {{ cookiecutter.package_name }}.contract.inputs import check_request_columns
from {{ cookiecutter.package_name }}.contract.schema import Column, Contract
from {{ cookiecutter.package_name }}.contract.values import as_boolean
from {{ cookiecutter.package_name }}.errors import InvalidInputError
from {{ cookiecutter.package_name }}.serving.forms import Table, check_width, shown_name

BOOLEANS = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}


def csv_table(contract: Contract, body: bytes) -> Table:
    """Parse a CSV body with a header line; 400 for a body that is not such a CSV."""
    lines = csv.reader(io.StringIO(_decoded(body), newline=""), strict=True)
    try:
        header = next((line for line in lines if line), [])
        indexed = len(header) > 1 and header[0] == ""  # the unnamed index column of to_csv()
        columns = header[indexed:]
        check_width(contract, len(columns))
        _check_header(contract, columns)
        check_request_columns(contract, columns)  # before any row is read
        cells = _cells(contract, columns)
        rows: list[list[Any]] = []
        index: list[str] = []
        for line in lines:
            if not line:
                continue
            if len(line) != len(header):
                raise InvalidInputError(
                    f"CSV row {len(rows)} has {len(line)} fields, the header has {len(header)}"
                )
            if indexed:
                index.append(line[0])
            rows.append(cells(line[indexed:]))
    except csv.Error as exc:
        raise InvalidInputError(f"unreadable CSV at line {lines.line_num}: {exc}", 400) from None
    return columns, rows, index if indexed else None


def _decoded(body: bytes) -> str:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError("the CSV body is not UTF-8: send it UTF-8 encoded", 400) from None
    if not text.strip():
        raise InvalidInputError("empty body: send a header line naming the columns, then rows", 400)
    return text


def _check_header(contract: Contract, columns: list[str]) -> None:
    if not columns:
        raise InvalidInputError("CSV header: no column names on the first line", 400)
    for number, name in enumerate(columns):
        if not name:
            raise InvalidInputError(
                f"CSV header: column {number} has no name; the first line must name every column",
                400,
            )
    if all(_number(name) is not None for name in columns):
        raise InvalidInputError(
            f"the CSV's first line holds numbers, not column names: start the body with a header "
            f"line ({','.join(contract.feature_names)}); got {shown_name(','.join(columns))}",
            400,
        )


def _cells(contract: Contract, columns: list[str]) -> Callable[[list[str]], list[Any]]:
    """How a line's cells become a row: all numbers in one pass, else a reader per column."""
    kinds = [contract.by_name[name] for name in columns]
    if all(column.is_numeric for column in kinds):
        return _row
    readers = [_reader(column) for column in kinds]
    return lambda cells: [read(text) for read, text in zip(readers, cells, strict=True)]


def _reader(column: Column) -> Callable[[str], Any]:
    """A category keeps its text, a boolean reads true/false/1/0, anything else as JSON would."""
    if column.type == "category":
        return _category
    if column.type == "boolean":
        return _boolean
    return _cell


def _category(text: str) -> str | None:
    return text or None


def _boolean(text: str) -> Any:
    value = as_boolean(text, json_value=False) if text else None
    return _cell(text) if value is None else value


def _row(cells: list[str]) -> list[Any]:
    """One CSV line as a row: all numbers in one pass (the common case), else cell by cell."""
    try:
        row = [float(text) for text in cells]
    except ValueError:
        return [_cell(text) for text in cells]
    return row if all(map(math.isfinite, row)) else [_cell(text) for text in cells]


def _cell(text: str) -> Any:
    """One CSV cell as JSON would carry it: null, a number, a boolean or text."""
    if not text:
        return None
    number = _number(text)
    return BOOLEANS.get(text, text) if number is None else number


def _number(text: str) -> float | None:
    """A finite number (NaN, infinities and overflowing numbers stay text), or None."""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
