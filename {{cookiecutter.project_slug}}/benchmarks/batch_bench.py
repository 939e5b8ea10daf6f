"""Batch scoring end to end (read, validate, score, write, journal) vs the raw model alone."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.batch.runner import score_batch
from {{ cookiecutter.package_name }}.serving.model import load_model_dir

FILES, ROWS_PER_FILE, CHUNK = 10, 50_000, 10_000


def write_inputs(folder: Path, features: tuple[str, ...]) -> np.ndarray:
    """FILES Parquet files of random rows with an id column; returns all feature rows."""
    rng = np.random.default_rng(0)
    blocks = []
    for number in range(FILES):
        block = rng.normal(0, 0.05, (ROWS_PER_FILE, len(features))).astype(np.float32)
        frame = pd.DataFrame(block, columns=list(features))
        frame.insert(0, "id", np.arange(ROWS_PER_FILE) + number * ROWS_PER_FILE)
        frame.to_parquet(folder / f"part-{number:02d}.parquet", index=False)
        blocks.append(block)
    return np.concatenate(blocks)


def batch(model_dir: Path, folder: Path) -> dict:
    """rows/s of `score-batch` end to end and of model.predict on the same rows."""
    model = load_model_dir(model_dir)
    inputs, outputs = folder / "in", folder / "out"
    inputs.mkdir()
    rows = write_inputs(inputs, model.card.features)
    started = time.perf_counter()
    for start in range(0, len(rows), CHUNK):
        model.predict(rows[start : start + CHUNK])
    raw = len(rows) / (time.perf_counter() - started)
    report = score_batch(model, inputs, outputs, chunk_rows=CHUNK, progress=False)
    if report.failed or report.rows != len(rows):
        raise RuntimeError(f"batch benchmark run failed: {report.failed}")
    return {
        "files": FILES,
        "rows": len(rows),
        "raw_model_rows_per_s": raw,
        "end_to_end_rows_per_s": report.rows_per_second,
    }
