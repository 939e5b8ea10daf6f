"""Batch scoring: ids kept, a classifier's labels and probabilities, exactly-once output across
reruns, crashes and kill -9. Models are packaged from test contracts, without MLflow."""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.batch import writer
from {{ cookiecutter.package_name }}.batch.journal import (
    JOURNAL_FILE,
    STAGING_DIR,
    JournalEntry,
    exclusive_lock,
    publish,
    read_journal,
)
from {{ cookiecutter.package_name }}.batch.runner import score_batch
from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.model.folder import (
    ModelCard,
    ServingModel,
    load_model_dir,
)
from {{ cookiecutter.package_name }}.tasks.base import Prediction

from .contracts import FEATURES, contract_of, records
from .model_fixtures import record_features

IDENTITY = ("source_file", "row_number", "id")
WEIGHTS = np.arange(1.0, len(FEATURES) + 1.0)


class FakeModel:
    """A linear stand-in for fast unit tests: prediction = features . (1, 2, ..., 10)."""

    contract = contract_of("numbers-id")

    def __init__(self, version: str = "1") -> None:
        self.card = ModelCard("fake-model", version, "test")

    def predict(self, features: Features) -> Prediction:
        """Predict like a ServingModel: float32 (n, 10) in, float64 (n,) out."""
        assert features.numbers.dtype == np.float32
        return Prediction(features.numbers.astype(np.float64) @ WEIGHTS)


def predicted(model: ServingModel, frame: pd.DataFrame) -> np.ndarray:
    """The model's predictions for a frame of the regression features."""
    return model.predict(Features(frame[list(FEATURES)].to_numpy(np.float32), {})).values


def features(rows: int, seed: int) -> pd.DataFrame:
    """Random feature rows on the scale of the diabetes data."""
    values = np.random.default_rng(seed).normal(0.0, 0.05, (rows, len(FEATURES)))
    return pd.DataFrame(values, columns=list(FEATURES))


def write_csv(path: Path, rows: int, seed: int = 0) -> pd.DataFrame:
    """A CSV input with a text `id` (leading zeros must survive) before the features."""
    frame = features(rows, seed)
    frame.insert(0, "id", [f"{seed:03d}-{row:05d}" for row in range(rows)])
    frame.to_csv(path, index=False)
    return frame


def write_parquet(path: Path, rows: int, seed: int = 0) -> pd.DataFrame:
    """A Parquet input with an integer `id` after the features."""
    frame = features(rows, seed)
    frame["id"] = np.arange(rows, dtype=np.int64) + seed * 1_000_000
    frame.to_parquet(path, index=False)
    return frame


def read_outputs(output_dir: Path) -> pd.DataFrame:
    """Every published prediction row, `id` as text so CSV and Parquet ids compare alike."""
    frames = [pd.read_parquet(path) for path in sorted(output_dir.glob("*.predictions.parquet"))]
    frame = pd.concat(frames, ignore_index=True)
    return frame.assign(id=frame["id"].astype(str))


def expected_keys(inputs: dict[str, pd.DataFrame]) -> set[tuple[str, int, str]]:
    """(source_file, row_number, id) of every input row."""
    return {
        (name, row, str(identity))
        for name, frame in inputs.items()
        for row, identity in enumerate(frame["id"])
    }


def output_files(output_dir: Path) -> dict[str, bytes]:
    """Output folder content by name, staging included, to prove a rerun changed nothing."""
    return {
        str(path.relative_to(output_dir)): path.read_bytes()
        for path in sorted(output_dir.rglob("*"))
        if path.is_file()
    }


