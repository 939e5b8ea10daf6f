"""End to end on temporary MLflow stores: the whole chain, versions, aliases and lineage.

Tests that only read share one project that ran `all` once; every test that changes a registry
starts from a fresh project of its own.
"""

from __future__ import annotations

import mlflow.models
import pytest
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.tasks.base import task_for

from .conftest import invoke, invoke_json

WORSE = ("--param", "n_estimators=1", "--param", "max_depth=1")
FIGURES = {
    "regression": {"predicted_vs_actual.png", "residuals.png"},
    "binary": {"roc.png", "precision_recall.png", "confusion_matrix.png", "calibration.png"},
}


def better(settings: Settings, one: dict[str, float], other: dict[str, float]) -> bool:
    """Whether metrics `one` beat `other` on the task's promotion metric."""
    task = task_for(settings.contract)
    metric = task.primary_metric
    lower = task.lower_is_better[metric]
    return one[metric] < other[metric] if lower else one[metric] > other[metric]


def champion_version(settings: Settings) -> int:
    client = MlflowClient()
    return int(client.get_model_version_by_alias(settings.registered_model, "champion").version)


def version_tags(settings: Settings, version: int) -> dict[str, str]:
    return MlflowClient().get_model_version(settings.registered_model, str(version)).tags


def test_first_run_registers_version_1_as_champion(champion_project) -> None:
    settings, first = champion_project
    assert first["register"]["version"] == 1
    assert first["promote"]["promote"] is True
    assert champion_version(settings) == 1


def test_evaluation_logged_the_tasks_metrics_and_figures(champion_project) -> None:
    settings, first = champion_project
    task = task_for(settings.contract)
    client = MlflowClient()
    run = client.get_run(first["train"]["run_id"])
    expected = {f"test_{name}" for name in task.lower_is_better} | {f"val_{task.primary_metric}"}
    assert expected <= set(run.data.metrics)
    plots = {item.path for item in client.list_artifacts(run.info.run_id, "evaluation")}
    figures = {*FIGURES[settings.contract.task], "feature_importance.png"}
    assert plots == {f"evaluation/{name}" for name in figures}


def test_registered_version_carries_lineage_tags(champion_project) -> None:
    settings, first = champion_project
    tags = version_tags(settings, 1)
    assert tags["run_id"] == first["train"]["run_id"]
    assert tags["data_hash"] == first["prep"]["data_hash"]
    assert tags["author"] == "test-suite"
    assert tags["reason"] == "lifecycle run"
    assert tags["git_commit"]
    assert tags["registered_at"]
    assert tags["promotion.decision"] == "promoted"


def test_model_has_the_feature_signature_and_is_stored_with_skops(champion_project) -> None:
    settings, first = champion_project
    info = mlflow.models.get_model_info(first["train"]["model_uri"])
    inputs = info.signature.inputs.to_dict()
    assert [(column["name"], column["type"]) for column in inputs] == [
        (name, "double") for name in settings.contract.feature_names
    ]
    assert info.flavors["sklearn"]["serialization_format"] == "skops"
    assert info.flavors["sklearn"]["pickled_model"] == "model.skops"


def test_an_identical_retrain_is_version_2_and_does_not_replace_the_champion(project) -> None:
    invoke_json("all")
    second = invoke_json("all")
    assert second["register"]["version"] == 2
    assert second["promote"]["promote"] is False
    assert "gain +0.00% is below the required 1.00%" in second["promote"]["reason"]
    assert champion_version(project) == 1


def test_worse_model_is_registered_but_not_promoted(project: Settings) -> None:
    invoke_json("all")
    assert invoke("train", *WORSE).exit_code == 0
    registered = invoke_json("register", "--reason", "deliberately weak model")
    decision = invoke_json("promote")
    assert registered["version"] == 2
    assert decision["promote"] is False
    assert better(project, decision["champion_metrics"], decision["challenger_metrics"])
    assert champion_version(project) == 1
    tags = version_tags(project, 2)
    assert (tags["promotion.decision"], tags["promotion.compared_with"]) == ("rejected", "1")
    assert tags["reason"] == "deliberately weak model"


def test_registering_the_same_run_again_creates_no_new_version(champion_project) -> None:
    settings, first = champion_project
    again = invoke_json("register")  # a no-op, so the shared project stays as it was
    assert (again["version"], again["created"], again["run_id"]) == (
        1,
        False,
        first["train"]["run_id"],
    )
    assert len(MlflowClient().search_model_versions(f"name = '{settings.registered_model}'")) == 1


def test_dry_run_decides_but_changes_nothing(project: Settings) -> None:
    invoke_json("all")
    invoke_json("train", *WORSE)
    invoke_json("register")
    before = version_tags(project, 2)
    decision = invoke_json("promote", "--dry-run")
    assert (decision["dry_run"], decision["promote"]) == (True, False)
    assert version_tags(project, 2) == before
    assert "promotion.decision" not in before
    assert champion_version(project) == 1


def test_better_model_replaces_a_weak_champion(project: Settings) -> None:
    invoke_json("prep")
    invoke_json("train", *WORSE)
    invoke_json("register")
    assert invoke_json("promote")["promote"] is True  # the first version always wins
    invoke_json("train")
    invoke_json("register")
    decision = invoke_json("promote")
    assert decision["promote"] is True
    assert better(project, decision["challenger_metrics"], decision["champion_metrics"])
    assert champion_version(project) == 2


@pytest.mark.parametrize("step", ["evaluate", "register"])
def test_steps_out_of_order_say_what_to_run(project: Settings, step: str) -> None:
    invoke_json("prep")
    result = invoke(step)
    assert result.exit_code == 1
    assert "no finished training run" in result.stderr
    assert "run `train` first" in result.stderr
