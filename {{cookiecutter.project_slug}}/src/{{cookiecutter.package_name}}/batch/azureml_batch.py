"""Azure ML batch deployment entry script: a thin adapter over `score-batch`'s reader and writer.

Each input file of a mini batch is read, validated and written exactly as `score-batch` does: one
`<file>.predictions.parquet` per input in the job's output folder (`AZUREML_BI_OUTPUT_PATH`), with
the same columns; files other than *.csv and *.parquet are left alone, as `score-batch` does. A
file that breaks the input contract is reported on stderr with the same reason and left out of
the returned list, so Azure ML counts it as failed (`error_threshold`). The deployment uses
`output_action: summary_only`: the predictions are the Parquet files.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.model.folder import ServingModel

OUTPUT_ENV = "AZUREML_BI_OUTPUT_PATH"
CHUNK_ROWS = 10_000


@dataclass(frozen=True)
class _Worker:
    model: ServingModel
    output: Path


_worker: _Worker | None = None


def init() -> None:
    """Load the packaged model once per worker process and note the job's output folder."""
    src = str(Path(__file__).resolve().parents[2])
    if src not in sys.path:  # the batch driver may put only this file's folder on sys.path
        sys.path.insert(0, src)
    from {{ cookiecutter.package_name }}.model.folder import (
        find_model_dir,
        load_model_dir,
    )

    global _worker
    model = load_model_dir(find_model_dir(Path(os.environ["AZUREML_MODEL_DIR"])))
    _worker = _Worker(model, Path(os.environ[OUTPUT_ENV]))


def run(mini_batch: list[str]) -> list[str]:
    """Score every file of the mini batch; one entry per file done (failed files have none)."""
    from {{ cookiecutter.package_name }}.batch.journal import STAGING_DIR
    from {{ cookiecutter.package_name }}.batch.reader import is_input
    from {{ cookiecutter.package_name }}.batch.writer import FileFailure, score_file
    from {{ cookiecutter.package_name }}.errors import InvalidInputError
    from {{ cookiecutter.package_name }}.private_io import private_dir

    if _worker is None:
        raise RuntimeError("init() has not loaded the model")
    output = _worker.output
    private_dir(output / STAGING_DIR)  # workers share the output folder
    done = []
    for path in map(Path, mini_batch):
        if not is_input(path):  # like score-batch: regular *.csv and *.parquet files only
            done.append(f"{path.name}: not scored (not a regular .csv or .parquet file)")
            continue
        try:
            done.append(score_file(_worker.model, path, output, CHUNK_ROWS, _ignore).output)
        except InvalidInputError as exc:
            print(FileFailure(path.name, str(exc)).line(), file=sys.stderr, flush=True)
    return done


def _ignore(rows: int) -> None:
    """No progress bar inside an Azure ML worker."""
