"""`drift`: compare current data with a training baseline, write the report, emit the event."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }}.events import sink as events
from {{ cookiecutter.package_name }}.monitoring.config import DriftSettings
from {{ cookiecutter.package_name }}.monitoring.current import (
    Current,
    Model,
    read_current,
)
from {{ cookiecutter.package_name }}.monitoring.drift import ColumnDrift, compare
from {{ cookiecutter.package_name }}.monitoring.reference import (
    FolderModel,
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


def check_drift(
    settings: Settings, current: Path | None, reference: Path | None, report_dir: Path | None
) -> tuple[dict[str, Any], list[str]]:
    """Compare every feature and the model's outputs with the baseline; the result and its lines."""
    ref = file_reference(reference, settings) if reference else champion_reference(settings)
    source = current or settings.monitoring.collection.directory
    folder = report_dir or settings.root / "build" / "drift"
    return run_check(settings, ref, source, FolderModel(settings, ref), folder)


def run_check(
    settings: Settings, ref: Reference, source: Path, model: Model, folder: Path
) -> tuple[dict[str, Any], list[str]]:
    """The check of `source` against `ref` (rows without predictions scored by `model`)."""
    data = read_current(source, ref.contract, model)
    features, outputs = compare_all(ref.baseline, data, settings.monitoring.drift)
    result = summarize(ref, source, data, features, outputs, settings)
    result["report"] = {"json": str(folder / JSON_FILE), "html": str(folder / HTML_FILE)}
    write_report(result, [*features, *outputs], folder)
    drifted = [column for column in [*features, *outputs] if column.drifted]
    if drifted:
        events.emit(settings.monitoring.events, "drift_detected", _event(result, drifted))
        lines = ["drift: " + ", ".join(column.line() for column in drifted)]
    else:
        names = " and ".join(column.name for column in outputs)
        lines = [f"no drift in {len(features)} features and the {names} ({data.rows} rows)"]
    return result, [*lines, f"report: {result['report']['html']}, {result['report']['json']}"]


def compare_all(
    baseline: dict[str, Any], data: Current, rule: DriftSettings
) -> tuple[list[ColumnDrift], list[ColumnDrift]]:
    """One comparison per feature (contract order), and one per model output."""
    features = [
        compare(name, baseline["features"][name], values, rule)
        for name, values in data.features.items()
    ]
    outputs = [
        compare(name, baseline["outputs"][name], values, rule)
        for name, values in data.outputs.items()
    ]
    return features, outputs


def summarize(
    ref: Reference,
    source: Path,
    data: Current,
    features: list[ColumnDrift],
    outputs: list[ColumnDrift],
    settings: Settings,
) -> dict[str, Any]:
    """The JSON result: verdict, what was compared, thresholds, and every column's numbers."""
    drifted_features = [column.name for column in features if column.drifted]
    prediction_drifted = any(column.drifted for column in outputs)
    return {
        "drifted": bool(drifted_features) or prediction_drifted,
        "drifted_features": drifted_features,
        "prediction_drifted": prediction_drifted,
        "drifted_outputs": [column.name for column in outputs if column.drifted],
        "task": ref.contract.task,
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
        "columns": {column.name: asdict(column) for column in features},
        "outputs": {column.name: asdict(column) for column in outputs},
    }


def _event(result: dict[str, Any], drifted: list[ColumnDrift]) -> dict[str, Any]:
    return {
        "model": result["model"],
        "model_version": result["model_version"],
        "drifted": [column.name for column in drifted],
        "psi": {column.name: column.psi for column in drifted},
        "p_value": {column.name: column.p_value for column in drifted},
        "test": {column.name: column.test for column in drifted},
        "rows": result["current"]["rows"],
        "report": result["report"]["html"],
    }
