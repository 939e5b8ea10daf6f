"""SHA-256 records of model files, and the check every load makes against them.

`train` records the logged skops file's digest as a run tag and `register` copies it onto the
version; `export-onnx` records the ONNX file's on the version. Loads from MLflow compare the
downloaded file with those tags; `package` does too, then records every file of the folder in
model_card.json, which each load of the folder (serve, score-batch, drift, the Azure ML entry
scripts) checks before it reads a model file.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from pathlib import Path

from {{ cookiecutter.package_name }}.errors import LifecycleError

MODEL_SHA256_TAG = "mlops.model_sha256"  # run tag (train) and model version tag (register)
ONNX_SHA256_TAG = "onnx.sha256"  # model version tag (export-onnx)


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's content, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_sha256(path: Path, expected: str | None, record: str, fix: str) -> None:
    """Refuse a file whose SHA-256 is not recorded in `record` or differs from the record."""
    if not expected:
        raise LifecycleError(f"{path.name}: no SHA-256 recorded in {record}; {fix}")
    if not path.is_file():
        raise LifecycleError(f"{path}: missing, though {record} records it; {fix}")
    if not hmac.compare_digest(file_sha256(path), expected):
        raise LifecycleError(
            f"{path}: SHA-256 differs from the one recorded in {record} "
            f"(the file was altered or corrupted); {fix}"
        )


def folder_sha256(folder: Path, skip: str) -> dict[str, str]:
    """SHA-256 of every file under `folder` but `skip`, by path relative to it."""
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    return {
        path.relative_to(folder).as_posix(): file_sha256(path)
        for path in files
        if path.relative_to(folder).as_posix() != skip
    }


def check_folder(folder: Path, recorded: Mapping[str, str], record: str, loads: str) -> None:
    """Every recorded file matches its SHA-256, and `loads` (the file to load) is recorded."""
    fix = "package the model again with `package`"
    if loads not in recorded:
        raise LifecycleError(f"{folder / loads}: no SHA-256 recorded in {record}; {fix}")
    root = folder.resolve()
    for name, expected in sorted(recorded.items()):
        path = folder / name
        if not path.resolve().is_relative_to(root):
            raise LifecycleError(f"{path}: recorded in {record} but outside {folder}; {fix}")
        check_sha256(path, expected, record, fix)
