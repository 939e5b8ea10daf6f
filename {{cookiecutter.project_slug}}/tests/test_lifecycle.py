"""End to end on a temporary MLflow store: the whole chain, versions, aliases and lineage."""

from __future__ import annotations

from pathlib import Path

import mlflow.models
import pytest
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.settings import Settings

from .conftest import invoke, invoke_json, make_project

WORSE = ("--param", "n_estimators=1", "--param", "max_depth=1")


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory: pytest.TempPathFactory):
    """One project that has run `all` once; tests below continue from there in order."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = make_project(tmp_path_factory.mktemp("project"), monkeypatch)
        first = invoke_json("all")
        yield settings, first, MlflowClient()


def champion_version(client: MlflowClient, settings: Settings) -> int:
    return int(client.get_model_version_by_alias(settings.registered_model, "champion").version)


def test_first_run_registers_version_1_as_champion(lifecycle) -> None:
    settings, first, client = lifecycle
    assert first["register"]["version"] == 1
    assert first["promote"]["promote"] is True
    assert champion_version(client, settings) == 1


def test_evaluation_logged_metrics_and_three_plots(lifecycle) -> None:
    _, first, client = lifecycle
    run = client.get_run(first["train"]["run_id"])
    assert {"test_rmse", "test_mae", "test_r2", "val_rmse"} <= set(run.data.metrics)
    plots = {item.path for item in client.list_artifacts(run.info.run_id, "evaluation")}
    assert plots == {
        "evaluation/predicted_vs_actual.png",
        "evaluation/residuals.png",
        "evaluation/feature_importance.png",
    }


def test_registered_version_carries_lineage_tags(lifecycle) -> None:
    settings, first, client = lifecycle
    tags = client.get_model_version(settings.registered_model, "1").tags
    assert tags["run_id"] == first["train"]["run_id"]
    assert tags["data_hash"] == first["prep"]["data_hash"]
    assert tags["author"] == "test-suite"
    assert tags["reason"] == "lifecycle run"
    assert tags["git_commit"]
    assert tags["registered_at"]
    assert tags["promotion.decision"] == "promoted"


def test_model_has_the_diabetes_signature_and_is_stored_with_skops(lifecycle) -> None:
    _, first, _ = lifecycle
    info = mlflow.models.get_model_info(first["train"]["model_uri"])
    inputs = info.signature.inputs.to_dict()
    assert [(column["name"], column["type"]) for column in inputs] == [
        (name, "double") for name in ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")
    ]
    assert info.flavors["sklearn"]["serialization_format"] == "skops"
    assert info.flavors["sklearn"]["pickled_model"] == "model.skops"


def test_running_all_again_gives_version_2(lifecycle) -> None:
    settings, _, client = lifecycle
    second = invoke_json("all")
    assert second["register"]["version"] == 2
    assert champion_version(client, settings) in {1, 2}


def test_worse_model_is_registered_but_not_promoted(lifecycle) -> None:
    settings, _, client = lifecycle
    before = champion_version(client, settings)
    assert invoke("train", *WORSE).exit_code == 0
    registered = invoke_json("register", "--reason", "deliberately weak model")
    decision = invoke_json("promote")
    assert registered["version"] == 3
    assert decision["promote"] is False
    assert decision["challenger_metrics"]["rmse"] > decision["champion_metrics"]["rmse"]
    assert champion_version(client, settings) == before
    tags = client.get_model_version(settings.registered_model, "3").tags
    assert tags["promotion.decision"] == "rejected"
    assert tags["promotion.compared_with"] == str(before)


def test_registering_the_same_run_twice_creates_no_new_version(lifecycle) -> None:
    again = invoke_json("register")
    assert (again["version"], again["created"]) == (3, False)


def test_dry_run_changes_nothing(lifecycle) -> None:
    settings, _, client = lifecycle
    before = client.get_model_version(settings.registered_model, "3").tags
    decision = invoke_json("promote", "--dry-run")
    assert decision["dry_run"] is True
    assert client.get_model_version(settings.registered_model, "3").tags == before


def test_better_model_replaces_a_weak_champion(tmp_path: Path, monkeypatch) -> None:
    settings = make_project(tmp_path, monkeypatch)
    invoke_json("prep")
    invoke_json("train", *WORSE)
    invoke_json("register")
    assert invoke_json("promote")["promote"] is True  # the first version always wins
    invoke_json("train")
    invoke_json("register")
    decision = invoke_json("promote")
    assert decision["promote"] is True
    assert decision["challenger_metrics"]["rmse"] < decision["champion_metrics"]["rmse"]
    assert champion_version(MlflowClient(), settings) == 2
