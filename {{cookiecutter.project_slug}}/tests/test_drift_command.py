"""`drift` for every task: collected lines, tables and Azure ML files read through the model
folder's contract, verdicts per feature and per model output, the report, the event, errors.

The model folders and data are built from the test contracts (contracts.py): a
seeded "training" table gives the baseline; a fresh draw of the same population must not
drift, a draw with one column moved must drift in exactly that column.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import mlflow
import orjson
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.contract.load import CONTRACT_FILE, load_contract
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.model.baseline import (
    ARTIFACT_PATH,
    BASELINE_FILE,
)
from {{ cookiecutter.package_name }}.monitoring.check import run_check
from {{ cookiecutter.package_name }}.monitoring.reference import file_reference
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.tasks.base import Prediction

from .conftest import invoke, invoke_json
from .contracts import TASKS, Draw, contract_of, table
from .monitoring_fixtures import RuleModel, collect_frame, write_model_folder

TRAINING_ROWS, CURRENT_ROWS = 1500, 400
SHIFTS = {
    "plan": Draw(shares={"plan": [0.1, 0.2, 0.7]}),
    "paperless": Draw(true_share={"paperless": 0.8}),
    "autopay": Draw(missing={"autopay": 0.6}),
    "region": Draw(missing={"region": 0.6}),
}


def model_folder(root: Path, task: str) -> Path:
    """A packaged model folder of `task` whose baseline is a seeded training table."""
    frame = table(contract_of(task), TRAINING_ROWS, seed=10)
    return write_model_folder(root / f"model-{task}", task, frame)


def drift(*args: str) -> tuple[int, dict[str, Any], str]:
    result = invoke("drift", *args, "--json")
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout), result.stderr


def logs_of(task: str, folder: Path, draw: Draw | None = None, seed: int = 11) -> Path:
    contract = contract_of(task)
    collect_frame(contract, folder, table(contract, CURRENT_ROWS, seed, draw))
    return folder


@pytest.mark.parametrize("task", TASKS)
def test_collected_lines_of_the_training_population_do_not_drift(
    task: str, project: Settings, tmp_path: Path
) -> None:
    reference = model_folder(tmp_path, task)
    current = logs_of(task, tmp_path / "collected")
    code, result, _ = drift("--current", str(current), "--reference", str(reference))
    assert (code, result["drifted"], result["drifted_features"]) == (0, False, [])
    assert (result["task"], result["current"]["rows"]) == (task, CURRENT_ROWS)
    assert result["current"]["model_versions"] == {"5": CURRENT_ROWS}
    assert sorted(result["columns"]) == sorted(contract_of(task).feature_names)
    outputs = ["prediction", "probability"] if task == "binary" else ["prediction"]
    assert sorted(result["outputs"]) == outputs
    assert (result["model"], result["model_version"]) == ("drift-test", "4")


@pytest.mark.parametrize("column", list(SHIFTS))
def test_a_shifted_categorical_column_drifts_alone(
    column: str, project: Settings, tmp_path: Path
) -> None:
    reference = model_folder(tmp_path, "binary")
    current = logs_of("binary", tmp_path / "collected", SHIFTS[column])
    report = tmp_path / "report"
    code, result, _ = drift(
        "--current", str(current), "--reference", str(reference), "--report", str(report)
    )
    assert (code, result["drifted_features"], result["prediction_drifted"]) == (1, [column], False)
    verdict = result["columns"][column]
    assert (verdict["kind"], verdict["test"], verdict["drifted"]) == (
        "categorical",
        "chi-square",
        True,
    )
    assert sum(verdict["current_counts"]) == CURRENT_ROWS


def test_a_classifier_whose_label_shares_follow_a_shifted_category_has_prediction_drift(
    project: Settings, tmp_path: Path
) -> None:
    reference = model_folder(tmp_path, "multiclass")
    current = logs_of("multiclass", tmp_path / "collected", Draw(shares={"plan": [0.1, 0.1, 0.8]}))
    code, result, _ = drift("--current", str(current), "--reference", str(reference))
    assert (code, result["drifted_features"], result["drifted_outputs"]) == (
        1,
        ["plan"],
        ["prediction"],
    )
    labels = result["outputs"]["prediction"]
    assert (labels["test"], labels["labels"]) == ("chi-square", ["3", "1", "2"])


def test_a_binary_classifier_drifts_in_its_labels_and_its_positive_probability(
    project: Settings, tmp_path: Path
) -> None:
    reference = model_folder(tmp_path, "binary")
    current = logs_of("binary", tmp_path / "collected", Draw(offset={"tenure": 60.0}))
    result = invoke("drift", "--current", str(current), "--reference", str(reference))
    assert result.exit_code == 1
    assert re.match(
        r"drift: tenure \(PSI [\d.]+, p=\S+\), prediction \(PSI .*\), probability \(PSI ",
        result.stdout,
    )


def test_a_regression_whose_number_moves_drifts_in_it_and_its_predictions(
    project: Settings, tmp_path: Path
) -> None:
    reference = model_folder(tmp_path, "regression")
    current = logs_of("regression", tmp_path / "collected", Draw(offset={"tenure": 30.0}))
    code, result, _ = drift("--current", str(current), "--reference", str(reference))
    assert (code, result["drifted_features"], result["drifted_outputs"]) == (
        1,
        ["tenure"],
        ["prediction"],
    )
    assert result["columns"]["tenure"]["test"] == "KS"  # no missing values: KS alone


class CountingModel(RuleModel):
    """RuleModel that records the rows of each call."""

    def __init__(self, task: str) -> None:
        super().__init__(contract_of(task))
        self.calls: list[int] = []

    def predict(self, rows: Features) -> Prediction:
        """RuleModel's prediction; the call is recorded."""
        self.calls.append(len(rows))
        return super().predict(rows)


