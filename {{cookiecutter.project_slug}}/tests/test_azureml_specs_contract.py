"""The Azure ML specs follow the data contract: `azureml-specs` writes them, the tests hold them.

The committed sample request and drift monitor are what `azureml-specs` writes for the project's
contract and data; test contracts of every task give classification monitors and typed sample
rows; `--check` names every stale file and writes nothing; every file it writes still loads with
azure-ai-ml's own loaders.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from {{ cookiecutter.package_name }}.contract.inputs import (
    features_from_rows,
    features_from_table,
)
from {{ cookiecutter.package_name }}.contract.schema import Column, Contract, Target
from {{ cookiecutter.package_name }}.deploy.monitor_spec import monitor_text
from {{ cookiecutter.package_name }}.deploy.sample_request import (
    json_value,
    render_request,
)
from {{ cookiecutter.package_name }}.deploy.specs import MONITOR, SAMPLE_REQUEST
from {{ cookiecutter.package_name }}.lifecycle.data import prepare
from {{ cookiecutter.package_name }}.settings import Settings, load_settings

from .conftest import PROJECT_ROOT, invoke
from .contracts import CONTRACTS, TASKS
from .test_azureml_specs import load_schedule, load_text, monitor_problems
from .test_prep import labelled, use_contract, write_csv

SPECS = (SAMPLE_REQUEST, MONITOR)
FIX = "run `make azureml-specs` (after `make prep`)"
TYPES = {"number": float, "integer": int, "boolean": bool, "category": str}  # JSON, per column


def with_specs(settings: Settings) -> Settings:
    """Copy the committed specs into the project."""
    for relative in SPECS:
        target = settings.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / relative, target)
    return settings


def prepared_from_source(project: Settings) -> Settings:
    """The project prepared from mlops.toml's [data] source, as `make prep` does it."""
    source = project.data_source
    prepare(project, None if source.startswith("sklearn:") else PROJECT_ROOT / source)
    return with_specs(project)


def prepared_with(project: Settings, tmp_path: Path, task: str) -> Settings:
    """The project under the test contract of `task`, prepared from a table drawn under it."""
    settings = use_contract(project, CONTRACTS[task])
    prepare(settings, write_csv(tmp_path, labelled(task, rows=120)))
    return with_specs(settings)


def request_of(settings: Settings) -> dict[str, Any]:
    """The project's sample request, parsed."""
    text = (settings.root / SAMPLE_REQUEST).read_text(encoding="utf-8")
    return json.loads(text)["input_data"]


def untyped(contract: Contract, rows: list[list[Any]]) -> list[tuple[str, Any]]:
    """Cells not sent as the JSON type of their column (null aside)."""
    return [
        (column.name, value)
        for row in rows
        for column, value in zip(contract.features, row, strict=True)
        if value is not None and type(value) is not TYPES[column.type]
    ]


def test_the_committed_specs_are_what_azureml_specs_writes(project: Settings) -> None:
    settings = prepared_from_source(project)
    result = invoke("azureml-specs", "--check")
    assert result.exit_code == 0, f"{result.stdout}{result.stderr}\n{FIX}"
    assert result.stdout.splitlines() == [f"{relative}: up to date" for relative in SPECS]
    assert monitor_problems(load_schedule(settings.root / MONITOR), settings) == []


def test_the_committed_sample_request_passes_the_contracts_request_validation() -> None:
    contract = load_settings(PROJECT_ROOT).contract
    text = (PROJECT_ROOT / SAMPLE_REQUEST).read_text(encoding="utf-8")
    request = json.loads(text)["input_data"]
    assert request["columns"] == list(contract.feature_names), FIX
    assert len(features_from_rows(contract, request["columns"], request["data"])) == 3
    assert untyped(contract, request["data"]) == [], FIX
    assert render_request(contract, request["index"], request["data"]) == text, FIX


@pytest.mark.parametrize("task", TASKS)
def test_a_mixed_contract_of_any_task_gives_its_tasks_monitor_and_typed_rows(
    project: Settings, tmp_path: Path, task: str
) -> None:
    settings = prepared_with(project, tmp_path, task)
    result = invoke("azureml-specs")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [f"{relative}: written" for relative in SPECS]
    contract, request = settings.contract, request_of(settings)
    assert request["columns"] == list(contract.feature_names)
    head = pd.read_parquet(settings.processed_dir / "test.parquet").head(3)
    assert request["index"] == [int(label) for label in head.index]
    assert untyped(contract, request["data"]) == []
    sent = features_from_rows(contract, request["columns"], request["data"])
    split = features_from_table(contract, {name: head[name] for name in head.columns})
    pd.testing.assert_frame_equal(sent.frame(contract), split.frame(contract))  # as the model reads
    schedule: Any = load_schedule(settings.root / MONITOR)
    ml_task = "regression" if task == "regression" else "classification"
    assert schedule.create_monitor.monitoring_target.ml_task.lower() == ml_task
    assert monitor_problems(schedule, settings) == []
    assert invoke("azureml-specs", "--check").exit_code == 0


