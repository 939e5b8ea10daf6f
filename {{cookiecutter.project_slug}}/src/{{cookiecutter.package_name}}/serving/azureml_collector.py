"""Azure ML data collection for the online entry script: never fails a scoring request.

The online deployments enable the data collector for `model_inputs` and `model_outputs`
(pipelines/online/*.yml); Azure ML then tells azureml.ai.monitoring where to send (the config
file in AZUREML_MDC_CONFIG_PATH and the collector sidecar on loopback). Anywhere else the
collectors report themselves off once and the script scores without collecting.

model_inputs holds one column per feature of the model's contract (numbers as numbers, booleans
as true/false, categories as their text, null where a nullable value is missing); model_outputs
the prediction under the target's name and, for a classifier, `probability_<class>` per class.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.contract.rules import PROBABILITY_PREFIX
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.tasks.base import Prediction

INPUTS = "model_inputs"
OUTPUTS = "model_outputs"
log = logging.getLogger(__name__)


def inputs_frame(contract: Contract, features: Features) -> pd.DataFrame:
    """The validated features as the model_inputs table: one column per feature, typed."""
    frame = features.frame(contract)[list(contract.feature_names)]  # in contract order
    for column in contract.features:
        values = frame[column.name]
        if column.type == "category":
            frame[column.name] = pd.Series([value or None for value in values], dtype=object)
        elif column.type == "boolean":
            frame[column.name] = [None if np.isnan(value) else bool(value) for value in values]
        else:
            frame[column.name] = values.astype(np.float64)
    return frame


def outputs_frame(contract: Contract, prediction: Prediction) -> pd.DataFrame:
    """The predictions as the model_outputs table, in a column named like the training target.

    Azure ML's prediction drift compares the columns that production outputs and the reference
    (training) data share, so the prediction column carries the target's name. A classifier's
    class probabilities follow, one `probability_<class>` column per class.
    """
    values = prediction.values
    table = {contract.target.column: values.tolist() if values.dtype.kind in "UO" else values}
    if prediction.probabilities is not None:
        for index, label in enumerate(contract.target.classes):
            table[f"{PROBABILITY_PREFIX}{label}"] = prediction.probabilities[:, index]
    return pd.DataFrame(table)


class _Errors:
    """Collector errors: kept while a collector starts (it is then off), logged afterwards."""

    def __init__(self) -> None:
        self.at_start: list[Exception] = []
        self.started = False

    def __call__(self, error: Exception) -> None:
        if self.started:
            log.warning("data collection dropped a sample: %s", error)
        else:
            self.at_start.append(error)


def start_collector(name: str) -> Any | None:
    """An azureml.ai.monitoring Collector for `name`, or None (logged once) when it is off."""
    from azureml.ai.monitoring import Collector

    errors = _Errors()
    try:
        collector = Collector(name=name, on_error=errors)
    except Exception as exc:  # e.g. an unreadable collector config: score without collecting
        errors.at_start.append(exc)
    if errors.at_start:
        log.warning("data collection %s is off: %s", name, errors.at_start[0])
        return None
    errors.started = True
    return collector


class ModelDataCollector:
    """The model_inputs and model_outputs collectors of one scoring worker."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.inputs = start_collector(INPUTS)
        self.outputs = start_collector(OUTPUTS)

    def collect(self, features: Features, prediction: Prediction) -> None:
        """Hand one request's features and predictions to Azure ML under one correlation id."""
        if self.inputs is None or self.outputs is None:
            return
        try:
            context = self.inputs.collect(inputs_frame(self.contract, features))
            self.outputs.collect(outputs_frame(self.contract, prediction), context)
        except Exception:  # collection must never fail a scoring request
            log.exception("data collection failed; the request was scored all the same")
