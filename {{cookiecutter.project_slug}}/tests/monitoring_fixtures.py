"""Data for the drift tests, built from contracts: one per task, whatever the project's own data.

A regression contract of numbers (one two-valued, as the diabetes set's `sex`); a binary and a
multiclass one with categories, booleans, an id, an ignored column and nullable columns. `table`
draws a seeded table under a contract, with the shares and shifts a test asks for; `RuleModel`
is a transparent model of any of them (what `drift` calls to score rows logged without
predictions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.contract.inputs import Features, features_from_table
from {{ cookiecutter.package_name }}.contract.load import CONTRACT_FILE, parse_contract
from {{ cookiecutter.package_name }}.contract.schema import Column, Contract
from {{ cookiecutter.package_name }}.model.baseline import BASELINE_FILE, compute
from {{ cookiecutter.package_name }}.model.folder import ModelCard, write_card
from {{ cookiecutter.package_name }}.monitoring.collection import Collector, Tallies
from {{ cookiecutter.package_name }}.monitoring.config import CollectionSettings
from {{ cookiecutter.package_name }}.tasks.base import Prediction

REGRESSION = """
task: regression
target: {column: price}
columns:
  area: {type: number, min: 10, max: 500}
  rooms: {type: integer, min: 1, max: 12}
  sex: {type: number}
"""
BINARY = """
task: binary
target: {column: churned, classes: ["no", "yes"], positive: "yes"}
columns:
  customer: {type: category, role: id}
  tenure: {type: number, min: 0}
  visits: {type: integer, nullable: true}
  plan: {type: category, categories: [basic, plus, pro]}
  smoker: {type: boolean}
  region: {type: category, categories: [north, south], nullable: true}
"""
MULTICLASS = """
task: multiclass
target: {column: species, classes: [1, 2, 3]}
columns:
  length: {type: number}
  color: {type: category, categories: [red, green, blue]}
  indoor: {type: boolean, nullable: true}
  note: {type: category, role: ignore}
"""
CONTRACTS = {"regression": REGRESSION, "binary": BINARY, "multiclass": MULTICLASS}
SEX = (-0.044641636506989144, 0.05068011873981862)  # not float32 numbers: served as float32


def contract_of(task: str) -> Contract:
    """The test contract of a task."""
    return parse_contract(CONTRACTS[task], f"{task} test contract")


@dataclass(frozen=True)
class Draw:
    """How a table is drawn: category shares, true shares, missing shares, numeric offsets."""

    shares: dict[str, list[float]] = field(default_factory=dict)
    true_share: dict[str, float] = field(default_factory=dict)
    missing: dict[str, float] = field(default_factory=dict)
    offset: dict[str, float] = field(default_factory=dict)


def table(contract: Contract, rows: int, seed: int, draw: Draw | None = None) -> pd.DataFrame:
    """A seeded table with every column of the contract (no target)."""
    draw, rng = draw or Draw(), np.random.default_rng(seed)
    frame = pd.DataFrame(
        {column.name: _column(column, rows, rng, draw) for column in contract.columns}
    )
    for column in contract.columns:
        if column.nullable:
            gone = rng.random(rows) < draw.missing.get(column.name, 0.1)
            frame[column.name] = frame[column.name].astype(object).where(~gone, None)
    return frame


def _column(column: Column, rows: int, rng: np.random.Generator, draw: Draw) -> Any:
    if column.role == "id":
        return [f"c{index}" for index in range(rows)]
    if column.role == "ignore":
        return ["free text"] * rows
    if column.type == "category":
        categories = [str(category) for category in column.categories]
        return rng.choice(categories, rows, p=draw.shares.get(column.name))
    if column.type == "boolean":
        return rng.random(rows) < draw.true_share.get(column.name, 0.3)
    if column.name == "sex":
        return rng.choice(SEX, rows)
    if column.type == "integer":
        return np.clip(rng.poisson(4, rows) + 1, 1, 12)
    low = column.minimum if column.minimum is not None else -np.inf
    return np.clip(rng.normal(120.0, 30.0, rows) + draw.offset.get(column.name, 0.0), low, 500)


def features(contract: Contract, frame: pd.DataFrame) -> Features:
    """A table's features, through the contract as every entry point reads them."""
    return features_from_table(contract, {str(name): frame[name] for name in frame.columns})


class RuleModel:
    """A transparent model: a regression sums the numbers; a binary classifier's probability
    rises with the first number (around 120); a multiclass one predicts the first category's
    position."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract

    def predict(self, rows: Features) -> Prediction:
        """The prediction of every row (labels in the contract's label type)."""
        numbers = np.nan_to_num(rows.numbers.astype(np.float64))
        classes = self.contract.target.classes
        if self.contract.task == "regression":
            return Prediction(numbers.sum(axis=1))
        if self.contract.task == "binary":
            positive = 1.0 / (1.0 + np.exp(-(numbers[:, 0] - 120.0) / 30.0))
            probabilities = np.column_stack([1.0 - positive, positive])
            return Prediction(
                np.asarray(classes, dtype=object)[(positive >= 0.5).astype(int)], probabilities
            )
        first = next(column for column in self.contract.features if column.type == "category")
        keys = rows.categories[first.name]
        index = np.asarray([first.categories.index(key) for key in keys]) % len(classes)
        probabilities = np.full((len(rows), len(classes)), 0.1)
        probabilities[np.arange(len(rows)), index] = 1.0 - 0.1 * (len(classes) - 1)
        return Prediction(np.asarray(classes)[index], probabilities)


def reference_of(contract: Contract, frame: pd.DataFrame, bins: int = 10) -> dict[str, Any]:
    """The baseline `train` would compute on `frame` with RuleModel."""
    rows = features(contract, frame)
    return compute(contract, rows, RuleModel(contract).predict(rows), bins, 0, "hash")


def write_model_folder(folder: Path, task: str, frame: pd.DataFrame) -> Path:
    """A packaged model folder as drift reads it: baseline.json, contract.yaml, model_card.json."""
    contract = contract_of(task)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONTRACT_FILE).write_text(CONTRACTS[task], encoding="utf-8")
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
