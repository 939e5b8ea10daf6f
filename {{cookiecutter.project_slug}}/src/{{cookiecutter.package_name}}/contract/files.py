"""Reading a data file for the contract: CSV (every cell as its text) or Parquet (native types)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from {{ cookiecutter.package_name }}.errors import LifecycleError, first_line

SUFFIXES = (".csv", ".parquet")


def read_table(path: Path) -> pd.DataFrame:
    """The file's rows: a CSV's cells as text exactly as written, a Parquet file's as stored."""
    if not path.is_file():
        raise LifecycleError(f"{path}: no such file; pass an existing .csv or .parquet file")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise LifecycleError(f"{path}: unsupported file type {suffix!r}; use .csv or .parquet")
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise LifecycleError(f"{path}: the file is empty; provide a header row") from None
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        kind = "Parquet" if suffix == ".parquet" else "CSV"
        raise LifecycleError(f"{path}: not a readable {kind} file ({first_line(exc)})") from None
