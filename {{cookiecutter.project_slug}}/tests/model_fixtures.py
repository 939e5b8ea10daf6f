"""Packaged model folders built from the test contracts (contracts.py), whatever the project's
own data set: the diabetes numbers (`numbers`, `numbers-id`), and each task's contract of mixed
columns. Each folder holds what `package` writes: model.skops, model.onnx, contract.yaml and the
sealed model_card.json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import skops.io
from sklearn.datasets import load_diabetes
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.contract.load import CONTRACT_FILE
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.lifecycle.pipeline import fit_pipeline
from {{ cookiecutter.package_name }}.model.folder import ONNX_FILE, ModelCard, write_card
from {{ cookiecutter.package_name }}.model.onnx_convert import convert
from {{ cookiecutter.package_name }}.tasks.base import task_for

from .contracts import CONTRACTS, FEATURES, contract_of, records

PARAMS = {"n_estimators": 20, "max_depth": 5}


def training_data(name: str, rows: int = 300, seed: int = 0) -> tuple[Features, np.ndarray]:
    """Features as the model reads them and a target that depends on them."""
    contract = contract_of(name)
    if name.startswith("numbers"):
        frame = load_diabetes(as_frame=True).frame
        numbers = frame[list(FEATURES)].to_numpy(np.float32)
        return Features(numbers, {}), frame["target"].to_numpy()
    features = record_features(contract, records(contract, rows, seed))
    tenure, monthly, visits, paperless, _ = features.numbers.T
    score = tenure / 72 + (np.nan_to_num(monthly, nan=5.0) - 5) / 5 + paperless * 0.5
    score += np.where(features.categories["plan"] == "pro", 0.6, 0.0) - np.isnan(visits) * 0.3
    score += np.random.default_rng(seed).normal(0, 0.3, rows)
    if name == "regression":
        return features, 20.0 + 30.0 * score
    if name == "binary":
        return features, np.where(score > 0.9, "churn", "stay")
    return features, np.select([score < 0.5, score < 1.3], [1, 2], default=3)


def record_features(contract: Contract, rows: list[dict[str, Any]]) -> Features:
    """Valid records as Features (the server's own reading of them)."""
    from {{ cookiecutter.package_name }}.serving.validation import request_features

    columns = list(rows[0])
    return request_features(contract, columns, [[row[name] for name in columns] for row in rows])


def fitted(name: str, seed: int = 0) -> Pipeline:
    """The project's pipeline for the contract `name`, fitted on its training data."""
    contract = contract_of(name)
    features, target = training_data(name, seed=seed)
    return fit_pipeline(contract, PARAMS, seed, features.frame(contract), target)


def middle_threshold(pipeline: Pipeline, name: str) -> float:
    """A decision threshold that is one of the training rows' positive-class probabilities."""
    contract = contract_of(name)
    features, _ = training_data(name)
    probabilities = task_for(contract).predict(pipeline, features.frame(contract), None)
    assert probabilities.probabilities is not None
    scores = np.unique(probabilities.probabilities[:, 0])
    return float(scores[len(scores) // 2])


def write_model_dir(folder: Path, with_onnx: bool = True, name: str = "numbers") -> Path:
    """Fit a small forest under the contract `name` and package it like `package` does."""
    contract = contract_of(name)
    pipeline = fitted(name)
    folder.mkdir(parents=True, exist_ok=True)
    skops.io.dump(pipeline, folder / "model.skops")
    (folder / CONTRACT_FILE).write_text(CONTRACTS[name], encoding="utf-8")
    if with_onnx:
        (folder / ONNX_FILE).write_bytes(convert(pipeline, contract))
    threshold = middle_threshold(pipeline, name) if name == "binary" else None
    card = ModelCard(
        "test-model",
        "7",
        "onnx" if with_onnx else "skops",
        contract.feature_names,
        task=contract.task,
        classes=contract.target.classes,
        threshold=threshold,
    )
    write_card(folder, card)
    return folder
