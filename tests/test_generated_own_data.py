"""Bring your own data to a default bake, with no code edited: a churn table with numbers,
categories, booleans, an id, missing values and a text target goes through `contract init`,
`all --input`, `export-onnx`, the server (JSON records with strings), `score-batch` and `drift`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from conftest import bake, make, passed

CHURN = """
import numpy as np, pandas as pd
rng = np.random.default_rng(7)
rows = 600
tenure = rng.integers(0, 72, rows)
monthly = rng.normal(70, 20, rows).round(2)
plan = rng.choice(["basic", "plus", "pro"], rows)
region = rng.choice(["north", "south", None], rows, p=[0.45, 0.45, 0.1])
paperless = rng.random(rows) < 0.5
risk = (monthly > 80).astype(int) + (tenure < 12) + (plan == "basic") + paperless
churn = np.where(risk + rng.random(rows) > 2.2, "yes", "no")
monthly[rng.random(rows) < 0.05] = np.nan
frame = pd.DataFrame({"customer_id": [f"C{i:05d}" for i in range(rows)], "tenure": tenure,
    "monthly": monthly, "plan": plan, "region": region, "paperless": paperless, "churn": churn})
frame.to_csv("data/raw/churn.csv", index=False)
"""
COLUMNS = """
import pandas as pd, sys
print(",".join(pd.read_parquet(sys.argv[1]).columns))
"""
KEY = "own-data-key-0123456789-0123456789-0123"  # checkov:skip=CKV_SECRET_6: a test key


def run(project: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [".venv/bin/python", *command], cwd=project, capture_output=True, text=True, check=False
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def score(port: int, body: dict) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/invocations",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {KEY}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def serve_and_score(project: Path, records: list[dict]) -> dict:
    """Start the project's server on the champion, score `records`, stop it."""
    port = free_port()
    server = subprocess.Popen(
        [".venv/bin/python", "-m", "diabetes_progression", "serve", "--port", str(port)],
        cwd=project,
        env={**os.environ, "SCORING_API_KEY": KEY},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=1)
                break
            except OSError:
                assert server.poll() is None, "the server exited"
                time.sleep(0.2)
        return score(port, {"dataframe_records": records})
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_default_bake_takes_a_churn_table_end_to_end_without_code_edits(tmp_path: Path) -> None:
    project = bake(tmp_path)
    passed(make(project, "setup"), "make setup")
    (project / "data" / "raw").mkdir(parents=True)
    assert run(project, "-c", CHURN).returncode == 0
    drafted = passed(
        make(project, "contract-init", "FILE=data/raw/churn.csv", "TARGET=churn",
             "ARGS=--id customer_id --force"),
        "make contract-init",
    )  # fmt: skip
    assert "task binary (inferred: check it); 2 classes; positive class 'yes'" in drafted
    out = passed(make(project, "all", "INPUT=data/raw/churn.csv"), "make all")
    assert "PROMOTED: first version becomes champion" in out
    assert "decision threshold " in out
    passed(make(project, "export-onnx"), "make export-onnx")
    records = [
        {"customer_id": "X1", "tenure": 3, "monthly": 95.5, "plan": "basic", "region": "north",
         "paperless": True},
        {"customer_id": "X2", "tenure": 60, "monthly": None, "plan": "pro", "region": None,
         "paperless": False},
    ]  # fmt: skip
    answer = serve_and_score(project, records)
    assert answer["classes"] == ["no", "yes"]
    assert all(label in ("no", "yes") for label in answer["predictions"])
    assert [len(row) for row in answer["probabilities"]] == [2, 2]
    passed(
        make(project, "score-batch", "INPUT_DIR=data/raw", "OUTPUT_DIR=build/predictions"),
        "make score-batch",
    )
    output = project / "build" / "predictions" / "churn.csv.predictions.parquet"
    columns = run(project, "-c", COLUMNS, str(output)).stdout.strip().split(",")
    assert columns == [
        "source_file", "row_number", "customer_id", "prediction", "probability_no",
        "probability_yes", "model_name", "model_version",
    ]  # fmt: skip
    checked = run(project, "-m", "diabetes_progression", "drift", "--current", "data/raw/churn.csv")
    assert checked.returncode == 0, checked.stdout + checked.stderr
