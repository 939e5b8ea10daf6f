"""`train` parameters and the model pipeline."""

from __future__ import annotations

import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle.training import build_pipeline, parse_params

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


def test_pipeline_ends_in_a_tree_ensemble_with_the_given_params() -> None:
    pipeline = build_pipeline({"n_estimators": 7, "max_depth": 3}, seed=1)
    assert isinstance(pipeline, Pipeline)
    forest = pipeline[-1]
    assert isinstance(forest, RandomForestRegressor)
    assert (forest.n_estimators, forest.max_depth, forest.random_state) == (7, 3, 1)
