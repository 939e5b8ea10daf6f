"""`drift` end to end: the baseline logged and packaged with the model, verdicts, report, errors.

Every sample is derived from the seeded split of the bundled data set, so each verdict is fixed:
the held-out test split is the training population (no drift), the same rows with bmi and s5
moved by 1.5 training standard deviations are not.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import urlparse

import mlflow
import orjson
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.features import FEATURES
from {{ cookiecutter.package_name }}.lifecycle.model_io import load_model
from {{ cookiecutter.package_name }}.monitoring import check
from {{ cookiecutter.package_name }}.monitoring.baseline import (
    ARTIFACT_PATH,
    BASELINE_FILE,
)
from {{ cookiecutter.package_name }}.settings import Settings

from .conftest import invoke, invoke_json

SHIFTED = ("bmi", "s5")


def split(settings: Settings, name: str) -> pd.DataFrame:
    return pd.read_parquet(settings.processed_dir / f"{name}.parquet")


def shifted(settings: Settings) -> pd.DataFrame:
    """The test split with bmi and s5 moved up by 1.5 standard deviations of the training split."""
    frame, train = split(settings, "test"), split(settings, "train")
    for name in SHIFTED:
        frame[name] = frame[name] + 1.5 * train[name].std()
    return frame


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def write_logs(frame: pd.DataFrame, outputs: list[float], folder: Path) -> list[Path]:
    """Collected lines of up to 10 rows in two date folders, every other line in reverse order."""
    files = [folder / "2026-11-28" / "part-0.jsonl", folder / "2026-11-29" / "part-0.jsonl"]
    lines: list[list[str]] = [[], []]
    for number, start in enumerate(range(0, len(frame), 10)):
        columns = list(FEATURES) if number % 2 else list(reversed(FEATURES))
        record = {
            "time": "2026-11-29T09:00:00.123Z",
            "request_id": f"request-{number}",
            "model": "diabetes",
            "model_version": "1",
            "features": columns,
            "inputs": frame[columns].iloc[start : start + 10].to_numpy().tolist(),
            "outputs": outputs[start : start + 10],
        }
        lines[number % 2].append(orjson.dumps(record).decode())
    for path, text in zip(files, lines, strict=True):
        path.parent.mkdir(parents=True)
        path.write_text("\n".join(text) + "\n\n", encoding="utf-8")
    return files


def drift(*args: str) -> tuple[int, dict]:
    result = invoke("drift", *args, "--json")
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code, json.loads(result.stdout)


def test_train_logs_the_baseline_of_the_training_split_with_the_run(champion_project) -> None:
    _, first = champion_project
    run_id = first["train"]["run_id"]
    logged = {item.path for item in MlflowClient().list_artifacts(run_id, "baseline")}
    assert logged == {ARTIFACT_PATH}
    baseline = mlflow.artifacts.load_dict(f"runs:/{run_id}/{ARTIFACT_PATH}")
    assert baseline["rows"] == first["prep"]["rows"]["train"]
    assert baseline["data_hash"] == first["prep"]["data_hash"]
    assert baseline["prediction"]["count"] == first["prep"]["rows"]["train"]


def test_package_puts_the_baseline_beside_the_model(champion_project, tmp_path: Path) -> None:
    _, first = champion_project
    packaged = invoke_json("package", "--output", str(tmp_path / "model"))
    assert BASELINE_FILE in packaged["files"]
    copied = json.loads((tmp_path / "model" / BASELINE_FILE).read_text(encoding="utf-8"))
    assert copied == mlflow.artifacts.load_dict(f"runs:/{first['train']['run_id']}/{ARTIFACT_PATH}")


def test_a_sample_of_the_training_population_does_not_drift(champion_project, tmp_path) -> None:
    settings, _ = champion_project
    current = write_csv(split(settings, "test"), tmp_path / "test.csv")
    code, result = drift("--current", str(current), "--report", str(tmp_path / "report"))
    assert (code, result["drifted"], result["drifted_features"]) == (0, False, [])
    assert result["prediction_drifted"] is False
    assert result["current"]["rows"] == len(split(settings, "test"))
    assert result["model_version"] == "1"


def test_bmi_and_s5_shifted_drift_exactly_bmi_and_s5(champion_project, tmp_path: Path) -> None:
    settings, _ = champion_project
    current = write_csv(shifted(settings), tmp_path / "shifted.csv")
    result = invoke("drift", "--current", str(current), "--report", str(tmp_path / "report"))
    assert result.exit_code == 1
    first_line = result.stdout.splitlines()[0]
    assert first_line.startswith("drift: bmi (PSI ")
    assert ", s5 (PSI " in first_line
    report = json.loads((tmp_path / "report" / "drift.json").read_text(encoding="utf-8"))
    assert report["drifted_features"] == ["bmi", "s5"]
    assert report["prediction_drifted"] is True  # bmi and s5 drive the model
    drifted = {name for name, column in report["columns"].items() if column["drifted"]}
    assert drifted == {"bmi", "s5", "prediction"}


def test_the_html_report_shows_one_plot_per_column(champion_project, tmp_path: Path) -> None:
    settings, _ = champion_project
    current = write_csv(shifted(settings), tmp_path / "shifted.csv")
    code, result = drift("--current", str(current), "--report", str(tmp_path / "report"))
    assert code == 1
    assert result["report"]["html"] == str(tmp_path / "report" / "drift.html")
    html = (tmp_path / "report" / "drift.html").read_text(encoding="utf-8")
    assert "<h1>Drift detected</h1>" in html
    images = html.split('src="data:image/png;base64,')[1:]
    assert len(images) == len(FEATURES) + 1
    assert all(base64.b64decode(image.split('"')[0]).startswith(b"\x89PNG") for image in images)


def test_drift_emits_a_drift_detected_event(champion_project, tmp_path: Path) -> None:
    settings, _ = champion_project
    current = write_csv(shifted(settings), tmp_path / "shifted.csv")
    sink = settings.monitoring.events.path
    before = sink.read_text(encoding="utf-8").splitlines() if sink.is_file() else []
    drift("--current", str(current), "--report", str(tmp_path / "report"))
    events = [json.loads(line) for line in sink.read_text(encoding="utf-8").splitlines()]
    assert len(events) == len(before) + 1
    assert events[-1]["type"].endswith(".drift_detected")
    assert events[-1]["data"]["drifted"] == ["bmi", "s5", "prediction"]
    assert events[-1]["data"]["model_version"] == "1"


@pytest.mark.parametrize(("make", "expected"), [(split, 0), (shifted, 1)])
def test_collected_json_lines_in_date_folders_are_read(
    champion_project, tmp_path: Path, make, expected: int
) -> None:
    settings, first = champion_project
    frame = make(settings, "test") if make is split else make(settings)
    outputs = load_model(first["train"]["model_uri"]).predict(frame[list(FEATURES)]).tolist()
    files = write_logs(frame, outputs, tmp_path / "collected")
    code, result = drift("--current", str(tmp_path / "collected"), "--report", str(tmp_path))
    assert code == expected
    assert result["current"]["files"] == [str(path) for path in files]
    assert result["current"]["model_versions"] == {"1": len(frame)}
    assert result["drifted_features"] == ([] if expected == 0 else ["bmi", "s5"])


def write_azureml_logs(frame: pd.DataFrame, folder: Path) -> None:
    """What Azure ML's data collector stores: model_inputs and model_outputs CloudEvent lines."""
    for kind in ("model_inputs", "model_outputs"):
        lines = []
        for start in range(0, len(frame), 10):
            chunk = frame[list(FEATURES)].iloc[start : start + 10]
            data = chunk.to_dict("records") if kind == "model_inputs" else [{"target": 1.0}]
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


