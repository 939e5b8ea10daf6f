"""Clients of `mlflow models serve` work unchanged: every request MLflow's own scoring code
accepts for the model gets the same predictions from our /invocations."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.model.folder import load_model_dir
from {{ cookiecutter.package_name }}.model.model_io import TRUSTED_TYPES, load_skops
from {{ cookiecutter.package_name }}.serving.server import ScoringApp

from .conftest import ROW
from .contracts import FEATURES
from .model_fixtures import write_model_dir
from .serving_fixtures import asgi_request, request_forms

OTHER_ROW = [-0.01, 0.05, -0.02, 0.03, 0.01, 0.02, -0.03, 0.03, -0.01, 0.04]
# MLflow refuses lists of rows for a model whose signature names its columns; we take them too.
FORMS = {
    name: form
    for name, form in request_forms([ROW, OTHER_ROW]).items()
    if form[0] == "/invocations" and not name.endswith(" rows")
}
INDEXED_CSV = pd.DataFrame([ROW, OTHER_ROW], columns=list(FEATURES)).to_csv().encode()
FORMS["csv written by to_csv() with its index"] = ("/invocations", "text/csv", INDEXED_CSV)


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> tuple[ScoringApp, Any]:
    """Our app and MLflow's pyfunc model on one scikit-learn Pipeline (no ONNX: same numbers)."""
    import mlflow.pyfunc
    import mlflow.sklearn
    from mlflow.models import infer_signature

    folder = write_model_dir(tmp_path_factory.mktemp("ours"), with_onnx=False)
    path = tmp_path_factory.mktemp("mlflow") / "model"
    mlflow.sklearn.save_model(
        load_skops(folder / "model.skops"),
        path,
        signature=infer_signature(pd.DataFrame([ROW], columns=list(FEATURES))),
        serialization_format="skops",
        skops_trusted_types=list(TRUSTED_TYPES),
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")  # our own file
        theirs = mlflow.pyfunc.load_model(str(path))
    return ScoringApp(load_model_dir(folder), None, 1024 * 1024), theirs


@pytest.mark.parametrize("form", sorted(FORMS))
def test_what_mlflow_scores_we_score_the_same(models: tuple[ScoringApp, Any], form: str) -> None:
    from mlflow.pyfunc.scoring_server import invocations

    ours, theirs = models
    path, content_type, body = FORMS[form]
    schema = theirs.metadata.get_input_schema()
    expected = invocations(body.decode(), content_type, theirs, schema)
    assert expected.status == 200, expected.response
    headers = {"content-type": content_type}
    status, reply, _ = asyncio.run(asgi_request(ours, path, body, headers))
    assert status == 200, reply
    assert json.loads(reply)["predictions"] == json.loads(expected.response)["predictions"]