def test_csv_and_parquet_are_scored_with_each_rows_identity_kept(
    id_model_dir: Path, tmp_path: Path
) -> None:
    model = load_model_dir(id_model_dir)
    (tmp_path / "in").mkdir()
    inputs = {
        "a.csv": write_csv(tmp_path / "in" / "a.csv", 250, seed=1),
        "a.parquet": write_parquet(tmp_path / "in" / "a.parquet", 130, seed=2),
    }
    report = score_batch(model, tmp_path / "in", tmp_path / "out", chunk_rows=64, progress=False)
    assert [(item.file, item.rows) for item in report.scored] == [
        ("a.csv", 250),
        ("a.parquet", 130),
    ]
    assert (report.rows, report.failed, report.skipped) == (380, [], [])
    assert report.rows_per_second > 0
    for name, frame in inputs.items():
        output = pd.read_parquet(tmp_path / "out" / f"{name}.predictions.parquet")
        assert list(output.columns) == [*IDENTITY, "prediction", "model_name", "model_version"]
        assert (output["source_file"] == name).all()
        assert output["row_number"].tolist() == list(range(len(frame)))
        assert output["id"].tolist() == frame["id"].tolist()
        np.testing.assert_array_equal(output["prediction"].to_numpy(), predicted(model, frame))
        assert set(output["model_version"]) == {model.card.version}
    assert pd.read_parquet(tmp_path / "out" / "a.csv.predictions.parquet")["id"][0] == "001-00000"
    assert not (tmp_path / "out" / STAGING_DIR).exists()


def test_rerun_skips_finished_files_and_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_csv(tmp_path / "in" / "a.csv", 40, seed=1)
    write_parquet(tmp_path / "in" / "b.parquet", 30, seed=2)
    score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", chunk_rows=7, progress=False)
    before = output_files(tmp_path / "out")
    again = score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", progress=False)
    assert (again.scored, again.skipped, again.rows) == ([], ["a.csv", "b.parquet"], 0)
    assert output_files(tmp_path / "out") == before


