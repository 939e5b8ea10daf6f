"""Azure ML online-endpoint entry script (`init()`/`run()`) on the same `score` core.

It takes what /score takes: `input_data` in split orientation, as named columns, as a list of
rows or of records. Like Azure ML's own MLflow deployments it takes no CSV (score files in batch).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }}.errors import InvalidInputError
from {{ cookiecutter.package_name }}.model.folder import (
    ServingModel,
    find_model_dir,
    load_model_dir,
)
from {{ cookiecutter.package_name }}.serving.azureml_collector import ModelDataCollector
from {{ cookiecutter.package_name }}.serving.scoring import (
    AZUREML,
    dumps,
    parse_json,
    predict,
    result_of,
)

_model: ServingModel | None = None
_collector: ModelDataCollector | None = None


def init() -> None:
    """Load the model once per worker from AZUREML_MODEL_DIR and start the data collectors."""
    global _model, _collector
    _model = load_model_dir(find_model_dir(Path(os.environ["AZUREML_MODEL_DIR"])))
    _collector = ModelDataCollector(_model.contract)


def run(raw_data: str) -> Any:
    """Score one request body; invalid input gets a 4xx AMLResponse naming the problem."""
    from azureml.contrib.services.aml_response import AMLResponse

    if _model is None or _collector is None:
        raise RuntimeError("init() has not loaded the model")
    headers = {"x-model-version": _model.card.version, "x-model-name": _model.card.name}
    try:
        features, prediction, index = predict(parse_json(raw_data.encode()), _model, AZUREML)
    except InvalidInputError as exc:
        return AMLResponse({"error": exc.message, "status": exc.status}, exc.status, headers, True)
    _collector.collect(features, prediction)
    body = dumps(result_of(_model.contract, prediction, index))
    return AMLResponse(body.decode(), 200, {**headers, "Content-Type": "application/json"})
