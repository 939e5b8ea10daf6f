"""The current data `drift` compares with the baseline: collected JSON lines, CSV or Parquet.

Every row goes through the model's contract (contract/inputs.py). Collected lines carry the
predictions the served model returned (monitoring/logs.py); rows without them (CSV, Parquet,
Azure ML's model_inputs) are scored by the model, once per file. The result holds each feature
and each model output as drift profiles it (model/columns.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import orjson

from {{ cookiecutter.package_name }}.contract.files import read_table
from {{ cookiecutter.package_name }}.contract.inputs import (
    Features,
    features_from_table,
)
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import InvalidInputError, LifecycleError
from {{ cookiecutter.package_name }}.model.columns import (
    feature_values,
    output_values,
)
from {{ cookiecutter.package_name }}.monitoring.logs import parse_line
from {{ cookiecutter.package_name }}.tasks.base import Prediction

LOGS = ".jsonl"
TABLES = (".csv", ".parquet")
Columns = dict[str, np.ndarray]


class Model(Protocol):
    """What scores rows that were logged without predictions."""

    def predict(self, features: Features) -> Prediction:
        """The prediction for every row."""
        ...


@dataclass(frozen=True)
class Current:
    """Each feature and model output as profiled (contract order), and where the rows came from."""

    features: Columns
    outputs: Columns
    files: list[str]
    model_versions: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Number of rows."""
        return len(next(iter(self.outputs.values())))


def read_current(path: Path, contract: Contract, model: Model) -> Current:
    """Read a file or every *.jsonl, *.csv and *.parquet under a folder (recursively)."""
    files = _files(path)
    versions: Counter[str] = Counter()
    parts = [part for file in files for part in _read_file(file, contract, model, versions)]
    if not parts:
        raise LifecycleError(f"no current data: {path} holds no rows; {_HOW}")
    return Current(
        features=_join([feature_values(contract, features) for features, _ in parts]),
        outputs=_join([output_values(contract, prediction) for _, prediction in parts]),
        files=[str(file) for file in files],
        model_versions=dict(sorted(versions.items())),
    )


_HOW = "enable collection ([monitoring.collection] sample_rate) or pass --current FILE|DIR"


def _files(path: Path) -> list[Path]:
    if path.is_file():
        if path.suffix.lower() not in (LOGS, *TABLES):
            raise LifecycleError(f"{path}: not a .jsonl, .csv or .parquet file; pass one of those")
        return [path]
    if not path.is_dir():
        raise LifecycleError(f"no current data: {path} does not exist; {_HOW}")
    suffixes = (LOGS, *TABLES)
    files = sorted(file for file in path.rglob("*") if file.suffix.lower() in suffixes)
    files = [file for file in files if file.is_file()]
    if not files:
        raise LifecycleError(f"no current data: no .jsonl, .csv or .parquet under {path}; {_HOW}")
    return files


Part = tuple[Features, Prediction]


def _read_file(file: Path, contract: Contract, model: Model, versions: Counter[str]) -> list[Part]:
    if file.suffix.lower() == LOGS:
        return _read_log(file, contract, model, versions)
    frame = read_table(file)
    try:
        features = features_from_table(contract, {str(name): frame[name] for name in frame.columns})
    except InvalidInputError as exc:
        raise LifecycleError(f"{file}: {exc}") from None
    return [(features, model.predict(features))]


def _read_log(file: Path, contract: Contract, model: Model, versions: Counter[str]) -> list[Part]:
    logged: list[Part] = []
    unscored: list[Features] = []
    with file.open("rb") as lines:
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                line = parse_line(text, contract)
            except (InvalidInputError, orjson.JSONDecodeError) as exc:
                raise LifecycleError(f"{file}:{number}: {exc}; fix or remove the line") from None
            if line is None:
                continue
            if line.prediction is None:
                unscored.append(line.features)
            else:
                logged.append((line.features, line.prediction))
            versions[line.version] += len(line.features)
    if unscored:
        features = join_features(unscored)
        logged.append((features, model.predict(features)))
    return logged


def join_features(parts: list[Features]) -> Features:
    """Several Features of one contract as one."""
    categories = {
        name: np.concatenate([part.categories[name] for part in parts])
        for name in parts[0].categories
    }
    return Features(np.concatenate([part.numbers for part in parts]), categories)


def _join(parts: list[Columns]) -> Columns:
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
