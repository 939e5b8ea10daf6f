"""Batch scoring end to end (read, validate, score, write, journal) vs the raw model alone."""

from __future__ import annotations

import time
from pathlib import Path

from sample import table

from {{ cookiecutter.package_name }}.batch.reader import load_input
from {{ cookiecutter.package_name }}.batch.runner import score_batch
from {{ cookiecutter.package_name }}.batch.writer import feature_rows
from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.model.folder import load_model_dir

FILES, ROWS_PER_FILE, CHUNK = 10, 50_000, 10_000


def write_inputs(folder: Path, contract: Contract) -> list[Features]:
    """FILES Parquet files of random rows with the contract's id columns; their Features."""
    written = []
    for number in range(FILES):
        frame = table(contract, ROWS_PER_FILE, seed=number, first_id=number * ROWS_PER_FILE)
        path = folder / f"part-{number:02d}.parquet"
        frame.to_parquet(path, index=False)
        written.append(load_input(contract, path.name, path.read_bytes()).features)
    return written


def batch(model_dir: Path, folder: Path) -> dict:
    """rows/s of `score-batch` end to end and of model.predict on the same rows."""
    model = load_model_dir(model_dir)
    inputs, outputs = folder / "in", folder / "out"
    inputs.mkdir()
    files = write_inputs(inputs, model.contract)
    rows = sum(len(features) for features in files)
    started = time.perf_counter()
    for features in files:
        for start in range(0, len(features), CHUNK):
            model.predict(feature_rows(features, start, start + CHUNK))
    raw = rows / (time.perf_counter() - started)
    report = score_batch(model, inputs, outputs, chunk_rows=CHUNK, progress=False)
    if report.failed or report.rows != rows:
        raise RuntimeError(f"batch benchmark run failed: {report.failed}")
    return {
        "files": FILES,
        "rows": rows,
        "raw_model_rows_per_s": raw,
        "end_to_end_rows_per_s": report.rows_per_second,
    }