def test_only_the_task_and_target_lines_of_the_monitor_change(
    project: Settings, tmp_path: Path
) -> None:
    settings = prepared_with(project, tmp_path, "binary")
    before = (settings.root / MONITOR).read_text(encoding="utf-8").splitlines()
    assert invoke("azureml-specs").exit_code == 0
    after = (settings.root / MONITOR).read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before)
    changed = {new.strip() for old, new in zip(before, after, strict=True) if old != new}
    assert "target_column: churn" in changed
    assert changed <= {"target_column: churn", "ml_task: classification"}


@pytest.mark.parametrize(
    ("target", "written"),
    [
        ("no", '"no"'),
        ("2024", '"2024"'),
        ("a: b", '"a: b"'),
        ("y #1", '"y #1"'),
        ("label", "label"),
    ],
)
def test_a_target_name_yaml_would_misread_is_quoted(target: str, written: str) -> None:
    contract = Contract("regression", Target(target), (Column("x", "number"),))
    text = monitor_text(contract, (PROJECT_ROOT / MONITOR).read_text(encoding="utf-8"), MONITOR)
    assert f"target_column: {written}\n" in text
    assert monitor_text(contract, text, MONITOR) == text  # the quoted line is found again
    schedule: Any = load_text(load_schedule, "monitoring/monitor.yml", yaml.safe_load(text))
    reference = schedule.create_monitor.monitoring_signals["prediction_drift"].reference_data
    assert reference.data_column_names["target_column"] == target


def test_check_names_every_stale_file_and_writes_nothing(project: Settings) -> None:
    settings = prepared_from_source(project)
    request, monitor = settings.root / SAMPLE_REQUEST, settings.root / MONITOR
    data = json.loads(request.read_text(encoding="utf-8"))
    data["input_data"]["data"] = data["input_data"]["data"][:2]
    request.write_text(json.dumps(data), encoding="utf-8")
    text = monitor.read_text(encoding="utf-8")
    monitor.write_text(re.sub(r"ml_task: \w+", "ml_task: question_answering", text), "utf-8")
    stale = {path: path.read_bytes() for path in (request, monitor)}
    result = invoke("azureml-specs", "--check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"{SAMPLE_REQUEST}: stale" in lines
    assert f"{MONITOR}: stale" in lines
    assert any("has `ml_task: question_answering`, expected `ml_task: " in line for line in lines)
    assert lines[-1] == f"2 spec(s) do not follow the contract: {FIX}"
    assert {path: path.read_bytes() for path in stale} == stale


def test_write_mode_fixes_what_check_found(project: Settings) -> None:
    settings = prepared_from_source(project)
    request = settings.root / SAMPLE_REQUEST
    committed = request.read_bytes()
    request.write_text('{"input_data": {}}\n', encoding="utf-8")
    result = invoke("azureml-specs", "--json")
    assert result.exit_code == 0, result.stderr
    files = {item["path"]: item["status"] for item in json.loads(result.stdout)["files"]}
    assert files == {SAMPLE_REQUEST: "written", MONITOR: "up to date"}
    assert request.read_bytes() == committed


def test_without_prepared_data_it_refuses_and_writes_nothing(project: Settings) -> None:
    settings = with_specs(project)
    before = {relative: (settings.root / relative).read_bytes() for relative in SPECS}
    result = invoke("azureml-specs")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1].endswith("run `prep` first")
    assert {relative: (settings.root / relative).read_bytes() for relative in SPECS} == before


@pytest.mark.parametrize(
    ("broken", "error"),
    [
        (
            "ml_task: ",
            f"{MONITOR} has no `ml_task:` line to set: restore the file from the template",
        ),
        ("", f"{MONITOR} is missing: restore it from the template"),
    ],
)
def test_a_broken_monitor_is_refused_by_name_and_nothing_is_written(
    project: Settings, broken: str, error: str
) -> None:
    settings = prepared_from_source(project)
    request, monitor = settings.root / SAMPLE_REQUEST, settings.root / MONITOR
    request.write_text("{}\n", encoding="utf-8")  # stale: would be written
    if broken:
        text = monitor.read_text(encoding="utf-8")
        monitor.write_text(text.replace(broken, f"# {broken}"), encoding="utf-8")
    else:
        monitor.unlink()
    result = invoke("azureml-specs")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {error}"
    assert request.read_text(encoding="utf-8") == "{}\n"


def test_split_cells_are_sent_as_the_json_a_client_writes() -> None:
    cells: dict[str, list[Any]] = {
        "number": [0.1, np.float64(2.5), np.float64(0.04534098333546186), np.nan],
        "integer": [3.0, np.nan],
        "boolean": [1.0, 0.0, np.nan],
        "category": ["red", "1", ""],
    }
    sent = {
        kind: json.dumps([json_value(Column(kind, kind, nullable=True), cell) for cell in values])
        for kind, values in cells.items()
    }
    assert sent == {
        "number": "[0.1, 2.5, 0.045340985, null]",  # as the float32 the model reads
        "integer": "[3, null]",
        "boolean": "[true, false, null]",
        "category": '["red", "1", null]',
    }
