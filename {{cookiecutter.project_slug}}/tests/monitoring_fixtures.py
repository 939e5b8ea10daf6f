"""Helpers of the drift and collection tests, for any test contract (contracts.py).

`RuleModel` is a transparent model of any contract (what `drift` calls to score rows logged
without predictions); `reference_of` is the baseline `train` would take with it;
`write_model_folder` packages a model folder as drift reads it; `collect` runs samples through
a Collector.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.contract.inputs import Features, features_from_table
from {{ cookiecutter.package_name }}.contract.load import CONTRACT_FILE
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.model.baseline import BASELINE_FILE, compute
from {{ cookiecutter.package_name }}.model.folder import ModelCard, write_card
from {{ cookiecutter.package_name }}.monitoring.collection import Collector, Tallies
from {{ cookiecutter.package_name }}.monitoring.config import CollectionSettings
from {{ cookiecutter.package_name }}.tasks.base import Prediction

from .contracts import CONTRACTS, contract_of, span


def features(contract: Contract, frame: pd.DataFrame) -> Features:
    """A table's features, through the contract as every entry point reads them."""
    return features_from_table(contract, {str(name): frame[name] for name in frame.columns})


class RuleModel:
    """A transparent model: a regression sums the numbers; a binary classifier's probability
    of the positive class rises with the first number, 0.5 in the middle of its drawn span; a
    multiclass one predicts the first category's position."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract

    def predict(self, rows: Features) -> Prediction:
        """The prediction of every row (labels in the contract's label type)."""
        numbers = np.nan_to_num(rows.numbers.astype(np.float64))
        classes = self.contract.target.classes
        if self.contract.task == "regression":
            return Prediction(numbers.sum(axis=1))
        if self.contract.task == "binary":
            return self._binary(numbers[:, 0], classes)
        first = next(column for column in self.contract.features if column.type == "category")
        keys = rows.categories[first.name]
        index = np.asarray([first.categories.index(key) for key in keys]) % len(classes)
        probabilities = np.full((len(rows), len(classes)), 0.1)
        probabilities[np.arange(len(rows)), index] = 1.0 - 0.1 * (len(classes) - 1)
        return Prediction(np.asarray(classes)[index], probabilities)

    def _binary(self, first: np.ndarray, classes: tuple[Any, ...]) -> Prediction:
        low, high = span(next(c for c in self.contract.features if c.type != "category"))
        positive = 1.0 / (1.0 + np.exp(-(first - (low + high) / 2) * 6 / (high - low)))
        at = classes.index(self.contract.target.positive)
        probabilities = np.empty((len(first), 2))
        probabilities[:, at], probabilities[:, 1 - at] = positive, 1.0 - positive
        labels = np.asarray(classes, dtype=object)[np.where(positive >= 0.5, at, 1 - at)]
        return Prediction(labels, probabilities)


def reference_of(contract: Contract, frame: pd.DataFrame, bins: int = 10) -> dict[str, Any]:
    """The baseline `train` would compute on `frame` with RuleModel."""
    rows = features(contract, frame)
    return compute(contract, rows, RuleModel(contract).predict(rows), bins, 0, "hash")


def write_model_folder(folder: Path, name: str, frame: pd.DataFrame) -> Path:
    """A packaged model folder as drift reads it: baseline.json, contract.yaml, model_card.json."""
    contract = contract_of(name)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONTRACT_FILE).write_text(CONTRACTS[name], encoding="utf-8")
    path = folder / BASELINE_FILE
    path.write_text(json.dumps(reference_of(contract, frame)), encoding="utf-8")
    write_card(folder, ModelCard("drift-test", "4"))
    return path


class Count:
    """A Tally that remembers its total."""

    def __init__(self) -> None:
        self.value = 0.0

    def inc(self, amount: float = 1) -> None:
        self.value += amount


@dataclass(frozen=True)
class Card:
    """The served model's name and version, as the model card gives them."""

    name: str = "churn"
    version: str = "5"


def collect(
    contract: Contract, folder: Path, samples: list[tuple[Any, Prediction]]
) -> tuple[list[bytes], dict[str, Count]]:
    """Offer the samples to a Collector at rate 1, stop it; the lines and the tallies."""
    counts = {"written": Count(), "queue_full": Count(), "write_failed": Count()}
    settings = CollectionSettings(1.0, folder, 100)
    collector = Collector(settings, Card(), contract, Tallies(**counts))
    for number, (rows, prediction) in enumerate(samples):
        collector.offer(b"r%d" % number, rows, prediction)
    collector.close()
    files = sorted(folder.rglob("*.jsonl"))
    return [line for path in files for line in path.read_bytes().splitlines()], counts


def collect_frame(contract: Contract, folder: Path, frame: pd.DataFrame, size: int = 10) -> None:
    """What `serve` collects for `frame` sent in requests of `size` rows, scored by RuleModel."""
    model, parts = RuleModel(contract), []
    for start in range(0, len(frame), size):
        rows = features(contract, frame.iloc[start : start + size])
        parts.append((rows, model.predict(rows)))
    collect(contract, folder, parts)
