"""`drift`: compare current data with a training baseline, write the report, emit the event."""

from __future__ import annotations

import functools
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from {{ cookiecutter.package_name }}.features import FEATURES
from {{ cookiecutter.package_name }}.monitoring import events
from {{ cookiecutter.package_name }}.monitoring.current import (
    Current,
    Predict,
    read_current,
)
from {{ cookiecutter.package_name }}.monitoring.drift import ColumnDrift, compare
from {{ cookiecutter.package_name }}.monitoring.reference import (
    Reference,
    champion_reference,
    file_reference,
)
from {{ cookiecutter.package_name }}.monitoring.report import (
    HTML_FILE,
    JSON_FILE,
    write_report,
)
from {{ cookiecutter.package_name }}.settings import Settings

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.serving.model import ServingModel

PREDICTION = "prediction"


def check_drift(
    settings: Settings, current: Path | None, reference: Path | None, report_dir: Path | None
) -> tuple[dict[str, Any], list[str]]:
    """Compare every feature and the predictions with the baseline; the result and its lines."""
    ref = file_reference(reference, settings) if reference else champion_reference(settings)
    source = current or settings.monitoring.collection.directory
    data = read_current(source, scorer(settings, ref))
    columns = compare_all(ref.baseline, data, settings)
    folder = report_dir or settings.root / "build" / "drift"
    result = summarize(ref, source, data, columns, settings)
    result["report"] = {"json": str(folder / JSON_FILE), "html": str(folder / HTML_FILE)}
    write_report(result, columns, folder)
    drifted = [column for column in columns if column.drifted]
    if drifted:
        events.emit(settings.monitoring.events, "drift_detected", _event(result, drifted))
        lines = ["drift: " + ", ".join(column.line() for column in drifted)]
    else:
        lines = [f"no drift in {len(FEATURES)} features and the predictions ({data.rows} rows)"]
    return result, [*lines, f"report: {result['report']['html']}, {result['report']['json']}"]


def compare_all(baseline: dict[str, Any], data: Current, settings: Settings) -> list[ColumnDrift]:
    """One comparison per feature (FEATURES order), then the predictions."""
    rule = settings.monitoring.drift
    columns = [
        compare(name, baseline["features"][name], data.matrix[:, index], rule)
        for index, name in enumerate(FEATURES)
    ]
    return [*columns, compare(PREDICTION, baseline[PREDICTION], data.predictions, rule)]


def summarize(
    ref: Reference, source: Path, data: Current, columns: list[ColumnDrift], settings: Settings
) -> dict[str, Any]:
    """The JSON result: verdict, what was compared, thresholds, and every column's numbers."""
    drifted = [column.name for column in columns if column.drifted]
    return {
        "drifted": bool(drifted),
        "drifted_features": [name for name in drifted if name != PREDICTION],
        "prediction_drifted": PREDICTION in drifted,
        "model": ref.model,
        "model_version": ref.version,
        "reference": ref.source,
        "current": {
            "source": str(source),
            "rows": data.rows,
            "files": data.files,
            "model_versions": data.model_versions,
        },
        "thresholds": {
            "psi": settings.monitoring.drift.psi_threshold,
            "p_value": settings.monitoring.drift.p_value,
            "bins": ref.baseline["bins"],
        },
        "columns": {column.name: asdict(column) for column in columns},
    }


def _event(result: dict[str, Any], drifted: list[ColumnDrift]) -> dict[str, Any]:
    return {
        "model": result["model"],
        "model_version": result["model_version"],
        "drifted": [column.name for column in drifted],
        "psi": {column.name: column.psi for column in drifted},
        "rows": result["current"]["rows"],
        "report": result["report"]["html"],
    }


def scorer(settings: Settings, ref: Reference) -> Predict:
    """Predictions for tabular current data by the baseline's model, loaded on first use."""

    @functools.cache
    def model() -> ServingModel:
        from {{ cookiecutter.package_name }}.lifecycle.steps import packaged_model
        from {{ cookiecutter.package_name }}.serving.model import load_model_dir

        version = int(ref.version) if ref.version else None
        return load_model_dir(ref.model_dir or packaged_model(settings, version))

    def predict(matrix: np.ndarray) -> np.ndarray:
        return np.asarray(model().predict(matrix), dtype=np.float64)

    return predict