@pytest.mark.parametrize(("draw", "drifted"), [(None, []), (SHIFTS["plan"], ["plan"])])
def test_a_csv_file_is_read_through_the_contract_and_scored_once_by_the_model(
    project: Settings, tmp_path: Path, draw: Draw | None, drifted: list[str]
) -> None:
    reference = file_reference(model_folder(tmp_path, "binary"), project)
    current = tmp_path / "current.csv"
    table(reference.contract, CURRENT_ROWS, 12, draw).to_csv(current, index=False)
    model = CountingModel("binary")
    result, lines = run_check(project, reference, current, model, tmp_path / "report")
    assert model.calls == [CURRENT_ROWS]
    assert result["drifted_features"] == drifted
    assert lines[0].startswith(
        "drift: plan (PSI "
        if drifted
        else "no drift in 7 features and the prediction and probability"
    )


def test_a_parquet_file_is_read_with_its_native_types(project: Settings, tmp_path: Path) -> None:
    reference = file_reference(model_folder(tmp_path, "multiclass"), project)
    current = tmp_path / "current.parquet"
    table(reference.contract, CURRENT_ROWS, 13).to_parquet(current)
    result, _ = run_check(
        project, reference, current, CountingModel("multiclass"), tmp_path / "report"
    )
    assert (result["drifted"], result["current"]["rows"]) == (False, CURRENT_ROWS)


def write_azureml_logs(frame: pd.DataFrame, folder: Path) -> None:
    """What Azure ML's data collector stores: model_inputs and model_outputs CloudEvent lines."""
    for kind in ("model_inputs", "model_outputs"):
        lines = []
        for start in range(0, len(frame), 10):
            chunk = frame.iloc[start : start + 10]
            chunk = chunk.astype(object).where(chunk.notna(), None)
            data = chunk.to_dict("records") if kind == "model_inputs" else [{"churn": "stay"}]
            event = {
                "specversion": "1.0",
                "type": f"azureml.inference.{kind}",
                "data": data,
                "correlationid": f"c-{start}",
                "modelversion": "default",
            }
            lines.append(orjson.dumps(event).decode())
        path = folder / kind / "2026" / "11" / "29" / "09" / "part.jsonl"
        path.parent.mkdir(parents=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("draw", "drifted"), [(None, []), (SHIFTS["paperless"], ["paperless"])])
