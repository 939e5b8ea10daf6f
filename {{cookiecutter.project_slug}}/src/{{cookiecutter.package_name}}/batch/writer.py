"""One batch output file: score an input in chunks into staging, then publish it atomically."""

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
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.features import InvalidInputError
from {{ cookiecutter.package_name }}.private_io import open_private, read_regular
from {{ cookiecutter.package_name }}.serving.model import ServingModel


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
    batch = load_input(path.name, data)
    name = output_name(path)
    staged = output_dir / STAGING_DIR / name
    try:
        _write(model, batch, staged, chunk_rows, on_rows)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    publish(staged, output_dir / name)
    seconds = time.perf_counter() - start
    return Scored(path.name, hashlib.sha256(data).hexdigest(), len(batch.matrix), name, seconds)


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
            for start in range(0, len(batch.matrix), chunk_rows):
                chunk = _chunk(model, batch, start, chunk_rows)
                writer = writer or pq.ParquetWriter(sink, chunk.schema)
                writer.write_table(chunk)
                on_rows(chunk.num_rows)
        finally:
            if writer is not None:
                writer.close()


def _chunk(model: ServingModel, batch: BatchInput, start: int, chunk_rows: int) -> pa.Table:
    """Identity, prediction and model columns for rows start .. start + chunk_rows."""
    rows = batch.matrix[start : start + chunk_rows]
    predictions = np.asarray(model.predict(rows), dtype=np.float64)
    if predictions.shape != (len(rows),):
        raise LifecycleError(f"the model returned shape {predictions.shape} for {len(rows)} rows")
    return pa.table(
        {
            "source_file": pa.repeat(batch.name, len(rows)),
            "row_number": pa.array(np.arange(start, start + len(rows), dtype=np.int64)),
            **{name: column.slice(start, len(rows)) for name, column in batch.identity.items()},
            "prediction": pa.array(predictions),
            "model_name": pa.repeat(model.card.name, len(rows)),
            "model_version": pa.repeat(model.card.version, len(rows)),
        }
    )
