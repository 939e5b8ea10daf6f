"""Azure ML data collection for the online entry script: never fails a scoring request.

The online deployments enable the data collector for `model_inputs` and `model_outputs`
(pipelines/online/*.yml); Azure ML then tells azureml.ai.monitoring where to send (the config
file in AZUREML_MDC_CONFIG_PATH and the collector sidecar on loopback). Anywhere else the
collectors report themselves off once and the script scores without collecting.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.features import FEATURES, TARGET

INPUTS = "model_inputs"
OUTPUTS = "model_outputs"
log = logging.getLogger(__name__)


def inputs_frame(matrix: np.ndarray) -> pd.DataFrame:
    """The validated feature matrix as the model_inputs table: one column per feature."""
    return pd.DataFrame(matrix.astype(np.float64), columns=list(FEATURES))


def outputs_frame(predictions: np.ndarray) -> pd.DataFrame:
    """The predictions as the model_outputs table, in a column named like the training target.

    Azure ML's prediction drift compares the columns that production outputs and the reference
    (training) data share, so the prediction column carries the target's name.
    """
    return pd.DataFrame({TARGET: np.asarray(predictions, dtype=np.float64)})


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

    def __init__(self) -> None:
        self.inputs = start_collector(INPUTS)
        self.outputs = start_collector(OUTPUTS)

    def collect(self, matrix: np.ndarray, predictions: np.ndarray) -> None:
        """Hand one request's features and predictions to Azure ML under one correlation id."""
        if self.inputs is None or self.outputs is None:
            return
        try:
            context = self.inputs.collect(inputs_frame(matrix))
            self.outputs.collect(outputs_frame(predictions), context)
        except Exception:  # collection must never fail a scoring request
            log.exception("data collection failed; the request was scored all the same")