def test_azure_ml_collector_files_are_read_and_their_inputs_scored_in_one_call(
    project: Settings, tmp_path: Path, draw: Draw | None, drifted: list[str]
) -> None:
    reference = file_reference(model_folder(tmp_path, "binary"), project)
    frame = table(reference.contract, CURRENT_ROWS, 14, draw)
    write_azureml_logs(frame, tmp_path / "collected")
    model = CountingModel("binary")
    result, _ = run_check(project, reference, tmp_path / "collected", model, tmp_path / "report")
    assert model.calls == [CURRENT_ROWS]  # model_outputs lines hold no inputs
    assert result["current"]["model_versions"] == {"default": CURRENT_ROWS}
    assert result["drifted_features"] == drifted


def test_the_report_lists_drifted_columns_first_with_one_chart_each(
    project: Settings, tmp_path: Path
) -> None:
    reference = model_folder(tmp_path, "binary")
    current = logs_of("binary", tmp_path / "collected", SHIFTS["region"])
    code, result, _ = drift(
        "--current",
        str(current),
        "--reference",
        str(reference),
        "--report",
        str(tmp_path / "report"),
    )
    assert code == 1
    html = (tmp_path / "report" / "drift.html").read_text(encoding="utf-8")
    assert "<h1>Drift detected</h1>" in html
    rows = re.findall(r"<tr(?: class=\"drifted\")?>\n<td>([^<]+)</td><td>(\w+)</td>", html)
    assert rows[0] == ("region", "categorical")
    assert [name for name, _ in rows[1:]] == [
        "tenure", "monthly", "visits", "plan", "paperless", "autopay", "prediction", "probability",
    ]  # fmt: skip
    assert re.search(r"<td>\(missing\): \d+\.\d% -&gt; [56]\d\.\d%</td>", html)  # what moved most
    images = html.split('src="data:image/png;base64,')[1:]
    assert len(images) == 9  # the seven features and the two outputs
    assert all(base64.b64decode(image.split('"')[0]).startswith(b"\x89PNG") for image in images)
    alts = re.findall(r'<img alt="([^:]+): reference vs current shares"', html)
    assert alts[0] == "region"
    saved = json.loads((tmp_path / "report" / "drift.json").read_text(encoding="utf-8"))
    assert saved["columns"]["region"]["labels"] == ["north", "south", "(missing)"]
    assert saved == {**result, "report": saved["report"]}


def test_drift_emits_a_drift_detected_event_naming_each_column_and_its_test(
    project: Settings, tmp_path: Path
) -> None:
    reference = model_folder(tmp_path, "multiclass")
    current = logs_of("multiclass", tmp_path / "collected", Draw(shares={"plan": [0.1, 0.1, 0.8]}))
    drift("--current", str(current), "--reference", str(reference))
    sink = project.monitoring.events.path
    [event] = [json.loads(line) for line in sink.read_text(encoding="utf-8").splitlines()]
    assert event["type"].endswith(".drift_detected")
    assert event["data"]["drifted"] == ["plan", "prediction"]
    assert event["data"]["test"] == {"plan": "chi-square", "prediction": "chi-square"}
    assert set(event["data"]["p_value"]) == {"plan", "prediction"}
    assert (event["data"]["model_version"], event["data"]["rows"]) == ("4", CURRENT_ROWS)


