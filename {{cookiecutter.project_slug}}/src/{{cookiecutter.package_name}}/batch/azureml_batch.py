"""Azure ML batch deployment entry script: score CSV/Parquet files with the packaged model."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.serving_model import ServingModel

PARQUET_SUFFIXES = (".parquet", ".pq")
OUTPUT_COLUMNS = ("file", "row", "prediction")

_model: ServingModel | None = None


def init() -> None:
    """Load the packaged model once per worker process."""
    global _model
    src = str(Path(__file__).resolve().parents[1])
    if src not in sys.path:  # the batch driver may put only this file's folder on sys.path
        sys.path.insert(0, src)
    from {{ cookiecutter.package_name }}.serving_model import (
        find_model_dir,
        load_model_dir,
    )

    _model = load_model_dir(find_model_dir(Path(os.environ["AZUREML_MODEL_DIR"])))


def read_table(path: Path) -> pd.DataFrame:
    """Read one input file: Parquet by suffix, anything else as CSV."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return pd.read_parquet(path)
    return pd.read_csv(path)


def score_file(model: ServingModel, path: Path) -> pd.DataFrame:
    """One row per input row: the file name, the row's index label and the prediction."""
    table = read_table(path)
    features = list(model.card.features)
    missing = [name for name in features if name not in table.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column(s) {', '.join(missing)}")
    matrix = table[features].to_numpy(dtype=np.float32)
    return pd.DataFrame(
        {"file": path.name, "row": table.index.to_numpy(), "prediction": model.predict(matrix)}
    )


def run(mini_batch: list[str]) -> pd.DataFrame:
    """Score every file of the mini batch (a list of file paths)."""
    if _model is None:
        raise RuntimeError("init() has not loaded the model")
    frames = [score_file(_model, Path(name)) for name in mini_batch]
    if not frames:
        return pd.DataFrame(columns=list(OUTPUT_COLUMNS))
    return pd.concat(frames, ignore_index=True)
