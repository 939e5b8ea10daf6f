"""One batch input file: read as the contract reads data, features held to it, ids kept.

A CSV file's cells are read as text exactly as written (`007` stays `007`), a Parquet file's
columns with their stored types, as `contract/files.read_table` reads data; the features are
then validated by `features_from_table`, with the messages of every other entry point. The
contract's id columns must be present: they are carried into the output as given. Any other
column is read past.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from {{ cookiecutter.package_name }}.contract.inputs import (
    Features,
    check_unique,
    features_from_table,
)
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import InvalidInputError, first_line
from {{ cookiecutter.package_name }}.private_io import is_regular_file

SUFFIXES = (".csv", ".parquet")
Column: TypeAlias = "pa.Array | pa.ChunkedArray"


@dataclass(frozen=True)
class BatchInput:
    """One validated file: the model's Features and the contract's id columns, as given."""

    name: str
    features: Features
    ids: dict[str, Column]


def has_input_suffix(path: Path) -> bool:
    """Whether `path` is named like a file batch scoring reads (*.csv or *.parquet)."""
    return path.suffix.lower() in SUFFIXES


def is_input(path: Path) -> bool:
    """Whether `path` is a file batch scoring reads: *.csv or *.parquet, a regular file itself."""
    return has_input_suffix(path) and is_regular_file(path)


def load_input(contract: Contract, name: str, data: bytes) -> BatchInput:
    """Parse and validate one file's bytes; InvalidInputError says why it cannot be scored."""
    if not data:
        raise InvalidInputError("the file is empty (0 bytes)")
    reader = _parquet if name.lower().endswith(".parquet") else _csv
    columns, ids = reader(contract, data)
    return BatchInput(name, features_from_table(contract, columns), ids)


def _csv(contract: Contract, data: bytes) -> tuple[dict[str, pd.Series], dict[str, Column]]:
    """Every cell as its text; the id columns as text columns."""
    try:
        frame = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except (ValueError, OSError) as exc:
        raise InvalidInputError(f"unreadable CSV: {first_line(exc)}") from None
    columns = {str(name): frame[name] for name in frame.columns}
    _check_ids(contract, columns)
    ids = {
        column.name: pa.array(columns[column.name].to_numpy(dtype=object), type=pa.string())
        for column in contract.ids
    }
    return columns, ids


def _parquet(contract: Contract, data: bytes) -> tuple[dict[str, pd.Series], dict[str, Column]]:
    """The feature columns as pandas reads them; the id columns with their Parquet types."""
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (ValueError, OSError, pa.ArrowException) as exc:
        raise InvalidInputError(f"unreadable Parquet: {first_line(exc)}") from None
    names = table.column_names
    check_unique(names)
    wanted = set(contract.feature_names)
    columns = {name: _series(table.column(name)) for name in names if name in wanted}
    _check_ids(contract, names)
    return columns, {column.name: table.column(column.name) for column in contract.ids}


def _series(column: pa.ChunkedArray) -> pd.Series:
    """A Parquet column as pandas reads it; a dictionary (categorical) column as its values."""
    series = column.to_pandas()
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.astype(object)
    return series


def _check_ids(contract: Contract, names: Iterable[str]) -> None:
    """Refuse a file without one of the contract's id columns (they are carried into the output)."""
    present = set(names)
    missing = [column.name for column in contract.ids if column.name not in present]
    if missing:
        listed = ", ".join(column.name for column in contract.ids)
        raise InvalidInputError(
            f"missing id column {missing[0]!r}: the contract's id columns ({listed}) are "
            "carried into the predictions, so every file needs them"
        )
