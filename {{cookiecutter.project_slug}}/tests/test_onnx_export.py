"""`export-onnx` and `package` against a real registry on a temporary MLflow store."""

from __future__ import annotations

import numpy as np
import pytest
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.lifecycle import onnx_export
from {{ cookiecutter.package_name }}.lifecycle.data import read_split
from {{ cookiecutter.package_name }}.lifecycle.tracking import CONTRACT_SHA256_TAG
from {{ cookiecutter.package_name }}.model.folder import load_model_dir
from {{ cookiecutter.package_name }}.model.onnx_parity import split_features

from .conftest import ProjectFactory, invoke, invoke_json


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory, new_project: ProjectFactory):
    """A project after one `all`; each test exports version 1 itself, so any order holds."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = new_project(tmp_path_factory.mktemp("onnx"), monkeypatch)
        invoke_json("all")
        yield settings


def version_tags(settings, version: str = "1") -> dict[str, str]:
    return MlflowClient().get_model_version(settings.registered_model, version).tags


def test_export_stores_the_onnx_file_and_parity_on_the_version(registry) -> None:
    settings = registry
    result = invoke_json("export-onnx")
    tags = version_tags(settings)
    assert (result["status"], tags["onnx.status"]) == ("exported", "exported")
    assert float(tags["onnx.max_abs_diff"]) <= settings.onnx_max_abs_diff
    assert tags["onnx.rows_checked"] == str(len(read_split(settings, "test")[0]))
    assert tags["onnx.artifact_uri"].endswith("/onnx/model.onnx")
    if settings.contract.is_classification:  # labels checked too: rows on a decision counted
        assert int(tags["onnx.rows_near_decision"]) == result["rows_near_decision"]


def test_packaged_onnx_model_predicts_like_scikit_learn(registry, tmp_path) -> None:
    settings = registry
    invoke_json("export-onnx")
    packaged = invoke_json("package", "--output", str(tmp_path / "model"))
    assert packaged["card"]["runtime"] == "onnx"
    features, _ = read_split(settings, "test")
    onnx = load_model_dir(tmp_path / "model")
    sklearn = load_model_dir(tmp_path / "model", prefer_onnx=False)
    rows = split_features(onnx.contract, features)
    ours, theirs = onnx.predict(rows), sklearn.predict(rows)
    if ours.probabilities is None or theirs.probabilities is None:
        np.testing.assert_allclose(ours.values, theirs.values, atol=settings.onnx_max_abs_diff)
    else:
        np.testing.assert_allclose(ours.probabilities, theirs.probabilities, atol=1e-5)
        assert (ours.values != theirs.values).sum() <= int(
            version_tags(settings)["onnx.rows_near_decision"]
        )


def test_export_fails_clearly_when_parity_does_not_hold(registry) -> None:
    settings = registry
    config = settings.root / "mlops.toml"
    original = config.read_text()
    config.write_text(original.replace("max_abs_diff = 0.001", "max_abs_diff = 1e-12"))
    try:
        result = invoke("export-onnx")
    finally:
        config.write_text(original)
    assert result.exit_code == 1
    assert "ONNX export of" in result.stderr
    assert "(limit 1e-12, onnx.max_abs_diff)" in result.stderr
    assert version_tags(settings)["onnx.status"] == "parity-failed"


def test_unconvertible_model_is_reported_and_keeps_the_skops_path(registry, monkeypatch) -> None:
    settings = registry

    def refuse(pipeline, contract):
        raise onnx_export.ConversionUnsupportedError("no converter for CustomStep")

    monkeypatch.setattr(onnx_export, "convert", refuse)
    result = invoke_json("export-onnx")
    assert result["status"] == "unsupported"
    assert "serving keeps using the skops Pipeline" in result["message"]
    assert version_tags(settings)["onnx.status"] == "unsupported"


def test_export_of_a_missing_version_names_it(registry) -> None:
    result = invoke("export-onnx", "--version", "99")
    assert result.exit_code == 1
    assert "has no version 99" in result.stderr


def test_a_version_trained_under_another_contract_is_not_exported(registry) -> None:
    settings = registry
    client = MlflowClient()
    name = settings.registered_model
    recorded = version_tags(settings)[CONTRACT_SHA256_TAG]
    client.set_model_version_tag(name, "1", CONTRACT_SHA256_TAG, "0" * 64)
    try:
        result = invoke("export-onnx")
    finally:
        client.set_model_version_tag(name, "1", CONTRACT_SHA256_TAG, recorded)
    assert result.exit_code == 1
    assert "was not trained under data/contract.yaml as it is now" in result.stderr