GOOD = {
    "features": ["plan", "tenure", "monthly", "visits", "region", "paperless", "autopay"],
    "inputs": [["pro", 1, None, None, None, True, None]],
    "outputs": ["stay"],
    "probabilities": [[0.7, 0.3]],
}
NO_PROBABILITIES = {key: value for key, value in GOOD.items() if key != "probabilities"}


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "unexpected character"),
        ({**GOOD, "features": ["plan"], "inputs": [["pro"]]}, "missing column 'tenure'"),
        ({"inputs": [], "outputs": []}, "expected an object with features, inputs, outputs"),
        (
            {**GOOD, "inputs": [["gold", 1, None, None, None, True, None]]},
            '"gold" is not a category of \'plan\': "basic", "plus", "pro"',
        ),
        (
            {**GOOD, "inputs": [["pro", 1, None, None, None, "true", None]]},
            '"true" is not true or false',
        ),
        (
            {**GOOD, "outputs": ["maybe"]},
            '"outputs" holds "maybe", not one of the classes churn, stay',
        ),
        (NO_PROBABILITIES, '"probabilities" must be 1 rows of 2 class probabilities'),
        ({**GOOD, "probabilities": [[0.5, 1.5]]}, "each a number from 0 to 1"),
        ({**GOOD, "outputs": ["stay", "churn"]}, '"outputs" must be a list of 1 predictions'),
    ],
)
def test_a_malformed_line_exits_2_naming_file_and_line(
    project: Settings, tmp_path: Path, line: Any, problem: str
) -> None:
    reference = model_folder(tmp_path, "binary")
    good = orjson.dumps(GOOD).decode()
    path = tmp_path / "logs.jsonl"
    text = line if isinstance(line, str) else orjson.dumps(line).decode()
    path.write_text(f"{good}\n{text}\n", encoding="utf-8")
    result = invoke("drift", "--current", str(path), "--reference", str(reference))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(f"Error: {path}:2: ")
    assert problem in result.stderr
    assert result.stderr.rstrip().endswith("fix or remove the line")


def test_a_format_1_baseline_exits_2_asking_for_a_retrain(
    project: Settings, tmp_path: Path
) -> None:
    reference = model_folder(tmp_path, "binary")
    reference.write_text(
        json.dumps({"format": 1, "features": {}, "prediction": {}}), encoding="utf-8"
    )
    result = invoke("drift", "--current", str(tmp_path), "--reference", str(reference))
    assert result.exit_code == 2
    assert "a format-1 drift baseline, taken before the data contract; retrain" in result.stderr


def test_a_model_folder_without_its_contract_exits_2_asking_to_package_again(
    project: Settings, tmp_path: Path
) -> None:
    reference = model_folder(tmp_path, "binary")
    (reference.parent / "contract.yaml").unlink()
    result = invoke("drift", "--current", str(tmp_path), "--reference", str(reference))
    assert result.exit_code == 2
    assert "a model folder without contract.yaml; package the model again" in result.stderr


def test_a_bare_baseline_file_is_read_with_the_projects_contract(
    project: Settings, tmp_path: Path
) -> None:
    bare = tmp_path / "bare" / "baseline.json"
    bare.parent.mkdir()
    other = "binary" if project.contract.task == "regression" else "regression"
    bare.write_bytes(model_folder(tmp_path, other).read_bytes())
    result = invoke("drift", "--current", str(tmp_path), "--reference", str(bare))
    assert result.exit_code == 2  # the project's contract (data/contract.yaml) has another task
    assert (
        f"Error: {bare}: not a drift baseline of this model (it was taken for a {other} model"
        in result.stderr
    )


def test_without_current_data_drift_exits_2_naming_the_collection_folder(
    project: Settings, tmp_path: Path
) -> None:
    reference = model_folder(tmp_path, "regression")
    result = invoke("drift", "--reference", str(reference))
    assert result.exit_code == 2
    folder = project.monitoring.collection.directory
    assert f"Error: no current data: {folder} does not exist; enable collection" in result.stderr


def test_a_folder_without_rows_exits_2(project: Settings, tmp_path: Path) -> None:
    reference = model_folder(tmp_path, "regression")
    (tmp_path / "empty").mkdir()
    (tmp_path / "blank").mkdir()
    (tmp_path / "blank" / "day.jsonl").write_text("\n\n", encoding="utf-8")
    for folder, message in (("empty", "no .jsonl, .csv or .parquet under"), ("blank", "no rows")):
        result = invoke("drift", "--current", str(tmp_path / folder), "--reference", str(reference))
        assert (result.exit_code, message in result.stderr) == (2, True), result.stderr


# The lifecycle: `train` logs the baseline, `package` ships it with the contract, `drift` finds
# the champion's. These run the project's own data (whatever its contract) through `all`.


