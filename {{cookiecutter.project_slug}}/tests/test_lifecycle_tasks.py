"""The whole lifecycle on your own data: a table of any task with categories, booleans, an id,
nullable and sensitive columns goes through `all --input` and `package` with no code edited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.contract.load import load_contract
from {{ cookiecutter.package_name }}.lifecycle.packaging import package_model
from {{ cookiecutter.package_name }}.settings import Settings, load_settings

from .conftest import invoke_json
from .contracts import TASKS, with_sensitive
from .test_prep import labelled, use_contract

SENSITIVE = {"regression": "autopay", "binary": "region", "multiclass": "plan"}
PRIMARY = {"regression": "rmse", "binary": "roc_auc", "multiclass": "f1_macro"}


@pytest.mark.parametrize("task", TASKS)
def test_all_on_a_mixed_table_of_any_task_registers_a_champion_with_its_contract(
    project: Settings, tmp_path: Path, task: str
) -> None:
    settings = use_contract(project, with_sensitive(task, SENSITIVE[task]))
    data = tmp_path / "mine.csv"
    labelled(task, rows=240).to_csv(data, index=False)
    result = invoke_json("all", "--input", str(data))
    assert result["promote"]["promote"] is True
    trained, evaluated = result["train"], result["evaluate"]
    primary = PRIMARY[task]
    assert primary in trained["validation_metrics"]
    assert primary in evaluated["metrics"]
    assert (trained["decision_threshold"] is not None) is (task == "binary")
    assert evaluated["fairness"]["columns"][0]["column"] == SENSITIVE[task]
    folder = package_model(load_settings(settings.root), None, tmp_path / "model").path
    card = json.loads((folder / "model_card.json").read_text(encoding="utf-8"))
    contract = load_contract(folder / "contract.yaml")
    assert contract.sha256 == settings.contract.sha256
    assert (card["task"], card["classes"]) == (task, list(contract.target.classes))
    assert card["threshold"] == trained["decision_threshold"]
    assert card["fairness"]["metric"] == primary
    assert list(card["features"]) == list(contract.feature_names)
