"""Packaged model folders built from test contracts, whatever the project's own data set.

A regression of ten numbers (today's diabetes features; `regression-id` adds an id column for
batch scoring), and a binary and a multiclass contract
with an id, an integer, a nullable number, categories (one nullable), a boolean and an ignored
column; the multiclass classes are whole numbers listed out of sorted order. Each folder holds
what `package` writes: model.skops, model.onnx, contract.yaml and the sealed model_card.json.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import skops.io
from sklearn.datasets import load_diabetes
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.contract.inputs import Features, numeric_features
from {{ cookiecutter.package_name }}.contract.load import CONTRACT_FILE, parse_contract
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.lifecycle.pipeline import fit_pipeline
from {{ cookiecutter.package_name }}.model.folder import ONNX_FILE, ModelCard, write_card
from {{ cookiecutter.package_name }}.model.onnx_convert import convert
from {{ cookiecutter.package_name }}.tasks.base import task_for

FEATURES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")
REGRESSION = "task: regression\ntarget: {column: progression}\ncolumns:\n" + "".join(
    "  " + name + ": {type: number}\n" for name in FEATURES
)
MIXED_COLUMNS = """columns:
  customer_id: {type: category, role: id}
  tenure: {type: integer, min: 0, max: 72}
  monthly: {type: number, nullable: true}
  plan: {type: category, categories: [basic, plus, pro]}
  region: {type: category, nullable: true, categories: [north, south]}
  paperless: {type: boolean}
  note: {type: category, role: ignore}
"""
BINARY = "task: binary\ntarget: {column: churn, classes: [churn, stay], positive: churn}\n"
MULTICLASS = "task: multiclass\ntarget: {column: tier, classes: [3, 1, 2]}\n"
CONTRACTS = {
    "regression": REGRESSION,
    "regression-id": REGRESSION + "  id: {type: category, role: id}\n",
    "binary": BINARY + MIXED_COLUMNS,
    "multiclass": MULTICLASS + MIXED_COLUMNS,
}
PARAMS = {"n_estimators": 20, "max_depth": 5}
# One valid record of the mixed contracts, as a client sends it (id and ignored column too).
RECORD = {
    "customer_id": "C-007",
    "tenure": 12,
    "monthly": 70.5,
    "plan": "plus",
    "region": None,
    "paperless": True,
    "note": "called twice",
}


def contract_of(task: str) -> Contract:
    """The test contract of `task`."""
    return parse_contract(CONTRACTS[task], f"{task} test contract")


def mixed_records(rows: int, seed: int) -> list[dict[str, Any]]:
    """Seeded valid records of the mixed contracts, with missing values where allowed."""
    rng = np.random.default_rng(seed)
    return [
        {
            "customer_id": f"C-{seed:02d}-{row:04d}",
            "tenure": int(rng.integers(0, 73)),
            "monthly": None if rng.random() < 0.1 else round(float(rng.normal(70, 20)), 2),
            "plan": str(rng.choice(["basic", "plus", "pro"])),
            "region": str(rng.choice(["north", "south", ""])) or None,
            "paperless": bool(rng.random() < 0.5),
            "note": f"note {row}",
        }
        for row in range(rows)
    ]


def training_data(task: str, rows: int = 300, seed: int = 0) -> tuple[Features, np.ndarray]:
    """Features as the model reads them and a target that depends on them."""
    contract = contract_of(task)
    if task.startswith("regression"):
        frame = load_diabetes(as_frame=True).frame
        numbers = frame[list(FEATURES)].to_numpy(np.float32)
        return Features(numbers, {}), frame["target"].to_numpy()
    records = mixed_records(rows, seed)
    features = record_features(contract, records)
    monthly = np.nan_to_num(features.numbers[:, 1], nan=70.0)
    score = features.numbers[:, 0] / 72 + (monthly - 70) / 40 + features.numbers[:, 2] * 0.5
    score += np.where(features.categories["plan"] == "pro", 0.6, 0.0)
    score += np.random.default_rng(seed).normal(0, 0.4, rows)
    if task == "binary":
        return features, np.where(score > 0.9, "churn", "stay")
    return features, np.select([score < 0.5, score < 1.1], [1, 2], default=3)


def record_features(contract: Contract, records: list[dict[str, Any]]) -> Features:
    """Valid records as Features (the server's own reading of them)."""
    from {{ cookiecutter.package_name }}.serving.validation import request_features

    columns = list(records[0])
    return request_features(contract, columns, [[row[name] for name in columns] for row in records])


def fitted(task: str, seed: int = 0) -> Pipeline:
    """The project's pipeline for the task's contract, fitted on its training data."""
    contract = contract_of(task)
    features, target = training_data(task, seed=seed)
    return fit_pipeline(contract, PARAMS, seed, features.frame(contract), target)


def middle_threshold(pipeline: Pipeline, task: str) -> float:
    """A decision threshold that is one of the training rows' positive-class probabilities."""
    contract = contract_of(task)
    features, _ = training_data(task)
    probabilities = task_for(contract).predict(pipeline, features.frame(contract), None)
    assert probabilities.probabilities is not None
    scores = np.unique(probabilities.probabilities[:, 0])
    return float(scores[len(scores) // 2])


def write_model_dir(folder: Path, with_onnx: bool = True, task: str = "regression") -> Path:
    """Fit a small forest under the task's contract and package it like `package` does."""
    contract = contract_of(task)
    pipeline = fitted(task)
    folder.mkdir(parents=True, exist_ok=True)
    skops.io.dump(pipeline, folder / "model.skops")
    (folder / CONTRACT_FILE).write_text(CONTRACTS[task], encoding="utf-8")
    if with_onnx:
        (folder / ONNX_FILE).write_bytes(convert(pipeline, contract))
    threshold = middle_threshold(pipeline, task) if task == "binary" else None
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


def numeric_names(contract: Contract) -> list[str]:
    """The columns of the numeric matrix, in order."""
    return [column.name for column in numeric_features(contract)]


def table_of(records: list[dict[str, Any]]) -> pd.DataFrame:
    """Records as a frame (as a Parquet or CSV writer would take them)."""
    return pd.DataFrame.from_records(records)
