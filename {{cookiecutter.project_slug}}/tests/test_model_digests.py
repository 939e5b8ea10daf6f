"""SHA-256 of the model files, recorded in MLflow when they are logged and checked on every load:
a file altered in the artifact store is refused by each lifecycle step that reads it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import skops.io
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.lifecycle.packaging import serving_folder
from {{ cookiecutter.package_name }}.model.digests import (
    MODEL_SHA256_TAG,
    ONNX_SHA256_TAG,
)
from {{ cookiecutter.package_name }}.model.folder import CARD_FILE, read_card
from {{ cookiecutter.package_name }}.settings import Settings

from .conftest import ProjectFactory, invoke, invoke_json
from .crafted_models import child_past_the_end, corrupt_tree, flip_byte, load


@pytest.fixture(scope="module")
def registry(
    tmp_path_factory: pytest.TempPathFactory, new_project: ProjectFactory
) -> Iterator[tuple[Settings, dict]]:
    """A project after one `all` and `export-onnx`; tests that alter a file put it back."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = new_project(tmp_path_factory.mktemp("digests"), monkeypatch)
        first = invoke_json("all")
        invoke_json("export-onnx")
        yield settings, first


def stored(settings: Settings, name: str) -> Path:
    """The one copy of `name` in the project's artifact store."""
    (path,) = (settings.root / "mlartifacts").rglob(name)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def client_of(settings: Settings) -> MlflowClient:
    """A client of this project's store (another test may have pointed MLflow elsewhere)."""
    return MlflowClient(settings.tracking_uri, settings.tracking_uri)


def version_tags(settings: Settings) -> dict[str, str]:
    return client_of(settings).get_model_version(settings.registered_model, "1").tags


@contextmanager
def altered(path: Path) -> Iterator[Path]:
    """One byte of `path` changed for the duration of the block."""
    original = path.read_bytes()
    flip_byte(path)
    try:
        yield path
    finally:
        path.write_bytes(original)


def test_train_records_the_stored_files_digest_and_register_copies_it(registry) -> None:
    settings, first = registry
    expected = sha256(stored(settings, "model.skops"))
    run = client_of(settings).get_run(first["train"]["run_id"])
    assert run.data.tags[MODEL_SHA256_TAG] == expected
    assert version_tags(settings)[MODEL_SHA256_TAG] == expected
    assert first["register"]["tags"][MODEL_SHA256_TAG] == expected
    assert version_tags(settings)[ONNX_SHA256_TAG] == sha256(stored(settings, "model.onnx"))


def test_package_records_every_file_of_the_folder_in_the_card(registry, tmp_path: Path) -> None:
    settings, _ = registry
    folder = Path(invoke_json("package", "--output", str(tmp_path / "model"))["path"])
    card = json.loads((folder / CARD_FILE).read_text())
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert set(card["sha256"]) == files - {CARD_FILE}
    assert {"model.skops", "model.onnx", "baseline.json", "MLmodel"} <= set(card["sha256"])
    assert all(card["sha256"][name] == sha256(folder / name) for name in card["sha256"])
    assert card["sha256"]["model.onnx"] == version_tags(settings)[ONNX_SHA256_TAG]


def test_a_serving_folder_packaged_before_digests_is_packaged_again(registry) -> None:
    settings, _ = registry
    folder = serving_folder(settings)
    card = json.loads((folder / CARD_FILE).read_text())
    del card["sha256"]
    (folder / CARD_FILE).write_text(json.dumps(card))
    assert serving_folder(settings) == folder
    assert read_card(folder).sha256["model.skops"] == version_tags(settings)[MODEL_SHA256_TAG]


@pytest.mark.parametrize(
    "command",
    [["evaluate"], ["promote", "--dry-run"], ["export-onnx"], ["package", "--output", "out"]],
)
def test_a_model_altered_in_the_artifact_store_is_refused(registry, command: list[str]) -> None:
    settings, _ = registry
    with altered(stored(settings, "model.skops")):
        result = invoke(*command)
    assert result.exit_code == 1
    assert "model.skops: SHA-256 differs from the one recorded in models:/" in result.stderr
    assert f"{MODEL_SHA256_TAG} tag (the file was altered or corrupted)" in result.stderr


def test_an_onnx_file_altered_in_the_artifact_store_is_refused_by_package(
    registry, tmp_path: Path
) -> None:
    settings, _ = registry
    with altered(stored(settings, "model.onnx")):
        result = invoke("package", "--output", str(tmp_path / "model"))
    record = f"models:/{settings.registered_model}/1's {ONNX_SHA256_TAG} tag"
    assert result.exit_code == 1
    assert f"model.onnx: SHA-256 differs from the one recorded in {record}" in result.stderr
    assert "run `export-onnx` again" in result.stderr
    assert not (tmp_path / "model").exists()


def test_a_version_without_a_recorded_digest_is_refused(registry, tmp_path: Path) -> None:
    settings, _ = registry
    client, name = client_of(settings), settings.registered_model
    digest = version_tags(settings)[MODEL_SHA256_TAG]
    client.delete_model_version_tag(name, "1", MODEL_SHA256_TAG)
    try:
        result = invoke("package", "--output", str(tmp_path / "model"))
    finally:
        client.set_model_version_tag(name, "1", MODEL_SHA256_TAG, digest)
    assert result.exit_code == 1
    assert f"no SHA-256 recorded in models:/{name}/1's {MODEL_SHA256_TAG} tag" in result.stderr


def test_a_run_without_a_recorded_digest_is_not_registered(project: Settings) -> None:
    invoke_json("prep")
    run_id = invoke_json("train")["run_id"]
    client_of(project).delete_tag(run_id, MODEL_SHA256_TAG)
    result = invoke("register")
    assert result.exit_code == 1
    assert f"run {run_id} has no {MODEL_SHA256_TAG} tag" in result.stderr
    assert "run `train` again" in result.stderr


def test_a_crafted_model_whose_tags_were_rewritten_is_refused_by_its_structure(
    registry, tmp_path: Path
) -> None:
    settings, first = registry
    path = stored(settings, "model.skops")
    original = tmp_path / "original.skops"
    shutil.copy(path, original)
    skops.io.dump(corrupt_tree(load(path), child_past_the_end), path)
    client, run_id = client_of(settings), first["train"]["run_id"]
    client.set_tag(run_id, MODEL_SHA256_TAG, sha256(path))  # write access to the tracking store
    try:
        done = subprocess.run(
            [sys.executable, "-m", "{{ cookiecutter.package_name }}", "evaluate"],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=settings.root,
            env={**os.environ, "MLFLOW_TRACKING_URI": settings.tracking_uri},
        )
    finally:
        shutil.copy(original, path)
        client.set_tag(run_id, MODEL_SHA256_TAG, sha256(path))
    assert done.returncode == 1, f"exit {done.returncode}: {done.stderr[-2000:]}"
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: "), done.stderr
    assert "model.skops: refusing a malformed model (tree 0 of the forest: node 0 has" in last