def test_a_modified_input_is_rescored_and_its_output_replaced(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_csv(tmp_path / "in" / "a.csv", 40, seed=1)
    write_csv(tmp_path / "in" / "b.csv", 30, seed=2)
    score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", progress=False)
    changed = write_csv(tmp_path / "in" / "b.csv", 55, seed=3)
    again = score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", progress=False)
    assert ([item.file for item in again.scored], again.skipped) == (["b.csv"], ["a.csv"])
    output = pd.read_parquet(tmp_path / "out" / "b.csv.predictions.parquet")
    assert output["id"].tolist() == changed["id"].tolist()
    entries = read_journal(tmp_path / "out" / JOURNAL_FILE)
    assert [(entry.input, entry.rows) for entry in entries] == [
        ("a.csv", 40),
        ("b.csv", 30),
        ("b.csv", 55),
    ]


def write_invalid_inputs(folder: Path) -> None:
    """One input per way a file can be unusable."""
    features(5, 0).drop(columns="s3").assign(id="x").to_csv(folder / "missing.csv", index=False)
    text = features(5, 0).astype({"bmi": object}).assign(id="x")
    text.loc[2, "bmi"] = "abc"
    text.to_csv(folder / "text.csv", index=False)
    (folder / "empty.csv").write_bytes(b"")
    (folder / "header.csv").write_text(",".join(["id", *FEATURES]) + "\n")
    (folder / "corrupt.parquet").write_bytes(b"PAR1 this is not a parquet file")
    infinite = features(5, 0).assign(id="x")
    infinite.loc[4, "s5"] = np.inf
    infinite.to_parquet(folder / "inf.parquet")
    features(5, 0).to_csv(folder / "anonymous.csv", index=False)


def test_invalid_files_are_reported_with_a_reason_while_good_files_are_scored(
    tmp_path: Path,
) -> None:
    (tmp_path / "in").mkdir()
    write_invalid_inputs(tmp_path / "in")
    write_csv(tmp_path / "in" / "good.csv", 20)
    report = score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", progress=False)
    reasons = {failure.file: failure.reason for failure in report.failed}
    assert [item.file for item in report.scored] == ["good.csv"]
    assert "missing column 's3'" in reasons["missing.csv"]
    assert reasons["text.csv"] == "row 2, column 'bmi': \"abc\" is not a number"
    assert "empty" in reasons["empty.csv"]
    assert reasons["header.csv"].startswith("no rows to score")
    assert "unreadable Parquet" in reasons["corrupt.parquet"]
    assert reasons["inf.parquet"] == "row 4, column 's5': Infinity is not a finite number"
    assert reasons["anonymous.csv"].startswith("missing id column 'id': the contract's id columns")
    assert all("\n" not in reason for reason in reasons.values())
    outputs = sorted(path.name for path in (tmp_path / "out").glob("*.predictions.parquet"))
    assert outputs == ["good.csv.predictions.parquet"]
    assert [entry.input for entry in read_journal(tmp_path / "out" / JOURNAL_FILE)] == ["good.csv"]


def test_an_input_that_turns_invalid_loses_its_stale_predictions(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_csv(tmp_path / "in" / "a.csv", 20)
    score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", progress=False)
    (tmp_path / "in" / "a.csv").write_text("id,age\n1,2\n")
    report = score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", progress=False)
    assert [failure.file for failure in report.failed] == ["a.csv"]
    assert not (tmp_path / "out" / "a.csv.predictions.parquet").exists()


def test_symlinks_and_fifos_among_the_inputs_are_reported_and_never_followed(
    tmp_path: Path,
) -> None:
    inputs, output = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    write_csv(inputs / "good.csv", 5)
    private = tmp_path / "private.csv"
    write_csv(private, 3, seed=7)
    private.chmod(0o600)
    (inputs / "link.csv").symlink_to(private)
    os.mkfifo(inputs / "pipe.csv")  # opening it to read would block forever
    report = score_batch(FakeModel(), inputs, output, progress=False)
    assert [result.file for result in report.scored] == ["good.csv"]
    assert [failure.line() for failure in report.failed] == [
        "FAILED link.csv: cannot read the file: a symbolic link, not a regular file",
        "FAILED pipe.csv: cannot read the file: not a regular file (a FIFO, device or folder)",
    ]
    assert [path.name for path in output.glob("*.predictions.parquet")] == [
        "good.csv.predictions.parquet"
    ]


def test_predictions_journal_and_folders_are_owner_only_whatever_the_umask(
    tmp_path: Path,
) -> None:
    inputs, output = tmp_path / "in", tmp_path / "out" / "run"
    inputs.mkdir()
    write_csv(inputs / "a.csv", 5)
    previous = os.umask(0o022)  # the usual default: 0644 files, 0755 folders
    try:
        score_batch(FakeModel(), inputs, output, progress=False)
    finally:
        os.umask(previous)
    modes = {
        str(path.relative_to(tmp_path)): stat.S_IMODE(path.stat().st_mode)
        for path in (output.parent, output, *output.iterdir())
    }
    assert modes == {
        "out": 0o700,
        "out/run": 0o700,
        "out/run/a.csv.predictions.parquet": 0o600,
        "out/run/_journal.jsonl": 0o600,
        "out/run/.batch.lock": 0o600,
    }


def test_a_torn_last_journal_line_is_ignored_and_its_file_scored_again(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_csv(tmp_path / "in" / "a.csv", 20, seed=1)
    write_csv(tmp_path / "in" / "b.csv", 20, seed=2)
    score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", progress=False)
    journal = tmp_path / "out" / JOURNAL_FILE
    first, second = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(first + second[: len(second) // 2])
    again = score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", progress=False)
    assert ([item.file for item in again.scored], again.skipped) == (["b.csv"], ["a.csv"])
    assert [entry.input for entry in read_journal(journal)] == ["a.csv", "b.csv"]
    assert journal.read_bytes().count(b"\n") == 2
    assert len(read_outputs(tmp_path / "out")) == 40


@given(cut=st.integers(min_value=0, max_value=10_000))
def test_a_journal_cut_at_any_byte_keeps_exactly_its_complete_lines(
    tmp_path_factory: pytest.TempPathFactory, cut: int
) -> None:
    entries = [JournalEntry(f"f{n}.csv", "0" * 64, n, f"f{n}.out", "m", "1", "t") for n in range(9)]
    data = b"".join(entry.to_line() for entry in entries)
    journal = tmp_path_factory.mktemp("journal") / JOURNAL_FILE
    journal.write_bytes(data[: cut % (len(data) + 1)])
    complete = journal.read_bytes().count(b"\n")
    assert read_journal(journal) == entries[:complete]
    assert journal.read_bytes() == b"".join(entry.to_line() for entry in entries[:complete])


def test_a_corrupt_line_inside_the_journal_is_refused(tmp_path: Path) -> None:
    entry = JournalEntry("a.csv", "0" * 64, 1, "a.out", "m", "1", "t")
    journal = tmp_path / JOURNAL_FILE
    journal.write_bytes(entry.to_line() + b"garbage\n" + entry.to_line())
    with pytest.raises(LifecycleError, match="line 2 is corrupt"):
        read_journal(journal)


def test_a_journal_of_another_model_version_is_refused_unless_restarted(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_csv(tmp_path / "in" / "a.csv", 20)
    score_batch(FakeModel("1"), tmp_path / "in", tmp_path / "out", progress=False)
    with pytest.raises(LifecycleError, match=r"version 1, not fake-model version 2.*--restart"):
        score_batch(FakeModel("2"), tmp_path / "in", tmp_path / "out", progress=False)
    report = score_batch(
        FakeModel("2"), tmp_path / "in", tmp_path / "out", progress=False, restart=True
    )
    assert [item.file for item in report.scored] == ["a.csv"]
    assert set(read_outputs(tmp_path / "out")["model_version"]) == {"2"}
    assert [entry.model_version for entry in read_journal(tmp_path / "out" / JOURNAL_FILE)] == ["2"]


def test_staging_leftovers_of_a_crash_are_removed_and_outputs_recreated(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    write_csv(tmp_path / "in" / "a.csv", 20)
    (tmp_path / "out" / STAGING_DIR).mkdir(parents=True)
    (tmp_path / "out" / STAGING_DIR / "a.csv.predictions.parquet").write_bytes(b"half a file")
    (tmp_path / "out" / "a.csv.predictions.parquet").write_bytes(b"published, not journaled")
    report = score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", progress=False)
    assert [item.file for item in report.scored] == ["a.csv"]
    assert len(read_outputs(tmp_path / "out")) == 20
    assert not (tmp_path / "out" / STAGING_DIR).exists()


def test_a_file_whose_output_cannot_be_published_is_not_journaled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "in").mkdir()
    write_csv(tmp_path / "in" / "a.csv", 20, seed=1)
    write_csv(tmp_path / "in" / "b.csv", 20, seed=2)

    def disk_full_for_b(staged: Path, final: Path) -> None:
        if final.name.startswith("b."):
            raise OSError(28, "No space left on device")
        publish(staged, final)

    monkeypatch.setattr(writer, "publish", disk_full_for_b)
    with pytest.raises(OSError, match="No space left"):
        score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", progress=False)
    assert [entry.input for entry in read_journal(tmp_path / "out" / JOURNAL_FILE)] == ["a.csv"]
    monkeypatch.undo()
    again = score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", progress=False)
    assert ([item.file for item in again.scored], again.skipped) == (["b.csv"], ["a.csv"])
    assert not (tmp_path / "out" / STAGING_DIR).exists()


def test_a_second_run_into_the_same_output_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "out").mkdir()
    with exclusive_lock(tmp_path / "out"), pytest.raises(LifecycleError, match="another batch"):
        score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", progress=False)


def test_parallel_workers_need_the_model_folder_not_a_loaded_model(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    with pytest.raises(LifecycleError, match="model folder"):
        score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", workers=2)


def test_progress_is_counted_in_rows_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "in").mkdir()
    write_csv(tmp_path / "in" / "a.csv", 120)
    score_batch(FakeModel(), tmp_path / "in", tmp_path / "out", chunk_rows=50)
    captured = capsys.readouterr()
    assert "120rows" in captured.err
    assert captured.out == ""


def test_two_workers_write_the_same_outputs_as_one(id_model_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    for number in range(4):
        write_csv(tmp_path / "in" / f"c{number}.csv", 300, seed=number)
        write_parquet(tmp_path / "in" / f"p{number}.parquet", 200, seed=10 + number)
    one = score_batch(id_model_dir, tmp_path / "in", tmp_path / "one", progress=False)
    two = score_batch(id_model_dir, tmp_path / "in", tmp_path / "two", workers=2, progress=False)
    assert [(item.file, item.rows) for item in two.scored] == [
        (item.file, item.rows) for item in one.scored
    ]
    for output in sorted((tmp_path / "one").glob("*.predictions.parquet")):
        pd.testing.assert_frame_equal(
            pd.read_parquet(output), pd.read_parquet(tmp_path / "two" / output.name)
        )
    assert len(read_journal(tmp_path / "two" / JOURNAL_FILE)) == 8


def write_mixed_inputs(folder: Path) -> dict[str, list[dict]]:
    """A CSV and a Parquet file of mixed records (ids, text, booleans, missing values)."""
    folder.mkdir()
    contract = contract_of("binary")
    drawn = {"m.csv": records(contract, 40, seed=1), "m.parquet": records(contract, 25, seed=2)}
    csv = pd.DataFrame.from_records(drawn["m.csv"])
    for name in ("paperless", "autopay"):
        csv[name] = csv[name].map({True: "true", False: "false"})
    csv.to_csv(folder / "m.csv", index=False)
    pd.DataFrame.from_records(drawn["m.parquet"]).to_parquet(folder / "m.parquet", index=False)
    return drawn


@pytest.mark.parametrize(
    ("task", "probabilities"),
    [
        ("binary", ["probability_churn", "probability_stay"]),
        ("multiclass", ["probability_3", "probability_1", "probability_2"]),
    ],
)
def test_a_classifier_writes_ids_labels_and_one_probability_column_per_class(
    request: pytest.FixtureRequest, tmp_path: Path, task: str, probabilities: list[str]
) -> None:
    model = load_model_dir(request.getfixturevalue(f"{task}_dir"))
    records = write_mixed_inputs(tmp_path / "in")
    report = score_batch(model, tmp_path / "in", tmp_path / "out", chunk_rows=16, progress=False)
    assert (report.rows, report.failed) == (65, [])
    for name, rows in records.items():
        output = pd.read_parquet(tmp_path / "out" / f"{name}.predictions.parquet")
        assert list(output.columns) == [
            "source_file", "row_number", "customer_id", "prediction", *probabilities,
            "model_name", "model_version",
        ]  # fmt: skip
        assert output["customer_id"].tolist() == [row["customer_id"] for row in rows]
        expected = model.predict(record_features(model.contract, rows))
        assert output["prediction"].tolist() == expected.values.tolist()
        assert expected.probabilities is not None
        np.testing.assert_array_equal(output[probabilities].to_numpy(), expected.probabilities)


KILL_SCRIPT = """
import json, os, signal, sys, time
from pathlib import Path

from {{ cookiecutter.package_name }}.batch import journal
from {{ cookiecutter.package_name }}.batch.runner import score_batch
from {{ cookiecutter.package_name }}.model.folder import load_model_dir


class Slow:
    # Sleeps a little per chunk so that kills land while files are being written; with
    # kill_in_chunk, SIGKILLs this process in that chunk: mid-file, its staging output open.
    def __init__(self, model, kill_in_chunk):
        self.model, self.card, self.contract = model, model.card, model.contract
        self.chunks, self.kill_in_chunk = 0, kill_in_chunk

    def predict(self, features):
        self.chunks += 1
        if self.chunks == self.kill_in_chunk:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.006)
        return self.model.predict(features)


def kill_after_replace(count):
    # SIGKILL this process right after the count-th output is moved into place,
    # before its folder fsync and journal line: the narrowest window there is.
    real, done = os.replace, []

    def replace(source, target):
        real(source, target)
        done.append(target)
        if len(done) == count:
            os.kill(os.getpid(), signal.SIGKILL)

    journal.os.replace = replace


if __name__ == "__main__":
    model_dir, input_dir, output_dir, kill_after, kill_in_chunk = sys.argv[1:]
    if int(kill_after):
        kill_after_replace(int(kill_after))
    model = Slow(load_model_dir(Path(model_dir)), int(kill_in_chunk))
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        sys.exit(0)
    report = score_batch(model, Path(input_dir), Path(output_dir), chunk_rows=200, progress=False)
    print(json.dumps(report.to_dict()), flush=True)
"""


class BatchProcess:
    """The kill script in a subprocess, started early (imports are slow) and run on demand."""

    def __init__(
        self,
        script: Path,
        model_dir: Path,
        folder: Path,
        kill_after: int = 0,
        kill_in_chunk: int = 0,
    ) -> None:
        command = [sys.executable, str(script), str(model_dir), str(folder / "in")]
        self.process = subprocess.Popen(
            [*command, str(folder / "out"), str(kill_after), str(kill_in_chunk)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, kill_at: float | None = None) -> tuple[int, str]:
        """Start scoring; with `kill_at`, SIGKILL the process that many seconds later."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None
        assert stdout is not None
        assert stdout.readline().strip() == "ready"
        stdin.write("go\n")
        stdin.flush()
        if kill_at is not None:
            time.sleep(kill_at)
            self.process.send_signal(signal.SIGKILL)
        out, _ = self.process.communicate(timeout=60)
        return self.process.returncode, out


def assert_exactly_once(folder: Path, inputs: dict[str, pd.DataFrame], model_dir: Path) -> None:
    """Every input row once in the outputs, predictions right, journal matching the outputs."""
    outputs = read_outputs(folder / "out")
    keys = list(zip(outputs["source_file"], outputs["row_number"], outputs["id"], strict=True))
    assert len(keys) == len(set(keys)) == sum(len(frame) for frame in inputs.values())
    assert set(keys) == expected_keys(inputs)
    model = load_model_dir(model_dir)
    for name, frame in inputs.items():
        scored = outputs[outputs["source_file"] == name].sort_values("row_number")
        np.testing.assert_array_equal(scored["prediction"].to_numpy(), predicted(model, frame))
    entries = read_journal(folder / "out" / JOURNAL_FILE)
    assert sorted(entry.input for entry in entries) == sorted(inputs)
    published = {path.name for path in (folder / "out").glob("*.predictions.parquet")}
    assert {entry.output for entry in entries} == published
    counts = outputs.groupby("source_file").size().to_dict()
    assert {entry.input: entry.rows for entry in entries} == counts
    assert not (folder / "out" / STAGING_DIR).exists()


def write_parts(folder: Path, files: int, rows: int) -> dict[str, pd.DataFrame]:
    """`files` inputs of `rows` rows, alternating Parquet and CSV."""
    folder.mkdir()
    inputs = {}
    for number in range(files):
        name = f"part{number:02d}.{'csv' if number % 2 else 'parquet'}"
        write = write_csv if number % 2 else write_parquet
        inputs[name] = write(folder / name, rows, seed=number)
    return inputs


def test_kill_9_at_random_moments_then_rerun_writes_every_row_exactly_once(
    id_model_dir: Path, tmp_path: Path
) -> None:
    script = tmp_path / "run_batch.py"
    script.write_text(KILL_SCRIPT)
    inputs = write_parts(tmp_path / "in", files=12, rows=2000)
    targeted = BatchProcess(script, id_model_dir, tmp_path, kill_after=2)
    # 200-row chunks, 2000-row files: chunk 15 is mid-file, with earlier chunks already staged.
    mid_write = BatchProcess(script, id_model_dir, tmp_path, kill_in_chunk=15)
    later = [BatchProcess(script, id_model_dir, tmp_path) for _ in range(4)]  # imports overlap
    assert targeted.run()[0] == -signal.SIGKILL
    assert len(read_journal(tmp_path / "out" / JOURNAL_FILE)) == 1
    assert mid_write.run()[0] == -signal.SIGKILL
    assert any((tmp_path / "out" / STAGING_DIR).glob("*")), "the kill landed mid-write"
    rng = random.Random(os.environ.get("BATCH_KILL_SEED", "7"))  # noqa: S311 - timing, not crypto
    kills = 0
    for attempt in range(6):
        process = later.pop(0) if attempt < 3 else BatchProcess(script, id_model_dir, tmp_path)
        code, _ = process.run(kill_at=rng.uniform(0.03, 0.25))
        kills += code == -signal.SIGKILL
        if kills == 3:
            break
    assert kills == 3, "the batch finished before it could be killed three times"
    code, out = later[-1].run()
    assert code == 0
    assert json.loads(out)["failed"] == []
    assert_exactly_once(tmp_path, inputs, id_model_dir)