@pytest.mark.parametrize(("make", "expected"), [(split, 0), (shifted, 1)])
def test_azure_ml_data_collector_files_are_read_and_scored_by_the_model(
    champion_project, tmp_path: Path, make, expected: int
) -> None:
    settings, _ = champion_project
    frame = make(settings, "test") if make is split else make(settings)
    write_azureml_logs(frame, tmp_path / "collected")
    code, result = drift("--current", str(tmp_path / "collected"), "--report", str(tmp_path))
    assert code == expected
    assert result["current"]["rows"] == len(frame)  # model_outputs lines hold no feature rows
    assert result["drifted_features"] == ([] if expected == 0 else ["bmi", "s5"])


def test_the_default_current_data_is_the_collection_folder(champion_project) -> None:
    settings, _ = champion_project
    result = invoke("drift")
    assert result.exit_code == 2
    folder = settings.monitoring.collection.directory
    assert f"Error: no current data: {folder} does not exist; enable collection" in result.stderr


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "unexpected character"),
        ('{"features": ["bmi"], "inputs": [[1.0]], "outputs": [1.0]}', "missing column 'age'"),
        ('{"inputs": [], "outputs": []}', "expected an object with features, inputs, outputs"),
    ],
)
def test_a_malformed_line_exits_2_naming_file_and_line(
    champion_project, tmp_path: Path, line: str, problem: str
) -> None:
    good = orjson.dumps(
        {"features": list(FEATURES), "inputs": [[0.01] * len(FEATURES)], "outputs": [150.0]}
    ).decode()
    path = tmp_path / "logs.jsonl"
    path.write_text(f"{good}\n{line}\n", encoding="utf-8")
    result = invoke("drift", "--current", str(path))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(f"Error: {path}:2: ")
    assert problem in result.stderr
    assert result.stderr.rstrip().endswith("fix or remove the line")


