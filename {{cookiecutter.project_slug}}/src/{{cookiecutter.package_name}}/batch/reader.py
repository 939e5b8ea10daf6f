"""One batch input file: parse CSV or Parquet, apply the input contract, keep identity columns."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from {{ cookiecutter.package_name }}.errors import first_line
from {{ cookiecutter.package_name }}.features import (
    FEATURES,
    InvalidInputError,
    check_unique,
    matrix_from_columns,
)
from {{ cookiecutter.package_name }}.private_io import is_regular_file

SUFFIXES = (".csv", ".parquet")
RESERVED = ("source_file", "row_number", "prediction", "model_name", "model_version")
Column: TypeAlias = "pa.Array | pa.ChunkedArray"


@dataclass(frozen=True)
class BatchInput:
    """One validated file: its float32 feature matrix and the identity columns to carry through."""

    name: str
    matrix: np.ndarray
    identity: dict[str, Column]


def has_input_suffix(path: Path) -> bool:
    """Whether `path` is named like a file batch scoring reads (*.csv or *.parquet)."""
    return path.suffix.lower() in SUFFIXES


def is_input(path: Path) -> bool:
    """Whether `path` is a file batch scoring reads: *.csv or *.parquet, a regular file itself."""
    return has_input_suffix(path) and is_regular_file(path)


def load_input(name: str, data: bytes) -> BatchInput:
    """Parse and validate one file's bytes; InvalidInputError says why it cannot be scored."""
    if not data:
        raise InvalidInputError("the file is empty (0 bytes)")
    reader = _parquet if name.lower().endswith(".parquet") else _csv
    features, identity = reader(data)
    reserved = [column for column in identity if column in RESERVED]
    if reserved:
        raise InvalidInputError(f"column {reserved[0]!r} is reserved for the output; rename it")
    return BatchInput(name, matrix_from_columns(features), identity)


def _csv(data: bytes) -> tuple[dict[str, pd.Series], dict[str, Column]]:
    """Identity columns stay text exactly as written (`007` stays `007`); features are parsed."""
    try:
        header = [str(column) for column in pd.read_csv(io.BytesIO(data), nrows=0).columns]
        frame = pd.read_csv(
            io.BytesIO(data),
            dtype={column: str for column in header if column not in FEATURES},
            keep_default_na=False,
            na_values={column: [""] for column in FEATURES if column in header},
        )
    except (ValueError, OSError) as exc:
        raise InvalidInputError(f"unreadable CSV: {first_line(exc)}") from None
    features = {column: frame[column] for column in header if column in FEATURES}
    identity = {
        column: pa.array(frame[column].to_numpy(dtype=object), type=pa.string())
        for column in header
        if column not in FEATURES
    }
    return features, identity


def _parquet(data: bytes) -> tuple[dict[str, pd.Series], dict[str, Column]]:
    """Identity columns keep their Parquet types."""
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (ValueError, OSError, pa.ArrowException) as exc:
        raise InvalidInputError(f"unreadable Parquet: {first_line(exc)}") from None
    names = table.column_names
    check_unique(names)
    features = {column: table.column(column).to_pandas() for column in names if column in FEATURES}
    identity = {column: table.column(column) for column in names if column not in FEATURES}
    return features, identity