def project_contract(settings: Settings) -> Contract:
    return load_contract(settings.contract_path)


def split(settings: Settings, name: str) -> pd.DataFrame:
    return pd.read_parquet(settings.processed_dir / f"{name}.parquet")


def moved(settings: Settings) -> tuple[pd.DataFrame, list[str]]:
    """The test split with its first two numeric features moved by 1.5 training std."""
    frame, train = split(settings, "test"), split(settings, "train")
    numeric = [column.name for column in project_contract(settings).features if column.is_numeric]
    for name in numeric[:2]:
        frame[name] = frame[name] + 1.5 * train[name].std()
    return frame, numeric[:2]


def test_train_logs_the_baseline_of_the_training_split_with_the_run(champion_project) -> None:
    settings, first = champion_project
    run_id = first["train"]["run_id"]
    logged = {item.path for item in MlflowClient().list_artifacts(run_id, "baseline")}
    assert logged == {ARTIFACT_PATH}
    computed = mlflow.artifacts.load_dict(f"runs:/{run_id}/{ARTIFACT_PATH}")
    assert (computed["format"], computed["task"]) == (2, project_contract(settings).task)
    assert computed["rows"] == first["prep"]["rows"]["train"]
    assert computed["data_hash"] == first["prep"]["data_hash"]
    prediction = computed["outputs"]["prediction"]  # numbers: a histogram; labels: counts
    counts = prediction.get("histogram", prediction)["counts"]
    assert sum(counts) == computed["rows"]


def test_package_puts_the_baseline_beside_the_model_and_its_contract(
    champion_project, tmp_path: Path
) -> None:
    settings, first = champion_project
    packaged = invoke_json("package", "--output", str(tmp_path / "model"))
    assert {BASELINE_FILE, CONTRACT_FILE} <= set(packaged["files"])
    copied = json.loads((tmp_path / "model" / BASELINE_FILE).read_text(encoding="utf-8"))
    run_id = first["train"]["run_id"]
    assert copied == mlflow.artifacts.load_dict(f"runs:/{run_id}/{ARTIFACT_PATH}")
    assert load_contract(tmp_path / "model" / CONTRACT_FILE) == project_contract(settings)


def test_the_test_split_does_not_drift_from_the_champions_baseline(
    champion_project, tmp_path: Path
) -> None:
    settings, _ = champion_project
    current = tmp_path / "test.csv"
    split(settings, "test").to_csv(current, index=False)
    code, result, _ = drift("--current", str(current), "--report", str(tmp_path / "report"))
    assert (code, result["drifted_features"]) == (0, [])
    assert (result["current"]["rows"], result["model_version"]) == (
        len(split(settings, "test")),
        "1",
    )


def test_two_moved_features_drift_exactly_and_the_champion_scores_them(
    champion_project, tmp_path: Path
) -> None:
    settings, _ = champion_project
    frame, names = moved(settings)
    current = tmp_path / "moved.csv"
    frame.to_csv(current, index=False)
    code, result, _ = drift("--current", str(current), "--report", str(tmp_path / "report"))
    assert (code, result["drifted_features"]) == (1, names)
    assert result["reference"] == f"models:/{settings.registered_model}@champion (version 1)"


