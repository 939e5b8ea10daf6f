"""Crafted and altered model folders, run through the real CLI in a subprocess: each one is
refused with one `Error:` line and exit code 1; none kills the process with a signal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import pytest

from {{ cookiecutter.package_name }}.batch import azureml_batch
from {{ cookiecutter.package_name }}.contract.load import CONTRACT_FILE
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.model.folder import CARD_FILE, load_model_dir
from {{ cookiecutter.package_name }}.serving import azureml_online
from {{ cookiecutter.package_name }}.serving.local import free_port

from .conftest import ROW
from .contracts import FEATURES
from .crafted_models import (
    FAR,
    Nodes,
    child_past_the_end,
    crafted_folder,
    feature_past_the_end,
    flip_byte,
    nan_threshold,
    reseal,
)
from .model_fixtures import write_model_dir

MALFORMED = "model.skops: refusing a malformed model (tree 0 of the forest: node 0 "
Command = Callable[[Path, Path], list[str]]


def keep_nodes(nodes: np.ndarray) -> None:
    """Leave the node records as they are."""


def serve(model_dir: Path, scratch: Path) -> list[str]:
    return ["serve", "--no-auth", "--model-dir", str(model_dir), "--port", str(free_port())]


def score_batch(model_dir: Path, scratch: Path) -> list[str]:
    inputs = scratch / "in"
    inputs.mkdir(exist_ok=True)
    (inputs / "rows.csv").write_text(",".join(FEATURES) + "\n" + ",".join(map(str, ROW)) + "\n")
    output = scratch / "out"
    return [
        "score-batch",
        "--model-dir",
        str(model_dir),
        "--input",
        str(inputs),
        "--output",
        str(output),
    ]


def score_batch_in_parallel(model_dir: Path, scratch: Path) -> list[str]:
    return [*score_batch(model_dir, scratch), "--workers", "2"]


def refused_in_one_line(command: list[str], message: str) -> None:
    """Run the CLI; insist on exit code 1 (not a signal) and a last line `Error: ...message...`."""
    env = {key: value for key, value in os.environ.items() if key != "SCORING_API_KEY"}
    done = subprocess.run(
        [sys.executable, "-m", "{{ cookiecutter.package_name }}", *command],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert done.returncode == 1, f"exit {done.returncode}: {done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: "), done.stderr
    assert message in last, last


CHILD = (child_past_the_end, f"has left child {FAR}, not a later node below ")
FEATURE = (feature_past_the_end, f"splits on feature {FAR}, not in 0..9)")
NAN = (nan_threshold, "has threshold nan, not a finite number)")


@pytest.mark.parametrize(
    ("command", "edit", "problem"),
    [
        (serve, *CHILD),
        (score_batch, *CHILD),
        (serve, *FEATURE),
        (score_batch, *FEATURE),
        (score_batch_in_parallel, *FEATURE),
        (score_batch, *NAN),
    ],
)
def test_a_crafted_tree_is_refused_not_a_crash(
    tmp_path: Path, command: Command, edit: Nodes, problem: str
) -> None:
    folder = crafted_folder(tmp_path / "model", edit)
    refused_in_one_line(command(folder, tmp_path), MALFORMED + problem)


def test_a_tree_without_nodes_is_refused(tmp_path: Path) -> None:
    folder = crafted_folder(tmp_path / "model", keep_nodes, node_count=0)
    message = "(tree 0 of the forest: node_count 0 is outside 1.."
    refused_in_one_line(serve(folder, tmp_path), message)


@pytest.mark.parametrize(("command", "name"), [(serve, "model.onnx"), (score_batch, "model.skops")])
def test_a_model_file_altered_after_packaging_is_refused_naming_it(
    tmp_path: Path, command: Command, name: str
) -> None:
    folder = write_model_dir(tmp_path / "model", with_onnx=name == "model.onnx")
    flip_byte(folder / name)
    message = f"{folder / name}: SHA-256 differs from the one recorded in {folder / CARD_FILE}"
    refused_in_one_line(command(folder, tmp_path), message)


def test_any_other_file_altered_after_packaging_is_refused(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "model")
    (folder / "baseline.json").write_text('{"columns": {}}\n')
    reseal(folder)
    flip_byte(folder / "baseline.json", offset=-2)
    with pytest.raises(LifecycleError, match=r"baseline\.json: SHA-256 differs from the one"):
        load_model_dir(folder)


def test_a_folder_whose_card_records_no_digests_is_refused(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "model")
    card = json.loads((folder / CARD_FILE).read_text())
    del card["sha256"]
    (folder / CARD_FILE).write_text(json.dumps(card))
    message = f"{folder / 'model.onnx'}: no SHA-256 recorded in {folder / CARD_FILE}; "
    refused_in_one_line(serve(folder, tmp_path), message + "package the model again")


def test_an_onnx_file_dropped_into_a_skops_folder_is_refused(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "model", with_onnx=False)
    other = write_model_dir(tmp_path / "other")
    (folder / "model.onnx").write_bytes((other / "model.onnx").read_bytes())
    with pytest.raises(LifecycleError, match=r"model\.onnx: no SHA-256 recorded in"):
        load_model_dir(folder)


@pytest.mark.parametrize(
    ("card", "problem"),
    [
        ("{not json", "Expecting property name"),
        ('{"name": "m", "version": "1", "runtime": "onnx"}', "'features'"),
        (
            '{"name": "m", "version": 1, "runtime": "onnx", "features": [], "sha256": [1]}',
            "sha256 must map",
        ),
    ],
)
def test_a_card_that_is_not_a_model_card_is_refused_in_one_line(
    tmp_path: Path, card: str, problem: str
) -> None:
    folder = write_model_dir(tmp_path / "model")
    (folder / CARD_FILE).write_text(card)
    with pytest.raises(LifecycleError, match=r"model_card\.json: not a model card \(") as raised:
        load_model_dir(folder)
    assert problem in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_card_recording_a_file_outside_the_folder_is_refused(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "model")
    card = json.loads((folder / CARD_FILE).read_text())
    card["sha256"]["/dev/zero"] = "0" * 64
    (folder / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(LifecycleError, match=r"/dev/zero: recorded in .* but outside"):
        load_model_dir(folder)


def set_tree_attribute(folder: Path, name: str, value: int) -> None:
    """Rewrite one index of the ONNX graph's tree ensemble and reseal the folder."""
    model = onnx.load(str(folder / "model.onnx"))
    tree = next(node for node in model.graph.node if node.op_type.startswith("TreeEnsemble"))
    attribute = next(attribute for attribute in tree.attribute if attribute.name == name)
    attribute.ints[0] = value
    onnx.save(model, str(folder / "model.onnx"))
    reseal(folder)


