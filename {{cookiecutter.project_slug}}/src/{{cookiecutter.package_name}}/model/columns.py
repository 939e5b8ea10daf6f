"""What drift profiles for each column of a contract, and each column's values as profiled.

Numbers and integers are numeric (float64, NaN where a nullable value is missing). Categories and
booleans are categorical: their text keys in contract order ("false" and "true" for a boolean),
and "" last for a missing value when the column is nullable. The model's outputs: a regression's
`prediction` (numeric); a classifier's predicted labels as `prediction` (categorical, in class
order) and, for a binary one, the positive class's `probability` (numeric).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from {{ cookiecutter.package_name }}.contract.inputs import (
    Features,
    numeric_positions,
)
from {{ cookiecutter.package_name }}.contract.schema import Column, Contract
from {{ cookiecutter.package_name }}.contract.values import category_key
from {{ cookiecutter.package_name }}.tasks.base import Prediction

NUMERIC, CATEGORICAL = "numeric", "categorical"
PREDICTION, PROBABILITY = "prediction", "probability"
MISSING = ""
BOOLEAN_KEYS = ("false", "true")


@dataclass(frozen=True)
class Layout:
    """How one column is profiled: numeric, or categorical with its categories in order."""

    kind: str
    categories: tuple[str, ...] = ()


def feature_layouts(contract: Contract) -> dict[str, Layout]:
    """Every feature's layout, in contract order."""
    return {column.name: _layout(column) for column in contract.features}


def _layout(column: Column) -> Layout:
    if column.is_numeric:
        return Layout(NUMERIC)
    keys = BOOLEAN_KEYS if column.type == "boolean" else class_keys(column.categories)
    return Layout(CATEGORICAL, keys + ((MISSING,) if column.nullable else ()))


def output_layouts(contract: Contract) -> dict[str, Layout]:
    """The model's outputs and their layouts: the prediction (and a binary task's probability)."""
    if not contract.is_classification:
        return {PREDICTION: Layout(NUMERIC)}
    labels = {PREDICTION: Layout(CATEGORICAL, class_keys(contract.target.classes))}
    return {**labels, PROBABILITY: Layout(NUMERIC)} if contract.task == "binary" else labels


def class_keys(labels: Sequence[object]) -> tuple[str, ...]:
    """Categories or classes as the text keys the profiles hold."""
    return tuple(str(label) for label in labels)


def feature_values(contract: Contract, features: Features) -> dict[str, np.ndarray]:
    """Each feature as profiled: numbers as float64, categories and booleans as text keys."""
    positions = numeric_positions(contract)
    values: dict[str, np.ndarray] = {}
    for column in contract.features:
        if column.type == "category":
            values[column.name] = np.asarray(features.categories[column.name], dtype=object)
            continue
        numbers = features.numbers[:, positions[column.name]].astype(np.float64)
        values[column.name] = boolean_keys(numbers) if column.type == "boolean" else numbers
    return values


def boolean_keys(numbers: np.ndarray) -> np.ndarray:
    """0/1 (NaN where missing) as "false"/"true" ("" where missing)."""
    keys = np.where(numbers == 1.0, BOOLEAN_KEYS[1], BOOLEAN_KEYS[0]).astype(object)
    keys[np.isnan(numbers)] = MISSING
    return keys


def output_values(contract: Contract, prediction: Prediction) -> dict[str, np.ndarray]:
    """The model's outputs as profiled: values, or label keys (and the positive probability)."""
    if not contract.is_classification:
        return {PREDICTION: np.asarray(prediction.values, dtype=np.float64)}
    outputs = {PREDICTION: label_keys(prediction.values)}
    if contract.task == "binary":
        if prediction.probabilities is None:
            raise ValueError("a binary classifier's prediction needs its class probabilities")
        positive = contract.target.classes.index(contract.target.positive)
        outputs[PROBABILITY] = np.asarray(prediction.probabilities[:, positive], dtype=np.float64)
    return outputs


def label_keys(labels: Sequence[object] | np.ndarray) -> np.ndarray:
    """Labels as text keys (1, 1.0 and "1" agree); None for a value that is no label."""
    return np.asarray([category_key(label) for label in labels], dtype=object)
