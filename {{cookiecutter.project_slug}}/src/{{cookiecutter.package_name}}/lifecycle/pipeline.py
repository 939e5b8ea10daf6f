"""The model's pipeline, built from the contract: prepare the features, then the task's estimator.

Numbers, integers and booleans pass through, a nullable one through a median imputer (so a
missing value is filled inside the model, identically in scikit-learn, the server, batch and
ONNX); categories are one-hot encoded over the contract's categories, a nullable category with
"" (missing) as a category of its own. An unknown category never reaches the model: the
contract refuses it first. The pipeline reads its columns by position in `model_columns` order
(the numeric features, then the categories), so its ONNX graph takes the numeric features as
one float matrix, the way the server holds them, and one text input per category.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from {{ cookiecutter.package_name }}.contract.inputs import (
    category_features,
    model_columns,
    numeric_features,
)
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.contract.values import category_key
from {{ cookiecutter.package_name }}.tasks.base import task_for

PREPARE, MODEL = "prepare", "model"


def build_pipeline(contract: Contract, params: Mapping[str, int], seed: int) -> Pipeline:
    """`prepare` (a ColumnTransformer from the contract) then the task's estimator."""
    estimator = task_for(contract).estimator(params, seed)
    return Pipeline([(PREPARE, preparation(contract)), (MODEL, estimator)])


def fit_pipeline(
    contract: Contract,
    params: Mapping[str, int],
    seed: int,
    features: pd.DataFrame,
    target: Any,
) -> Pipeline:
    """The pipeline fitted on the features (any column order) put in `model_columns` order."""
    return build_pipeline(contract, params, seed).fit(features[model_columns(contract)], target)


def preparation(contract: Contract) -> ColumnTransformer:
    """The ColumnTransformer that turns the contract's features into the estimator's numbers."""
    position = {name: index for index, name in enumerate(model_columns(contract))}
    numeric = numeric_features(contract)
    filled = [position[column.name] for column in numeric if column.nullable]
    plain = [position[column.name] for column in numeric if not column.nullable]
    categories = category_features(contract)
    parts: list[tuple[str, Any, list[int]]] = []
    if plain:
        parts.append(("numbers", "passthrough", plain))
    if filled:
        parts.append(("imputed", SimpleImputer(strategy="median"), filled))
    if categories:
        levels = [
            [category_key(value) for value in column.categories] + ([""] if column.nullable else [])
            for column in categories
        ]
        encoder = OneHotEncoder(categories=levels, handle_unknown="error", sparse_output=False)
        parts.append(("categories", encoder, [position[column.name] for column in categories]))
    return ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=False)
