"""The ONNX graph of each task's contract, as served, against scikit-learn (no MLflow needed)."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from {{ cookiecutter.package_name }}.contract.load import parse_contract
from {{ cookiecutter.package_name }}.lifecycle.pipeline import fit_pipeline
from {{ cookiecutter.package_name }}.model.folder import ModelCard
from {{ cookiecutter.package_name }}.model.onnx_convert import convert
from {{ cookiecutter.package_name }}.model.onnx_model import OnnxModel
from {{ cookiecutter.package_name }}.model.onnx_parity import parity, split_features
from {{ cookiecutter.package_name }}.tasks.base import task_for

from .contracts import CONTRACTS, TASKS, contract_of, records
from .model_fixtures import PARAMS, fitted, record_features, training_data

CONTRACT_NAMES = ("numbers", *TASKS)  # the diabetes numbers, then the mixed contracts


def unseen_frame(name: str, rows: int = 400):
    """Unseen rows as a prepared split holds them (missing values included)."""
    contract = contract_of(name)
    if name == "numbers":
        return training_data(name)[0].frame(contract)
    return record_features(contract, records(contract, rows, seed=9)).frame(contract)


def card_of(name: str, threshold: float | None = None) -> ModelCard:
    contract = contract_of(name)
    return ModelCard(
        "m", "1", "onnx", contract.feature_names, task=contract.task,
        classes=contract.target.classes, threshold=threshold,
    )  # fmt: skip


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_the_graph_predicts_and_gives_class_probabilities_as_scikit_learn_does(name: str) -> None:
    contract, pipeline = contract_of(name), fitted(name)
    check = parity(pipeline, convert(pipeline, contract), contract, unseen_frame(name), None)
    assert check.rows == len(unseen_frame(name))
    assert check.max_abs_diff < (1e-5 if contract.is_classification else 1e-3)
    assert check.mismatched == 0


@pytest.mark.parametrize("name", CONTRACT_NAMES)
def test_the_graph_takes_the_numeric_features_as_one_matrix_and_each_category_as_text(
    name: str,
) -> None:
    contract, pipeline = contract_of(name), fitted(name)
    graph = onnx.load_from_string(convert(pipeline, contract))
    inputs = [
        (node.name, node.type.tensor_type.elem_type, node.type.tensor_type.shape.dim[1].dim_value)
        for node in graph.graph.input
    ]
    string, number = onnx.TensorProto.STRING, onnx.TensorProto.FLOAT
    if name == "numbers":  # numbers only: the one float matrix
        assert inputs == [("features", number, len(contract.features))]
    else:  # tenure, monthly, visits, paperless and autopay in one matrix, then the categories
        assert inputs == [("features", number, 5), ("plan", string, 1), ("region", string, 1)]
        assert "ZipMap" not in {node.op_type for node in graph.graph.node}


def test_a_category_named_features_leaves_the_numeric_matrix_another_input_name() -> None:
    contract = parse_contract(CONTRACTS["binary"].replace("plan:", "features:"), "renamed")
    features = record_features(contract, records(contract, 200, seed=3))
    target = np.where(features.categories["features"] == "pro", "churn", "stay")
    pipeline = fit_pipeline(contract, PARAMS, 0, features.frame(contract), target)
    graph = convert(pipeline, contract)
    names = [node.name for node in onnx.load_from_string(graph).graph.input]
    assert names == ["_features", "features", "region"]
    check = parity(pipeline, graph, contract, features.frame(contract), None)
    assert check.max_abs_diff < 1e-5
    assert check.mismatched == 0


def test_a_graph_that_is_not_the_models_fails_parity() -> None:
    contract = contract_of("binary")
    other = convert(fitted("binary", seed=5), contract)
    check = parity(fitted("binary"), other, contract, unseen_frame("binary"), 0.5)
    assert check.max_abs_diff > 0.05
    assert check.mismatched > 0


def test_rows_exactly_on_the_binary_threshold_get_scikit_learns_label_from_the_graph() -> None:
    contract, pipeline = contract_of("binary"), fitted("binary")
    frame = unseen_frame("binary", rows=1500)
    features = split_features(contract, frame)
    task = task_for(contract)
    scores = task.predict(pipeline, frame, None).probabilities
    assert scores is not None
    onnx_bytes = convert(pipeline, contract)
    on_threshold = 0
    for threshold in np.unique(scores[:, 0])[::7]:  # thresholds are training probabilities
        rows = scores[:, 0] == threshold
        ours = OnnxModel(onnx_bytes, contract, card_of("binary", float(threshold)))
        served = ours.predict(features).values
        expected = task.predict(pipeline, frame, float(threshold)).values
        assert (served[rows] == expected[rows]).all(), threshold
        assert (served[rows] == "churn").all()
        on_threshold += int(rows.sum())
    assert on_threshold > 100  # the comparison really met rows on their threshold


def test_multiclass_ties_go_to_the_class_scikit_learn_picks() -> None:
    contract = contract_of("multiclass")
    features, target = training_data("multiclass")
    small = {"n_estimators": 2, "max_depth": 50}  # two pure-leaved trees: many exact ties
    pipeline = fit_pipeline(contract, small, 0, features.frame(contract), target)
    frame = unseen_frame("multiclass", rows=1500)
    sklearn = task_for(contract).predict(pipeline, frame, None)
    assert sklearn.probabilities is not None
    ranked = np.sort(sklearn.probabilities, axis=1)
    tied = ranked[:, -1] == ranked[:, -2]
    served = OnnxModel(convert(pipeline, contract), contract, card_of("multiclass"))
    labels = served.predict(split_features(contract, frame)).values
    assert tied.sum() > 10
    assert (labels == sklearn.values).all()
