"""`train` parameters and the model pipeline built from the contract, for every task."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from {{ cookiecutter.package_name }}.contract.inputs import model_columns
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle.pipeline import build_pipeline, fit_pipeline
from {{ cookiecutter.package_name }}.lifecycle.training import parse_params

from .contracts import TASKS, contract_of, table
from .monitoring_fixtures import features

DEFAULTS = {"n_estimators": 200, "max_depth": 6}


def test_overrides_replace_defaults() -> None:
    assert parse_params(["n_estimators=1", "max_depth=2"], DEFAULTS) == {
        "n_estimators": 1,
        "max_depth": 2,
    }


def test_no_overrides_keep_defaults() -> None:
    assert parse_params([], DEFAULTS) == DEFAULTS


@pytest.mark.parametrize(
    ("pair", "message"),
    [
        (
            "learning_rate=0.1",
            "unknown parameter 'learning_rate'; accepted: max_depth, n_estimators",
        ),
        ("max_depth", "is not name=value"),
        ("max_depth=0", "must be a whole number >= 1"),
        ("n_estimators=ten", "must be a whole number >= 1"),
        ("=3", "is not name=value"),
    ],
)
def test_bad_params_are_rejected_with_the_reason(pair: str, message: str) -> None:
    with pytest.raises(LifecycleError, match=message):
        parse_params([pair], DEFAULTS)


def training_data(task: str, rows: int = 80):
    """A contract of `task`, its features as the model reads them, and a target."""
    contract = contract_of(task)
    frame = features(contract, table(contract, rows, seed=3)).frame(contract)
    rng = np.random.default_rng(0)
    classes = contract.target.classes
    target = (
        rng.normal(size=rows)
        if not classes
        else np.asarray(classes)[np.arange(rows) % len(classes)]
    )
    return contract, frame, target


@pytest.mark.parametrize("task", TASKS)
def test_the_pipeline_prepares_the_contracts_columns_then_the_tasks_forest(task: str) -> None:
    contract, frame, target = training_data(task)
    pipeline = build_pipeline(contract, {"n_estimators": 7, "max_depth": 3}, seed=1)
    assert isinstance(pipeline, Pipeline)
    forest = pipeline.fit(frame, target)[-1]
    kind = RandomForestRegressor if task == "regression" else RandomForestClassifier
    assert isinstance(forest, kind)
    assert (forest.n_estimators, forest.max_depth, forest.random_state) == (7, 3, 1)
    prepare = pipeline[0]
    assert isinstance(prepare, ColumnTransformer)
    names = model_columns(contract)  # what the positions index: numbers, then categories
    assert list(frame.columns) == names
    parts = {
        name: (step, [names[position] for position in columns])
        for name, step, columns in prepare.transformers_
    }
    nullable_numbers = [c.name for c in contract.features if c.nullable and c.type != "category"]
    if nullable_numbers:
        assert isinstance(parts["imputed"][0], SimpleImputer)
        assert parts["imputed"][1] == nullable_numbers
    else:
        assert "imputed" not in parts
    categories = [c for c in contract.features if c.type == "category"]
    if categories:
        encoder = parts["categories"][0]
        assert isinstance(encoder, OneHotEncoder)
        expected = [
            [str(v) for v in c.categories] + ([""] if c.nullable else []) for c in categories
        ]
        assert [list(levels) for levels in encoder.categories_] == expected
        assert parts["categories"][1] == [c.name for c in categories]
    else:
        assert "categories" not in parts
    assert all(  # by position, so ONNX reads the numbers as one float matrix
        isinstance(column, int) for _, _, columns in prepare.transformers_ for column in columns
    )


@pytest.mark.parametrize("task", TASKS)
def test_fitting_on_the_columns_in_any_order_reads_each_by_its_name(task: str) -> None:
    contract, frame, target = training_data(task)
    params = {"n_estimators": 5, "max_depth": 3}
    shuffled = frame[list(reversed(frame.columns))]
    assert list(shuffled.columns) != model_columns(contract)
    fitted = fit_pipeline(contract, params, 2, shuffled, target)
    expected = fit_pipeline(contract, params, 2, frame, target)
    answer = "predict" if task == "regression" else "predict_proba"  # values or probabilities
    np.testing.assert_array_equal(getattr(fitted, answer)(frame), getattr(expected, answer)(frame))


def test_id_and_ignored_columns_never_reach_the_model() -> None:
    contract, frame, target = training_data("binary")
    assert set(frame.columns) == set(contract.feature_names)
    assert {"customer_id", "note"}.isdisjoint(contract.feature_names)
    pipeline = build_pipeline(contract, {"n_estimators": 3, "max_depth": 2}, seed=0)
    assert list(pipeline.fit(frame, target)[0].feature_names_in_) == model_columns(contract)
