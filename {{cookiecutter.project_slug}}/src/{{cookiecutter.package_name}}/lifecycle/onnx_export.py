"""`export-onnx`: convert a registered Pipeline to ONNX, prove parity, store both on the version.

The graph is converted from the version's Pipeline with the contract's inputs (onnx_convert.py)
and checked on the test split by the code that serves it (onnx_parity.py): predictions, or class
probabilities, within `[onnx] max_abs_diff` of scikit-learn's, and the same labels except on
rows within float32 rounding of a decision, which are counted and reported.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle import lineage
from {{ cookiecutter.package_name }}.lifecycle.data import read_split
from {{ cookiecutter.package_name }}.lifecycle.registry import resolve_version
from {{ cookiecutter.package_name }}.lifecycle.tracking import (
    CONTRACT_SHA256_TAG,
    connect,
    threshold_of,
)
from {{ cookiecutter.package_name }}.model.digests import ONNX_SHA256_TAG
from {{ cookiecutter.package_name }}.model.folder import ONNX_FILE
from {{ cookiecutter.package_name }}.model.model_io import load_model
from {{ cookiecutter.package_name }}.model.onnx_convert import (
    ConversionUnsupportedError,
    convert,
)
from {{ cookiecutter.package_name }}.model.onnx_parity import Parity, parity
from {{ cookiecutter.package_name }}.settings import Settings

ONNX_ARTIFACT_DIR = "onnx"


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
    rows_near_decision: int = 0


def export_onnx(settings: Settings, version: int | None = None) -> OnnxExport:
    """Export `version` (default: the champion); fail clearly when parity does not hold."""
    client = connect(settings)
    model_version = resolve_version(client, settings.registered_model, version)
    name, number = settings.registered_model, int(model_version.version)
    contract = settings.contract
    if model_version.tags.get(CONTRACT_SHA256_TAG) != contract.sha256:
        raise LifecycleError(
            f"{name} version {number} was not trained under data/contract.yaml as it is now, so "
            "the test split does not fit it: export a version trained under this contract"
        )
    pipeline = load_model(f"models:/{name}/{number}")
    features, _ = read_split(settings, "test")
    try:
        onnx_bytes = convert(pipeline, contract)
    except ConversionUnsupportedError as exc:
        message = f"cannot convert to ONNX ({exc}); serving keeps using the skops Pipeline"
        _tag(client, name, number, {"onnx.status": "unsupported", "onnx.message": message})
        return OnnxExport(name, number, "unsupported", message)
    check = parity(pipeline, onnx_bytes, contract, features, threshold_of(model_version.tags))
    checks = {
        "onnx.max_abs_diff": f"{check.max_abs_diff:.3g}",
        "onnx.rows_checked": str(check.rows),
    }
    if contract.is_classification:
        checks["onnx.rows_near_decision"] = str(check.near_decision)
    problem = _parity_problem(check, contract.is_classification, settings.onnx_max_abs_diff)
    if problem:
        _tag(client, name, number, {"onnx.status": "parity-failed", **checks})
        raise LifecycleError(f"ONNX export of {name} version {number} rejected: {problem}")
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
            "onnx.mean_abs_diff": f"{check.mean_abs_diff:.3g}",
            "onnx.exported_at": lineage.now(),
            **checks,
        },
    )
    message = (
        f"exported {name} version {number} to ONNX; {_summary(check, contract.is_classification)}"
    )
    return OnnxExport(
        name,
        number,
        "exported",
        message,
        uri,
        check.max_abs_diff,
        check.mean_abs_diff,
        check.rows,
        check.near_decision,
    )


def _parity_problem(check: Parity, classification: bool, limit: float) -> str | None:
    """Why the graph does not match scikit-learn closely enough, or None."""
    what = "class probabilities" if classification else "predictions"
    if check.max_abs_diff > limit:
        return (
            f"{what} differ by up to {check.max_abs_diff:.3g} from scikit-learn "
            f"(limit {limit:g}, onnx.max_abs_diff)"
        )
    if check.mismatched:
        return (
            f"labels differ from scikit-learn's on {check.mismatched} row(s) that are not within "
            "float32 rounding of a decision"
        )
    return None


def _summary(check: Parity, classification: bool) -> str:
    text = f"max |diff| {check.max_abs_diff:.3g} on {check.rows} test rows"
    if classification:
        text += f"; {check.near_decision} row(s) within float32 rounding of a decision"
    return text


def _store(client: MlflowClient, run_id: str, onnx_bytes: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ONNX_FILE
        path.write_bytes(onnx_bytes)
        client.log_artifact(run_id, str(path), ONNX_ARTIFACT_DIR)
    return f"runs:/{run_id}/{ONNX_ARTIFACT_DIR}/{ONNX_FILE}"


def _tag(client: MlflowClient, name: str, version: int, tags: dict[str, str]) -> None:
    for key, value in tags.items():
        client.set_model_version_tag(name, str(version), key, value)