def test_a_crafted_onnx_tree_is_refused_in_one_line(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "model")
    set_tree_attribute(folder, "nodes_falsenodeids", FAR)
    message = f"{folder / 'model.onnx'}: refusing a model that does not load or predict ("
    refused_in_one_line(serve(folder, tmp_path), message)


@pytest.mark.parametrize(
    ("attribute", "value"),
    [("nodes_truenodeids", FAR), ("nodes_featureids", FAR), ("nodes_featureids", -5)],
)
def test_onnx_runtime_refuses_tree_indices_out_of_range(
    tmp_path: Path, attribute: str, value: int
) -> None:
    folder = write_model_dir(tmp_path / "model")
    set_tree_attribute(folder, attribute, value)
    with pytest.raises(LifecycleError, match=r"model\.onnx: refusing a model that does not load"):
        load_model_dir(folder)


def test_the_azure_ml_entry_scripts_refuse_an_altered_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "azureml-model"
    folder = write_model_dir(root / "model")
    flip_byte(folder / "model.onnx")
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(root))
    monkeypatch.setenv(azureml_batch.OUTPUT_ENV, str(tmp_path / "out"))
    for entry in (azureml_online, azureml_batch):
        with pytest.raises(LifecycleError, match=r"model\.onnx: SHA-256 differs from the one"):
            entry.init()


def test_the_azure_ml_entry_scripts_refuse_a_crafted_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "azureml-model"
    crafted_folder(root / "model", feature_past_the_end)
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(root))
    monkeypatch.setenv(azureml_batch.OUTPUT_ENV, str(tmp_path / "out"))
    for entry in (azureml_online, azureml_batch):
        with pytest.raises(LifecycleError, match=MALFORMED.replace("(", r"\(")):
            entry.init()


def test_a_contract_altered_after_packaging_is_refused_naming_it(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "model")
    contract = folder / CONTRACT_FILE
    contract.write_text(contract.read_text().replace("{type: number}", "{type: integer}", 1))
    message = f"{contract}: SHA-256 differs from the one recorded in {folder / CARD_FILE}"
    refused_in_one_line(serve(folder, tmp_path), message)


def test_a_folder_without_its_contract_recorded_is_refused(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "model")
    (folder / CONTRACT_FILE).unlink()
    reseal(folder)  # a card sealed without the contract, as an old `package` left it
    with pytest.raises(LifecycleError, match=r"contract\.yaml: no SHA-256 recorded in .*again"):
        load_model_dir(folder)


def test_a_card_that_disagrees_with_its_contract_is_refused(tmp_path: Path) -> None:
    folder = write_model_dir(tmp_path / "model", name="binary")
    card = json.loads((folder / CARD_FILE).read_text())
    card["classes"] = ["stay", "churn"]
    (folder / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(
        LifecycleError, match=r'its classes \["stay", "churn"\] are not the classes'
    ):
        load_model_dir(folder)


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("mlops.classes", '["churn", "gold"]', "the model predicts classes ['gold'] that the"),
        ("mlops.classes", '{"churn": 1}', "mlops.classes is not a list of distinct labels"),
        ("mlops.probability_tolerance", "0.4", "mlops.probability_tolerance 0.4 is not in 0..1e-3"),
    ],
)
def test_an_onnx_classifier_whose_metadata_does_not_fit_the_contract_is_refused(
    tmp_path: Path, key: str, value: str, problem: str
) -> None:
    folder = write_model_dir(tmp_path / "model", name="binary")
    model = onnx.load(str(folder / "model.onnx"))
    entry = next(entry for entry in model.metadata_props if entry.key == key)
    entry.value = value
    onnx.save(model, str(folder / "model.onnx"))
    reseal(folder)
    with pytest.raises(LifecycleError) as raised:
        load_model_dir(folder)
    assert "model.onnx: refusing a model that does not load or predict (" in str(raised.value)
    assert problem in str(raised.value)
