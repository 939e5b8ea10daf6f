"""The scoring core: parse a request, hold it to the model's contract, predict. No web framework.

A response names one prediction per row, in `predictions`: the value (regression) or the label
(classification). A classifier's response adds `probabilities`, one list per row in the order of
`classes` (the contract's class order). Both routes answer alike; `index` is echoed when sent:

    {"predictions": [151.2]}
    {"predictions": ["churn"], "probabilities": [[0.81, 0.19]], "classes": ["churn", "stay"]}
"""

from __future__ import annotations

from typing import Any

import orjson

from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import InvalidInputError
from {{ cookiecutter.package_name }}.model.folder import ServingModel
from {{ cookiecutter.package_name }}.serving.forms import (
    Table,
    input_data_table,
    records_table,
    split_table,
    tensor_table,
)
from {{ cookiecutter.package_name }}.serving.validation import request_features
from {{ cookiecutter.package_name }}.tasks.base import Prediction

AZUREML = "azureml"
MLFLOW = "mlflow"
MLFLOW_KEYS = ("dataframe_split", "dataframe_records", "instances", "inputs")
Scored = tuple[Features, Prediction, Any]


def parse_json(body: bytes) -> Any:
    """Decode a JSON body; NaN, Infinity and numbers beyond float64 are malformed JSON here."""
    if not body.strip():
        raise InvalidInputError("empty body: send a JSON document", 400)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInputError(f"malformed JSON: {exc}", 400) from None


def extract_table(payload: Any, api: str, contract: Contract) -> Table:
    """Return (columns, rows, index) from an Azure ML or MLflow payload, whichever its form."""
    if not isinstance(payload, dict):
        raise InvalidInputError("the body must be a JSON object", 400)
    if api == AZUREML:
        if "input_data" not in payload:
            raise InvalidInputError(
                'missing "input_data": send {"input_data": {"columns": [...], "data": [[...]]}}',
                400,
            )
        return input_data_table(contract, payload["input_data"])
    keys = [key for key in MLFLOW_KEYS if key in payload]
    if len(keys) != 1:
        given = f"got {', '.join(keys)}" if keys else "got none"
        raise InvalidInputError(
            'expected exactly one of "dataframe_split", "dataframe_records", "instances" or '
            f'"inputs" ({given})',
            400,
        )
    key = keys[0]
    if key == "dataframe_split":
        return split_table(contract, payload[key], key)
    if key == "dataframe_records":
        return records_table(contract, payload[key], key)
    return tensor_table(contract, payload[key], key)


def predict(payload: Any, model: ServingModel, api: str = AZUREML) -> Scored:
    """Validate a decoded payload; return the Features, the Prediction and the index."""
    return predict_table(extract_table(payload, api, model.contract), model)


def predict_table(table: Table, model: ServingModel) -> Scored:
    """Hold a table to the model's contract; return the Features, the Prediction and the index."""
    columns, rows, index = table
    features = request_features(model.contract, columns, rows)
    return features, model.predict(features), index


def result_of(contract: Contract, prediction: Prediction, index: Any) -> dict[str, Any]:
    """The response document (see the module's docstring)."""
    if prediction.probabilities is None:
        result: dict[str, Any] = {"predictions": prediction.values}
    else:
        result = {
            "predictions": prediction.values.tolist(),
            "probabilities": prediction.probabilities,
            "classes": list(contract.target.classes),
        }
    if index is not None:
        result["index"] = index
    return result


def score(payload: Any, model: ServingModel, api: str = AZUREML) -> dict[str, Any]:
    """Validate a decoded payload and return the response document."""
    _, prediction, index = predict(payload, model, api)
    return result_of(model.contract, prediction, index)


def dumps(result: dict[str, Any]) -> bytes:
    """Serialize a scoring result (numpy arrays included) to JSON bytes."""
    return orjson.dumps(result, option=orjson.OPT_SERIALIZE_NUMPY)
