"""One batch output file: score an input in chunks into staging, then publish it atomically.

Its columns: `source_file`, `row_number`, the contract's id columns as given, `prediction` (the
value, or the label), for a classifier one `probability_<class>` column per class in the
contract's order, then `model_name` and `model_version`. The contract's rules keep its column
names clear of these.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from {{ cookiecutter.package_name }}.batch.journal import (
    OUTPUT_SUFFIX,
    STAGING_DIR,
    publish,
)
from {{ cookiecutter.package_name }}.batch.reader import BatchInput, load_input
from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.contract.rules import PROBABILITY_PREFIX
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import InvalidInputError
from {{ cookiecutter.package_name }}.model.folder import ServingModel
from {{ cookiecutter.package_name }}.model.runtime import check_prediction
from {{ cookiecutter.package_name }}.private_io import open_private, read_regular
from {{ cookiecutter.package_name }}.tasks.base import Prediction


@dataclass(frozen=True)
class Scored:
    """One input scored and its predictions published."""

    file: str
    sha256: str
    rows: int
    output: str
    seconds: float


@dataclass(frozen=True)
class FileFailure:
    """One input that could not be scored, with a one-line reason."""

    file: str
    reason: str

    def line(self) -> str:
        """How a failed file is reported, by `score-batch` and the Azure ML batch entry alike."""
        return f"FAILED {self.file}: {self.reason}"


def output_name(path: Path) -> str:
    """`a.csv` -> `a.csv.predictions.parquet`, so `a.csv` and `a.parquet` never collide."""
    return f"{path.stem}.{path.suffix[1:]}{OUTPUT_SUFFIX}"


def score_file(
    model: ServingModel,
    path: Path,
    output_dir: Path,
    chunk_rows: int,
    on_rows: Callable[[int], None],
) -> Scored:
    """Read, validate, score and publish one input; InvalidInputError says why it cannot be."""
    start = time.perf_counter()
    try:
        data = read_regular(path)
    except OSError as exc:
        raise InvalidInputError(f"cannot read the file: {exc.strerror}") from None
    batch = load_input(model.contract, path.name, data)
    name = output_name(path)
    staged = output_dir / STAGING_DIR / name
    try:
        _write(model, batch, staged, chunk_rows, on_rows)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    publish(staged, output_dir / name)
    seconds = time.perf_counter() - start
    return Scored(path.name, hashlib.sha256(data).hexdigest(), len(batch.features), name, seconds)


def _write(
    model: ServingModel,
    batch: BatchInput,
    staged: Path,
    chunk_rows: int,
    on_rows: Callable[[int], None],
) -> None:
    """Write one Parquet row group per chunk of chunk_rows predictions into the staging file."""
    writer: pq.ParquetWriter | None = None
    with open_private(staged, append=False) as sink:  # 0600: predictions carry the inputs' ids
        try:
            for start in range(0, len(batch.features), chunk_rows):
                chunk = _chunk(model, batch, start, chunk_rows)
                writer = writer or pq.ParquetWriter(sink, chunk.schema)
                writer.write_table(chunk)
                on_rows(chunk.num_rows)
        finally:
            if writer is not None:
                writer.close()


def _chunk(model: ServingModel, batch: BatchInput, start: int, chunk_rows: int) -> pa.Table:
    """Identity, prediction and model columns for rows start .. start + chunk_rows."""
    rows = feature_rows(batch.features, start, start + chunk_rows)
    count = len(rows)
    prediction = model.predict(rows)
    check_prediction(model.contract, prediction, count)
    return pa.table(
        {
            "source_file": pa.repeat(batch.name, count),
            "row_number": pa.array(np.arange(start, start + count, dtype=np.int64)),
            **{name: column.slice(start, count) for name, column in batch.ids.items()},
            **prediction_columns(model.contract, prediction),
            "model_name": pa.repeat(model.card.name, count),
            "model_version": pa.repeat(model.card.version, count),
        }
    )


def prediction_columns(contract: Contract, prediction: Prediction) -> dict[str, pa.Array]:
    """`prediction` (value or label) and, for a classifier, `probability_<class>` per class."""
    values = prediction.values
    labels = values.tolist() if values.dtype.kind in "UO" else values
    columns = {"prediction": pa.array(labels)}
    if prediction.probabilities is not None:
        for index, label in enumerate(contract.target.classes):
            columns[f"{PROBABILITY_PREFIX}{label}"] = pa.array(prediction.probabilities[:, index])
    return columns


def feature_rows(features: Features, start: int, stop: int) -> Features:
    """Rows start .. stop of the features (views, no copy)."""
    categories = {name: values[start:stop] for name, values in features.categories.items()}
    return Features(features.numbers[start:stop], categories)