def test_a_folder_without_rows_exits_2(champion_project, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "blank").mkdir()
    (tmp_path / "blank" / "day.jsonl").write_text("\n\n", encoding="utf-8")
    for folder, message in (("empty", "no .jsonl, .csv or .parquet under"), ("blank", "no rows")):
        result = invoke("drift", "--current", str(tmp_path / folder))
        assert (result.exit_code, message in result.stderr) == (2, True), result.stderr


def test_a_packaged_baseline_is_checked_with_its_own_model_without_the_registry(
    champion_project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = champion_project
    invoke_json("package", "--output", str(tmp_path / "model"))
    current = write_csv(shifted(settings), tmp_path / "shifted.csv")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/absent/mlflow.db")
    reference = tmp_path / "model" / BASELINE_FILE
    code, result = drift("--current", str(current), "--reference", str(reference))
    assert (code, result["drifted_features"]) == (1, ["bmi", "s5"])
    assert (result["reference"], result["model_version"]) == (str(reference), "1")


def test_without_a_champion_drift_exits_2_saying_promote(project: Settings, tmp_path) -> None:
    result = invoke("drift", "--current", str(tmp_path))
    assert result.exit_code == 2
    assert "has no champion yet: run `promote` first" in result.stderr


def test_a_champion_trained_before_baselines_exits_2_saying_retrain(
    project: Settings, tmp_path: Path
) -> None:
    invoke_json("prep")
    trained = invoke_json("train")
    artifacts = urlparse(MlflowClient().get_run(trained["run_id"]).info.artifact_uri).path
    (Path(artifacts) / ARTIFACT_PATH).unlink()  # what a run logged before this change looks like
    invoke_json("register")
    invoke_json("promote")
    packaged = invoke_json("package", "--output", str(tmp_path / "model"))
    assert BASELINE_FILE not in packaged["files"]  # packaging such a version still works
    current = write_csv(split(project, "test"), tmp_path / "test.csv")
    result = invoke("drift", "--current", str(current))
    assert result.exit_code == 2
    assert "version 1 has no drift baseline" in result.stderr
    assert "retrain: `make all`" in result.stderr


def test_an_unexpected_failure_exits_2_because_1_means_drift(
    project: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(check, "check_drift", broken)
    result = invoke("drift")
    assert result.exit_code == 2
    assert "RuntimeError: a bug" in result.stderr
