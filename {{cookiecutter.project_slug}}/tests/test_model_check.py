"""The loaded model's structure is checked before first use: each known-bad array is caught."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.preprocessing import StandardScaler
from sklearn.tree import ExtraTreeRegressor

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.model.model_check import check_model
from {{ cookiecutter.package_name }}.model.model_io import load_skops

from .contracts import FEATURES
from .crafted_models import (
    FAR,
    Nodes,
    child_loops_back,
    child_past_the_end,
    corrupt_tree,
    feature_past_the_end,
    load,
    nan_threshold,
)
from .model_fixtures import write_model_dir


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A skops file of the project's Pipeline, fitted on the diabetes data; tests load copies."""
    return write_model_dir(tmp_path_factory.mktemp("model"), with_onnx=False) / "model.skops"


def refusal(pipeline: object) -> str:
    """The one-line error check_model raises for `pipeline`."""
    with pytest.raises(LifecycleError) as raised:
        check_model(pipeline, "model.skops")
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("model.skops: refusing a malformed model (")
    return message


def leaf_with_a_right_child(nodes: np.ndarray) -> None:
    leaf = int(np.flatnonzero(nodes["left_child"] == -1)[0])
    nodes["right_child"][leaf] = 1


def negative_feature(nodes: np.ndarray) -> None:
    nodes["feature"][0] = -2


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (child_past_the_end, f"node 0 has left child {FAR}, not a later node below"),
        (child_loops_back, "node 0 has left child 0, not a later node below"),
        (leaf_with_a_right_child, "is a leaf on the left and not on the right"),
        (feature_past_the_end, f"node 0 splits on feature {FAR}, not in 0..9"),
        (negative_feature, "node 0 splits on feature -2, not in 0..9"),
        (nan_threshold, "node 0 has threshold nan, not a finite number"),
    ],
)
def test_a_tree_whose_nodes_point_outside_is_refused(
    model_file: Path, edit: Nodes, problem: str
) -> None:
    message = refusal(corrupt_tree(load(model_file), edit))
    assert "(tree 0 of the forest: node " in message
    assert problem in message


def test_the_project_pipeline_passes_and_loads(model_file: Path) -> None:
    pipeline = load(model_file)
    check_model(pipeline, "model.skops")
    rows = pd.DataFrame(np.zeros((2, len(FEATURES))), columns=list(FEATURES))
    assert list(load_skops(model_file).predict(rows)) == list(pipeline.predict(rows))


def test_a_node_count_past_the_node_array_is_refused(model_file: Path) -> None:
    pipeline = load(model_file)
    tree = pipeline[-1].estimators_[3].tree_
    state = tree.__getstate__()
    capacity = len(state["nodes"])
    tree.__setstate__({**state, "node_count": capacity + 1000})
    message = refusal(pipeline)
    assert f"tree 3 of the forest: node_count {capacity + 1000} is outside 1..{capacity}" in message


def test_a_tree_that_counts_more_features_than_the_input_is_refused(model_file: Path) -> None:
    pipeline = load(model_file)
    pipeline[-1].estimators_[0].tree_.n_features = 50
    assert "n_features 50 is not 10" in refusal(pipeline)


def test_non_finite_leaf_values_are_refused(model_file: Path) -> None:
    pipeline = load(model_file)
    tree = pipeline[-1].estimators_[0].tree_
    state = tree.__getstate__()
    values = state["values"].copy()
    values[-1] = np.inf
    tree.__setstate__({**state, "values": values})
    assert "value holds NaN or infinity" in refusal(pipeline)


def test_imputer_statistics_that_do_not_fit_the_columns_are_refused(tmp_path: Path) -> None:
    path = write_model_dir(tmp_path, with_onnx=False, name="binary") / "model.skops"
    short = load(path)
    imputer = short[0].named_transformers_["imputed"]  # the nullable number, integer, boolean
    imputer.statistics_ = np.append(imputer.statistics_, 1.0)
    assert "statistics_ do not hold 3 values" in refusal(short)
    missing = load(path)
    missing[0].named_transformers_["imputed"].statistics_[0] = np.nan
    assert "statistics_ hold NaN or infinity" in refusal(missing)


def test_a_step_of_an_unchecked_type_is_refused(model_file: Path) -> None:
    pipeline = load(model_file)
    pipeline.steps.insert(1, ("scale", StandardScaler().fit(np.zeros((2, 10)))))
    message = refusal(pipeline)
    assert "step 'scale' is a StandardScaler, expected ColumnTransformer, SimpleImputer" in message
    assert "model/model_check.py" in message


def test_a_forest_holding_another_tree_type_is_refused(model_file: Path) -> None:
    pipeline = load(model_file)
    pipeline[-1].estimators_[2] = ExtraTreeRegressor().fit(np.zeros((2, 10)), [0.0, 1.0])
    assert "tree 2 of the forest: a ExtraTreeRegressor" in refusal(pipeline)


def test_steps_that_disagree_on_the_number_of_columns_are_refused(model_file: Path) -> None:
    pipeline = load(model_file)
    pipeline[-1].n_features_in_ = 9
    assert "step 'model' takes 9 columns, it is given 10" in refusal(pipeline)


def test_a_forest_asking_for_more_threads_than_cpus_is_refused(model_file: Path) -> None:
    pipeline = load(model_file)
    pipeline[-1].n_jobs = 1_000_000
    assert "n_jobs=1000000" in refusal(pipeline)


def test_a_crafted_file_is_refused_when_loaded(model_file: Path, tmp_path: Path) -> None:
    skops.io.dump(corrupt_tree(load(model_file), feature_past_the_end), tmp_path / "m.skops")
    with pytest.raises(LifecycleError, match=r"m\.skops: refusing a malformed model"):
        load_skops(tmp_path / "m.skops")


def test_a_file_that_is_not_a_skops_archive_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "model.skops").write_bytes(b"not a zip archive")
    with pytest.raises(LifecycleError, match=r"model\.skops: not a readable skops model \("):
        load_skops(tmp_path / "model.skops")
