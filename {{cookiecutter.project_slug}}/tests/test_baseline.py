"""The training baseline of any contract: its profiles, and the checks on reading it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.model.baseline import (
    BASELINE_FILE,
    MAX_SAMPLE,
    profile,
    read,
)
from {{ cookiecutter.package_name }}.model.columns import (
    feature_values,
    output_values,
)
from {{ cookiecutter.package_name }}.monitoring.config import DriftSettings
from {{ cookiecutter.package_name }}.monitoring.drift import compare

from .contracts import TASKS, Draw, contract_of, table
from .monitoring_fixtures import RuleModel, features, reference_of

RULE = DriftSettings(psi_threshold=0.2, p_value=0.01, bins=10)
SEX = (-0.044641636506989144, 0.05068011873981862)  # the diabetes set's sex: not float32 numbers


def test_profile_of_one_to_ten_has_the_hand_computed_statistics() -> None:
    column = profile(np.arange(1.0, 11.0), bins=5, seed=0)
    assert {key: column[key] for key in ("kind", "count", "missing", "mean", "min", "max")} == {
        "kind": "numeric", "count": 10, "missing": 0, "mean": 5.5, "min": 1.0, "max": 10.0,
    }  # fmt: skip
    assert column["std"] == pytest.approx(3.0276503540974917)  # sample standard deviation
    assert column["quantiles"]["0.5"] == 5.5
    assert set(column["quantiles"]) == {"0.01", "0.05", "0.25", "0.5", "0.75", "0.95", "0.99"}
    assert column["histogram"]["edges"] == pytest.approx([2.8, 4.6, 6.4, 8.2])
    assert column["histogram"]["counts"] == [2, 2, 2, 2, 2]
    assert column["sample"] == [float(value) for value in range(1, 11)]


def test_missing_values_are_counted_apart_from_the_statistics() -> None:
    column = profile(np.array([1.0, np.nan, 3.0, np.nan]), bins=2, seed=0)
    assert (column["count"], column["missing"], column["mean"]) == (2, 2, 2.0)
    assert column["sample"] == [1.0, 3.0]


def test_a_long_column_keeps_a_seeded_sample_of_max_sample_values() -> None:
    values = np.arange(MAX_SAMPLE + 2000, dtype=np.float64)
    first = profile(values, bins=10, seed=7)["sample"]
    assert len(first) == MAX_SAMPLE
    assert len(set(first)) == MAX_SAMPLE  # drawn without replacement
    assert first == profile(values, bins=10, seed=7)["sample"]
    assert first != profile(values, bins=10, seed=8)["sample"]


def test_a_binary_baseline_profiles_categories_booleans_and_missing_values_by_hand() -> None:
    contract = contract_of("binary")
    frame = table(contract, 400, seed=1)
    computed = reference_of(contract, frame)
    assert (computed["format"], computed["task"], computed["rows"]) == (2, "binary", 400)
    profiles = computed["features"]
    assert list(profiles) == [
        "tenure", "monthly", "visits", "plan", "region", "paperless", "autopay",
    ]  # fmt: skip
    assert profiles["plan"]["categories"] == ["basic", "plus", "pro"]
    plan = [int((frame["plan"] == name).sum()) for name in ("basic", "plus", "pro")]
    assert profiles["plan"]["counts"] == plan
    assert profiles["paperless"]["categories"] == ["false", "true"]
    paperless = int(frame["paperless"].sum())
    assert profiles["paperless"]["counts"] == [400 - paperless, paperless]
    assert profiles["autopay"]["categories"] == ["false", "true", ""]  # nullable: "" is missing
    autopay = [int((frame["autopay"] == value).sum()) for value in (False, True)]
    assert profiles["autopay"]["counts"] == [*autopay, int(frame["autopay"].isna().sum())]
    assert profiles["region"]["categories"] == ["north", "south", ""]
    assert profiles["region"]["counts"][2] == int(frame["region"].isna().sum()) > 0
    assert profiles["visits"]["kind"] == "numeric"
    assert profiles["visits"]["missing"] == int(frame["visits"].isna().sum()) > 0


def test_a_binary_baseline_profiles_the_predicted_labels_and_the_positive_probability() -> None:
    contract = contract_of("binary")
    frame = table(contract, 400, seed=1)
    prediction = RuleModel(contract).predict(features(contract, frame))
    outputs = reference_of(contract, frame)["outputs"]
    assert list(outputs) == ["prediction", "probability"]
    labels = outputs["prediction"]
    assert (labels["kind"], labels["categories"]) == ("categorical", ["churn", "stay"])
    positives = int((prediction.values == "churn").sum())
    assert 0 < positives < 400
    assert labels["counts"] == [positives, 400 - positives]
    assert prediction.probabilities is not None  # churn, the positive class, comes first
    assert outputs["probability"]["mean"] == pytest.approx(prediction.probabilities[:, 0].mean())


def test_a_multiclass_baseline_profiles_integer_labels_in_class_order() -> None:
    contract = contract_of("multiclass")
    outputs = reference_of(contract, table(contract, 300, seed=2))["outputs"]
    assert list(outputs) == ["prediction"]
    assert outputs["prediction"]["categories"] == ["3", "1", "2"]  # as listed, not sorted
    assert sum(outputs["prediction"]["counts"]) == 300


def test_a_regression_baseline_profiles_each_feature_by_its_kind_and_the_predictions() -> None:
    contract = contract_of("regression")
    computed = reference_of(contract, table(contract, 300, seed=3))
    assert list(computed["features"]) == list(contract.feature_names)
    assert list(computed["outputs"]) == ["prediction"]
    for column in contract.features:
        stats = computed["features"][column.name]
        if column.is_numeric:  # numbers and integers: a histogram of the present values
            assert stats["kind"] == "numeric"
            assert sum(stats["histogram"]["counts"]) == stats["count"] == 300 - stats["missing"]
        else:  # categories and booleans: a count per category
            assert (stats["kind"], sum(stats["counts"])) == ("categorical", 300)
    prediction = computed["outputs"]["prediction"]
    assert prediction["kind"] == "numeric"
    assert sum(prediction["histogram"]["counts"]) == prediction["count"] == 300


@pytest.mark.parametrize("task", TASKS)
def test_the_training_data_compared_with_its_own_baseline_is_identical(task: str) -> None:
    # The baseline is taken through the contract, as the model sees the data: a two-valued
    # number that is not a float32 (the diabetes set's `sex`) lands in exactly the training bins.
    contract = contract_of(task)
    frame = table(contract, 300, seed=4)
    frame["monthly"] = np.random.default_rng(4).choice(SEX, 300)
    computed, rows = reference_of(contract, frame), features(contract, frame)
    assert all(float(np.float32(value)) != value for value in SEX)
    current = {
        "features": feature_values(contract, rows),
        "outputs": output_values(contract, RuleModel(contract).predict(rows)),
    }
    for section, columns in current.items():
        for name, values in columns.items():
            column = compare(name, computed[section][name], values, RULE)
            assert (column.psi, column.p_value) == pytest.approx((0.0, 1.0)), name


@pytest.mark.parametrize("task", TASKS)
def test_a_baseline_survives_a_json_round_trip(task: str, tmp_path: Path) -> None:
    contract = contract_of(task)
    computed = reference_of(contract, table(contract, 200, seed=5))
    path = tmp_path / BASELINE_FILE
    path.write_text(json.dumps(computed), encoding="utf-8")
    assert read(path, contract) == computed


def test_a_nullable_column_without_any_value_in_training_is_refused_naming_it() -> None:
    contract = contract_of("binary")
    frame = table(contract, 100, 6, Draw(missing={"visits": 1.0}))
    with pytest.raises(LifecycleError, match=r"column 'visits' has no value in the training data"):
        reference_of(contract, frame)


Edit = Callable[[dict[str, Any]], object]
FEATURES = "tenure, monthly, visits, plan, region, paperless, autopay"
BROKEN: list[tuple[Edit, str]] = [
    (lambda b: b.update(format=3), "expected a JSON object with format 2"),
    (
        lambda b: b.update(task="multiclass"),
        "it was taken for a multiclass model; the contract's task is binary",
    ),
    (
        lambda b: b["features"].pop("plan"),
        f"its features are tenure, monthly, visits, region, paperless, autopay; the contract's are "
        f"{FEATURES}",
    ),
    (lambda b: b["features"].update(extra=b["features"]["tenure"]), "its features are tenure"),
    (
        lambda b: b["outputs"].pop("probability"),
        "its outputs are prediction; the contract's are prediction, probability",
    ),
    (
        lambda b: b["features"]["plan"].update(categories=["basic", "plus"]),
        "column 'plan' has the categories 'basic', 'plus'; the contract's are 'basic', 'plus', "
        "'pro'",
    ),
    (
        lambda b: b["features"]["region"]["categories"].pop(),
        "column 'region' has the categories 'north', 'south'; the contract's are 'north', "
        "'south', ''",
    ),
    (
        lambda b: b["features"]["paperless"].update(kind="numeric"),
        "column 'paperless' is profiled as numeric; the contract makes it categorical",
    ),
    (lambda b: b["features"]["plan"]["counts"].pop(), "column 'plan' needs one count per"),
    (lambda b: b["features"]["plan"].update(counts=[1, "2", 3]), "column 'plan' needs one"),
    (
        lambda b: b["features"]["plan"].update(counts=[0, 0, 0]),
        "column 'plan' needs one count per category, not all zero",
    ),
    (lambda b: b["outputs"]["probability"].pop("sample"), "column 'probability' lacks one of"),
    (lambda b: b["features"]["visits"].pop("missing"), "column 'visits' lacks one of count"),
    (
        lambda b: b["features"]["tenure"]["histogram"]["counts"].pop(),
        "column 'tenure' has an inconsistent histogram",
    ),
    (lambda b: b["features"]["tenure"].update(sample=[]), "column 'tenure' has an empty sample"),
]


@pytest.mark.parametrize(("edit", "problem"), BROKEN)
def test_a_broken_baseline_is_refused_naming_the_problem(
    tmp_path: Path, edit: Edit, problem: str
) -> None:
    contract = contract_of("binary")
    broken = reference_of(contract, table(contract, 200, seed=7))
    edit(broken)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(LifecycleError) as caught:
        read(path, contract)
    message = str(caught.value)
    assert message.startswith(f"{path}: not a drift baseline of this model ({problem}")
    assert message.endswith("(`package` puts it beside contract.yaml)")
    assert "\n" not in message


def test_a_baseline_of_another_contract_is_refused(tmp_path: Path) -> None:
    path = tmp_path / BASELINE_FILE
    regression = contract_of("regression")
    path.write_text(json.dumps(reference_of(regression, table(regression, 50, seed=8))))
    expected = "taken for a regression model; the contract's task is multiclass"
    with pytest.raises(LifecycleError, match=expected):
        read(path, contract_of("multiclass"))


def test_a_format_1_baseline_asks_for_a_retrain(tmp_path: Path) -> None:
    path = tmp_path / BASELINE_FILE
    path.write_text(json.dumps({"format": 1, "features": {}, "prediction": {}}), encoding="utf-8")
    with pytest.raises(LifecycleError) as caught:
        read(path, contract_of("regression"))
    assert str(caught.value) == (
        f"{path}: a format-1 drift baseline, taken before the data contract; retrain "
        "(`make all`) and package the model again to get one of this contract"
    )


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(LifecycleError, match=r"not a drift baseline \(not JSON: "):
        read(path, contract_of("regression"))


def test_a_missing_baseline_file_says_which_file_to_pass(tmp_path: Path) -> None:
    with pytest.raises(LifecycleError, match=r"no such baseline file; use the baseline\.json"):
        read(tmp_path / "nope.json", contract_of("regression"))
