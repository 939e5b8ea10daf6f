"""`export-onnx`: convert a registered Pipeline to ONNX, prove parity, store both on the version."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from mlflow.tracking import MlflowClient
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle import lineage
from {{ cookiecutter.package_name }}.lifecycle.data import read_split
from {{ cookiecutter.package_name }}.lifecycle.digests import ONNX_SHA256_TAG
from {{ cookiecutter.package_name }}.lifecycle.model_io import load_model
from {{ cookiecutter.package_name }}.lifecycle.registry import resolve_version
from {{ cookiecutter.package_name }}.lifecycle.tracking import connect
from {{ cookiecutter.package_name }}.serving.model import ONNX_FILE
from {{ cookiecutter.package_name }}.settings import Settings

ONNX_ARTIFACT_DIR = "onnx"
INPUT_NAME = "features"


@dataclass(frozen=True)
class OnnxExport:
    """Outcome of one export: where the file went and how closely it matches scikit-learn."""

    name: str
    version: int
    status: str
    message: str
    artifact_uri: str | None = None
    max_abs_diff: float | None = None
    mean_abs_diff: float | None = None
    rows_checked: int = 0


class ConversionUnsupportedError(Exception):
    """skl2onnx has no converter for something in the Pipeline."""


def convert(pipeline: Pipeline, n_features: int) -> bytes:
    """Convert the Pipeline to an ONNX graph with one float32 input of n_features columns."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    try:
        graph = convert_sklearn(
            pipeline, initial_types=[(INPUT_NAME, FloatTensorType([None, n_features]))]
        )
    except (RuntimeError, ValueError, TypeError, NotImplementedError) as exc:
        raise ConversionUnsupportedError(str(exc).splitlines()[0]) from None
    return graph.SerializeToString()


def parity(pipeline: Pipeline, onnx_bytes: bytes, features: pd.DataFrame) -> tuple[float, float]:
    """Max and mean |onnx - scikit-learn| over the given rows."""
    import onnxruntime as ort

    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    onnx_out = session.run(None, {INPUT_NAME: features.to_numpy(np.float32)})[0].reshape(-1)
    diff = np.abs(onnx_out.astype(np.float64) - pipeline.predict(features))
    return float(diff.max()), float(diff.mean())


def export_onnx(settings: Settings, version: int | None = None) -> OnnxExport:
    """Export `version` (default: the champion); fail clearly when parity does not hold."""
    client = connect(settings)
    model_version = resolve_version(client, settings.registered_model, version)
    name, number = settings.registered_model, int(model_version.version)
    pipeline = load_model(f"models:/{name}/{number}")
    features, _ = read_split(settings, "test")
    try:
        onnx_bytes = convert(pipeline, features.shape[1])
    except ConversionUnsupportedError as exc:
        message = f"cannot convert to ONNX ({exc}); serving keeps using the skops Pipeline"
        _tag(client, name, number, {"onnx.status": "unsupported", "onnx.message": message})
        return OnnxExport(name, number, "unsupported", message)
    worst, mean = parity(pipeline, onnx_bytes, features)
    checks = {"onnx.max_abs_diff": f"{worst:.3g}", "onnx.rows_checked": str(len(features))}
    if worst > settings.onnx_max_abs_diff:
        _tag(client, name, number, {"onnx.status": "parity-failed", **checks})
        raise LifecycleError(
            f"ONNX export of {name} version {number} rejected: predictions differ by up to "
            f"{worst:.3g} from scikit-learn "
            f"(limit {settings.onnx_max_abs_diff:g}, onnx.max_abs_diff)"
        )
    if not model_version.run_id:
        raise LifecycleError(f"{name} version {number} has no source run to store the ONNX file")
    uri = _store(client, model_version.run_id, onnx_bytes)
    _tag(
        client,
        name,
        number,
        {
            "onnx.status": "exported",
            "onnx.artifact_uri": uri,
            ONNX_SHA256_TAG: hashlib.sha256(onnx_bytes).hexdigest(),
            "onnx.mean_abs_diff": f"{mean:.3g}",
            "onnx.exported_at": lineage.now(),
            **checks,
        },
    )
    message = (
        f"exported {name} version {number} to ONNX; "
        f"max |diff| {worst:.3g} on {len(features)} test rows"
    )
    return OnnxExport(name, number, "exported", message, uri, worst, mean, len(features))


def _store(client: MlflowClient, run_id: str, onnx_bytes: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ONNX_FILE
        path.write_bytes(onnx_bytes)
        client.log_artifact(run_id, str(path), ONNX_ARTIFACT_DIR)
    return f"runs:/{run_id}/{ONNX_ARTIFACT_DIR}/{ONNX_FILE}"


def _tag(client: MlflowClient, name: str, version: int, tags: dict[str, str]) -> None:
    for key, value in tags.items():
        client.set_model_version_tag(name, str(version), key, value)
