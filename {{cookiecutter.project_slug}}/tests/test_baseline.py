"""The training baseline: statistics, histogram, reference sample, and the checks on reading it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_diabetes

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.features import FEATURES, TARGET, matrix_from_columns
from {{ cookiecutter.package_name }}.lifecycle.training import (
    build_pipeline,
    training_baseline,
)
from {{ cookiecutter.package_name }}.monitoring import baseline
from {{ cookiecutter.package_name }}.monitoring.drift import compare
from {{ cookiecutter.package_name }}.settings import Settings, load_settings

from .conftest import PROJECT_ROOT


def test_profile_of_one_to_ten_has_the_hand_computed_statistics() -> None:
    column = baseline.profile(np.arange(1.0, 11.0), bins=5, seed=0)
    assert {key: column[key] for key in ("count", "mean", "min", "max")} == {
        "count": 10, "mean": 5.5, "min": 1.0, "max": 10.0,
    }  # fmt: skip
    assert column["std"] == pytest.approx(3.0276503540974917)  # sample standard deviation
    assert column["quantiles"]["0.5"] == 5.5
    assert set(column["quantiles"]) == {"0.01", "0.05", "0.25", "0.5", "0.75", "0.95", "0.99"}
    assert column["histogram"]["edges"] == pytest.approx([2.8, 4.6, 6.4, 8.2])
    assert column["histogram"]["counts"] == [2, 2, 2, 2, 2]
    assert column["sample"] == [float(value) for value in range(1, 11)]


def test_a_long_column_keeps_a_seeded_sample_of_max_sample_values() -> None:
    values = np.arange(baseline.MAX_SAMPLE + 2000, dtype=np.float64)
    first = baseline.profile(values, bins=10, seed=7)["sample"]
    assert len(first) == baseline.MAX_SAMPLE
    assert len(set(first)) == baseline.MAX_SAMPLE  # drawn without replacement
    assert first == baseline.profile(values, bins=10, seed=7)["sample"]
    assert first != baseline.profile(values, bins=10, seed=8)["sample"]


@pytest.fixture(scope="module")
def diabetes_baseline() -> tuple[dict, np.ndarray]:
    """The baseline `train` computes, on the whole diabetes set, and the set as served."""
    frame = load_diabetes(as_frame=True).frame
    pipeline = build_pipeline({"n_estimators": 5, "max_depth": 3}, seed=0)
    pipeline.fit(frame[list(FEATURES)], frame[TARGET])
    settings: Settings = load_settings(PROJECT_ROOT)
    computed = training_baseline(settings, pipeline, frame[list(FEATURES)], "hash")
    served = matrix_from_columns({name: frame[name] for name in FEATURES})
    return computed, served


def test_training_baseline_profiles_every_feature_and_the_predictions(diabetes_baseline) -> None:
    computed, _ = diabetes_baseline
    assert sorted(computed["features"]) == sorted(FEATURES)
    assert computed["rows"] == 442
    assert computed["bins"] == 10
    assert computed["data_hash"] == "hash"
    for column in [*computed["features"].values(), computed["prediction"]]:
        assert sum(column["histogram"]["counts"]) == column["count"] == 442
        assert len(column["sample"]) == 442


def test_the_training_data_as_served_is_identical_to_its_own_baseline(diabetes_baseline) -> None:
    # The baseline is taken on float32 inputs, as the model sees them: a two-valued column
    # (sex) served as float32 lands in exactly the training bins.
    computed, served = diabetes_baseline
    rule = load_settings(PROJECT_ROOT).monitoring.drift
    for index, name in enumerate(FEATURES):
        column = compare(name, computed["features"][name], served[:, index], rule)
        assert (column.psi, column.p_value) == (0.0, 1.0), name


def test_a_baseline_survives_a_json_round_trip(diabetes_baseline, tmp_path: Path) -> None:
    computed, _ = diabetes_baseline
    path = tmp_path / baseline.BASELINE_FILE
    path.write_text(json.dumps(computed), encoding="utf-8")
    assert baseline.read(path) == computed


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda b: b.update(format=0), "expected a JSON object with format 1"),
        (lambda b: b["features"].pop("bmi"), "expected profiles of the features age, sex"),
        (lambda b: b["prediction"].pop("sample"), "column 'prediction' lacks one of count"),
        (
            lambda b: b["features"]["s5"]["histogram"]["counts"].pop(),
            "column 's5' has an inconsistent histogram",
        ),
        (lambda b: b["features"]["age"].update(sample=[]), "column 'age' has an inconsistent"),
    ],
)
def test_a_broken_baseline_is_refused_naming_the_problem(
    diabetes_baseline, tmp_path: Path, edit, problem: str
) -> None:
    broken = json.loads(json.dumps(diabetes_baseline[0]))
    edit(broken)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(LifecycleError, match="not a drift baseline") as caught:
        baseline.read(path)
    assert str(caught.value).startswith(f"{path}: not a drift baseline ({problem}")


def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(LifecycleError, match=r"not a drift baseline \(not JSON: "):
        baseline.read(path)


def test_a_missing_baseline_file_says_which_file_to_pass(tmp_path: Path) -> None:
    with pytest.raises(LifecycleError, match=r"no such baseline file; pass the baseline\.json"):
        baseline.read(tmp_path / "nope.json")
