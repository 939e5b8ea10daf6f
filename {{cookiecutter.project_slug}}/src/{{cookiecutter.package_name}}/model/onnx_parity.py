"""The ONNX graph against scikit-learn on the same rows, the graph run as the server runs it.

Regression: the largest and mean |difference| of predictions. Classification: of the class
probabilities, and the labels: a row whose labels differ only because it lies within float32
rounding of a decision (its positive-class probability at the binary threshold, or its two
most likely classes tied) is counted apart; any other differing label fails parity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.contract.inputs import Features, numeric_features
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.model.folder import ModelCard
from {{ cookiecutter.package_name }}.model.onnx_convert import tolerance_of
from {{ cookiecutter.package_name }}.model.onnx_model import OnnxModel
from {{ cookiecutter.package_name }}.tasks.base import task_for
from {{ cookiecutter.package_name }}.tasks.threshold import DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Parity:
    """How the graph's outputs compare with scikit-learn's on the same rows."""

    max_abs_diff: float  # of predictions (regression) or class probabilities
    mean_abs_diff: float
    rows: int
    near_decision: int = 0  # labels that differ within float32 rounding of a decision
    mismatched: int = 0  # labels that differ anywhere else


def split_features(contract: Contract, frame: pd.DataFrame) -> Features:
    """A prepared split's features (numbers, 0/1 booleans, category text) as Features."""
    numeric = [column.name for column in numeric_features(contract)]
    categories = {
        column.name: frame[column.name].to_numpy(dtype=object)
        for column in contract.features
        if column.type == "category"
    }
    return Features(frame[numeric].to_numpy(np.float32), categories)


def parity(
    pipeline: Pipeline,
    onnx_bytes: bytes,
    contract: Contract,
    frame: pd.DataFrame,
    threshold: float | None,
) -> Parity:
    """Serve the graph on the split's rows and compare with the Pipeline at the threshold."""
    features = split_features(contract, frame)
    card = ModelCard(
        "parity",
        "0",
        "onnx",
        contract.feature_names,
        task=contract.task,
        classes=contract.target.classes,
        threshold=threshold,
    )
    ours = OnnxModel(onnx_bytes, contract, card).predict(features)
    theirs = task_for(contract).predict(pipeline, features.frame(contract), threshold)
    if ours.probabilities is None or theirs.probabilities is None:
        diff = np.abs(ours.values - theirs.values)
        return Parity(float(diff.max()), float(diff.mean()), len(diff))
    diff = np.abs(ours.probabilities - theirs.probabilities)
    differ = ours.values != theirs.values
    margin = decision_margin(contract, theirs.probabilities, threshold)
    near = int((differ & (margin <= 2 * tolerance_of(pipeline.steps[-1][1]))).sum())
    mismatched = int(differ.sum()) - near
    return Parity(float(diff.max()), float(diff.mean()), len(diff), near, mismatched)


def decision_margin(
    contract: Contract, probabilities: np.ndarray, threshold: float | None
) -> np.ndarray:
    """Each row's distance from a decision: |positive - threshold|, or top minus runner-up."""
    positive = contract.target.positive
    if positive is not None:
        column = contract.target.classes.index(positive)
        at = DEFAULT_THRESHOLD if threshold is None else threshold
        return np.abs(probabilities[:, column] - at)
    ranked = np.sort(probabilities, axis=1)
    return ranked[:, -1] - ranked[:, -2]
