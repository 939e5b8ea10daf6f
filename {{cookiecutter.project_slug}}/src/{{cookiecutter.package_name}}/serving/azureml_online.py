"""Azure ML online-endpoint entry script (`init()`/`run()`) on the same `score` core."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }}.scoring import (
    AZUREML,
    PayloadError,
    dumps,
    parse_json,
    score,
)
from {{ cookiecutter.package_name }}.serving_model import (
    ServingModel,
    find_model_dir,
    load_model_dir,
)

MODEL: ServingModel | None = None


def init() -> None:
    """Load the model once per worker from AZUREML_MODEL_DIR."""
    global MODEL
    MODEL = load_model_dir(find_model_dir(Path(os.environ["AZUREML_MODEL_DIR"])))


def run(raw_data: str) -> Any:
    """Score one request body; invalid input gets a 4xx AMLResponse naming the problem."""
    from azureml.contrib.services.aml_response import AMLResponse

    assert MODEL is not None, "init() was not called"  # noqa: S101 - server contract
    headers = {"x-model-version": MODEL.card.version, "x-model-name": MODEL.card.name}
    try:
        body = dumps(score(parse_json(raw_data.encode()), MODEL, AZUREML))
    except PayloadError as exc:
        return AMLResponse({"error": exc.message, "status": exc.status}, exc.status, headers, True)
    return AMLResponse(body.decode(), 200, {**headers, "Content-Type": "application/json"})
