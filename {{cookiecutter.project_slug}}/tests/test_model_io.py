"""Models load only with the code-owned list of trusted skops types."""

from __future__ import annotations

from pathlib import Path

import pytest
import skops.io
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle.pipeline import build_pipeline
from {{ cookiecutter.package_name }}.model.model_io import load_skops

from .contracts import TASKS
from .test_training import training_data

X = [[float(i), float(i % 3)] for i in range(30)]
Y = [float(i) for i in range(30)]


@pytest.mark.parametrize("task", TASKS)
def test_the_project_pipeline_of_every_task_round_trips(task: str, tmp_path: Path) -> None:
    contract, frame, target = training_data(task)
    pipeline = build_pipeline(contract, {"n_estimators": 3, "max_depth": 2}, seed=0)
    pipeline.fit(frame, target)
    skops.io.dump(pipeline, tmp_path / "model.skops")
    loaded = load_skops(tmp_path / "model.skops")
    assert list(loaded.predict(frame)) == list(pipeline.predict(frame))


def test_a_model_with_types_outside_the_trusted_list_is_refused(tmp_path: Path) -> None:
    foreign = Pipeline([("boost", HistGradientBoostingRegressor(max_iter=2))]).fit(X, Y)
    skops.io.dump(foreign, tmp_path / "model.skops")
    with pytest.raises(LifecycleError, match="refusing to load untrusted types"):
        load_skops(tmp_path / "model.skops")