def test_a_packaged_baseline_is_checked_with_its_own_model_without_the_registry(
    champion_project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = champion_project
    invoke_json("package", "--output", str(tmp_path / "model"))
    frame, names = moved(settings)
    current = tmp_path / "moved.csv"
    frame.to_csv(current, index=False)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/absent/mlflow.db")
    reference = tmp_path / "model" / BASELINE_FILE
    code, result, _ = drift("--current", str(current), "--reference", str(reference))
    assert (code, result["drifted_features"]) == (1, names)
    assert (result["reference"], result["model_version"]) == (str(reference), "1")


FAKE_AZ = """
import json, os, shutil, sys
from pathlib import Path
args = sys.argv[1:]
with open(os.environ["FAKE_AZ_LOG"], "a") as log:
    log.write(" ".join(args) + "\\n")
def option(name):
    return args[args.index(name) + 1]
command = " ".join(args[:3])
if args[:2] == ["extension", "add"]:
    pass
elif command == "ml online-endpoint show":
    print(json.dumps({"blue": 10, "green": 90}))
elif command == "ml online-deployment show":
    print("azureml:serving:1")
elif command == "ml model download":  # az lays a model out as <path>/<name>/<its folder>
    target = Path(option("--download-path")) / option("--name") / "v1"
    shutil.copytree(os.environ["FAKE_AZ_MODEL"], target)
elif command == "ml data download":
    shutil.copytree(os.environ["FAKE_AZ_COLLECTED"], option("--download-path"))
else:
    sys.exit(f"unexpected az call: {args}")
"""


def fetch_drift_inputs(tmp_path: Path, model: Path, collected: Path) -> subprocess.CompletedProcess:
    """tools/drift_inputs.sh against a fake `az` serving `model` and `collected` from `green`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "az").write_text(f"#!{sys.executable}{FAKE_AZ}", encoding="utf-8")
    (bin_dir / "az").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_AZ_LOG": str(tmp_path / "az.log"),
        "FAKE_AZ_MODEL": str(model),
        "FAKE_AZ_COLLECTED": str(collected),
    }
    script = Path(__file__).parents[1] / "tools" / "drift_inputs.sh"
    command = ["bash", str(script), "endpoint", "serving", str(tmp_path / "inputs")]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def test_the_scheduled_check_fetches_the_live_models_folder_and_drift_scores_with_it(
    champion_project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = champion_project
    invoke_json("package", "--output", str(tmp_path / "model"))
    frame, names = moved(settings)
    write_azureml_logs(frame[list(project_contract(settings).feature_names)], tmp_path / "logs")
    fetched = fetch_drift_inputs(tmp_path, tmp_path / "model", tmp_path / "logs")
    assert fetched.returncode == 0, fetched.stderr
    assert "online-deployment show --endpoint-name endpoint --name green" in (
        tmp_path / "az.log"
    ).read_text(encoding="utf-8")
    inputs = tmp_path / "inputs"
    assert sorted(path.name for path in inputs.iterdir()) == ["collected", "model"]
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/absent/mlflow.db")
    reference = inputs / "model" / BASELINE_FILE  # what drift.yml passes
    code, result, _ = drift("--current", str(inputs / "collected"), "--reference", str(reference))
    assert (code, result["drifted_features"]) == (1, names)
    assert (result["model_version"], result["current"]["rows"]) == ("1", len(frame))


def test_the_scheduled_check_refuses_a_live_model_without_its_contract(
    champion_project, tmp_path: Path
) -> None:
    invoke_json("package", "--output", str(tmp_path / "model"))
    (tmp_path / "model" / CONTRACT_FILE).unlink()
    (tmp_path / "logs").mkdir()
    fetched = fetch_drift_inputs(tmp_path, tmp_path / "model", tmp_path / "logs")
    assert fetched.returncode == 2
    assert "serving:1 has no contract.yaml beside its baseline.json" in fetched.stderr


def test_without_a_champion_drift_exits_2_saying_promote(project: Settings, tmp_path: Path) -> None:
    result = invoke("drift", "--current", str(tmp_path))
    assert result.exit_code == 2
    assert "has no champion yet: run `promote` first" in result.stderr


def test_a_champion_trained_before_baselines_exits_2_saying_retrain(
    project: Settings, tmp_path: Path
) -> None:
    invoke_json("prep")
    trained = invoke_json("train")
    artifacts = urlparse(MlflowClient().get_run(trained["run_id"]).info.artifact_uri).path
    (Path(artifacts) / ARTIFACT_PATH).unlink()  # what a run logged before baselines looks like
    invoke_json("register")
    invoke_json("promote")
    current = tmp_path / "test.csv"
    split(project, "test").to_csv(current, index=False)
    result = invoke("drift", "--current", str(current))
    assert result.exit_code == 2
    assert "has no drift baseline (trained before baselines were logged); retrain" in result.stderr
