"""The input schema: the diabetes features and target, and the checks that enforce it."""

from __future__ import annotations

import math

import pandas as pd

from {{ cookiecutter.package_name }}.errors import LifecycleError

FEATURES: tuple[str, ...] = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")
TARGET = "target"
COLUMNS: tuple[str, ...] = (*FEATURES, TARGET)
MIN_ROWS = 20


def validate_frame(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Return the schema columns as float64, or raise naming the file, column and row."""
    if frame.empty and len(frame.columns) == 0:
        raise LifecycleError(f"{source}: the file is empty; provide a CSV with a header row")
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise LifecycleError(
            f"{source}: missing column {missing[0]!r}; expected columns: {', '.join(COLUMNS)}"
        )
    if len(frame) < MIN_ROWS:
        raise LifecycleError(
            f"{source}: {len(frame)} data rows; at least {MIN_ROWS} are needed to split"
        )
    return pd.DataFrame({column: _numeric(frame[column], source) for column in COLUMNS})


def _numeric(values: pd.Series, source: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = numbers.isna() | ~numbers.map(math.isfinite).astype(bool)
    if bad.any():
        position = int(bad.to_numpy().argmax())
        shown = values.iloc[position]
        problem = "an empty value" if pd.isna(shown) else f"a non-numeric value {shown!r}"
        raise LifecycleError(
            f"{source}: column {values.name!r} has {problem} in data row {position + 1}; "
            "every feature and the target must be a finite number"
        )
    return numbers.reset_index(drop=True)
