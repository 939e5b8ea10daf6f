"""The model's pipeline, built from the contract: prepare the features, then the task's estimator.

Numbers, integers and booleans pass through, a nullable one through a median imputer (so a
missing value is filled inside the model, identically in scikit-learn, the server, batch and
ONNX); categories are one-hot encoded over the contract's categories, a nullable category with
"" (missing) as a category of its own. An unknown category never reaches the model: the
contract refuses it first. A contract of numbers alone selects columns by position, so its ONNX
graph keeps one float input; otherwise by name, one ONNX input per column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from {{ cookiecutter.package_name }}.contract.inputs import numeric_features
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.contract.values import category_key
from {{ cookiecutter.package_name }}.tasks.base import task_for

PREPARE, MODEL = "prepare", "model"


def build_pipeline(contract: Contract, params: Mapping[str, int], seed: int) -> Pipeline:
    """`prepare` (a ColumnTransformer from the contract) then the task's estimator."""
    estimator = task_for(contract).estimator(params, seed)
    return Pipeline([(PREPARE, preparation(contract)), (MODEL, estimator)])


def preparation(contract: Contract) -> ColumnTransformer:
    """The ColumnTransformer that turns the contract's features into the estimator's numbers."""
    by_position = all(column.type != "category" for column in contract.features)
    selector = _positions(contract) if by_position else _names
    numeric = numeric_features(contract)
    filled = [column.name for column in numeric if column.nullable]
    plain = [column.name for column in numeric if not column.nullable]
    categories = [column for column in contract.features if column.type == "category"]
    parts: list[tuple[str, Any, Any]] = []
    if plain:
        parts.append(("numbers", "passthrough", selector(plain)))
    if filled:
        parts.append(("imputed", SimpleImputer(strategy="median"), selector(filled)))
    if categories:
        levels = [
            [category_key(value) for value in column.categories] + ([""] if column.nullable else [])
            for column in categories
        ]
        encoder = OneHotEncoder(categories=levels, handle_unknown="error", sparse_output=False)
        parts.append(("categories", encoder, [column.name for column in categories]))
    return ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=False)


def _names(names: list[str]) -> list[str]:
    return names


def _positions(contract: Contract) -> Any:
    index = {name: position for position, name in enumerate(contract.feature_names)}
    return lambda names: [index[name] for name in names]
