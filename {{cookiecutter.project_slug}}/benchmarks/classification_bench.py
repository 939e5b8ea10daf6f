"""The classification rows of `make bench`, on model folders built aside from the registry.

Breast cancer: scikit-learn's data (binary, 30 numbers) under a drafted contract, the project's
params; our server and `mlflow models serve` on the same folder, one-row requests at c=1 and
c=8. Categories: a contract with categories, a boolean and a nullable number (mixed_data.py)
against its numeric-only twin with a forest of the same size, both served by our server side by
side while the c=8 load alternates between them ROUNDS times, so a noisy neighbour slows both
alike; the medians are compared. Bodies are the documented forms (categories as JSON strings,
booleans as JSON booleans), and every server's first answer is checked before its load.

Alone: `python benchmarks/classification_bench.py [requests]` prints this section only.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping
from contextlib import ExitStack
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import servers
from http_bench import Check, http
from loadgen import run_load
from mixed_data import mixed_contract, mixed_table, numeric_row, numeric_table, numeric_twin
from model_folders import breast_cancer, fit, tree_nodes, write_folder
from sample import json_rows

from {{ cookiecutter.package_name }}.contract.schema import Contract, Label
from {{ cookiecutter.package_name }}.model.folder import load_model_dir

ROUNDS = 5
MODES = ("categories", "numeric")


def classification(folder: Path, params: Mapping[str, int], seed: int, total: int) -> dict:
    """Breast cancer (ours vs mlflow, c=1 and c=8); categories vs numeric only (ours, c=8)."""
    cancer, pipeline = breast_cancer(folder / "breast-cancer", params, seed)
    check = partial(check_answer, classes=_classes(load_model_dir(cancer).contract))
    rows = http(cancer, total, ("ours", "mlflow"), "breast-cancer ", check)
    contract = mixed_contract()
    folders, nodes = twin_folders(folder, contract, params, seed)
    row = json_rows(contract, 1)[0]
    bodies = {
        "categories": _body(contract, row),
        "numeric": _body(contract, numeric_row(contract, row)),
    }
    check = partial(check_answer, classes=_classes(contract))
    return {
        "breast_cancer": {"nodes": tree_nodes(pipeline), "http": rows},
        "categories": {"nodes": nodes, **interleaved(folders, bodies, total, check)},
    }


def twin_folders(
    folder: Path, contract: Contract, params: Mapping[str, int], seed: int
) -> tuple[dict[str, Path], dict[str, int]]:
    """The mixed contract's model and its numeric-only twin's, packaged; their tree nodes."""
    table = mixed_table(seed=seed)
    twins = {
        "categories": (contract, table),
        "numeric": (numeric_twin(contract), numeric_table(contract, table)),
    }
    folders, nodes = {}, {}
    for mode, (mode_contract, mode_table) in twins.items():
        fitted, features = fit(mode_contract, mode_table, params, seed)
        folders[mode] = write_folder(folder / mode, mode_contract, fitted, features)
        nodes[mode] = tree_nodes(fitted)
    return folders, nodes


def interleaved(
    folders: dict[str, Path], bodies: dict[str, bytes], total: int, check: Check
) -> dict:
    """Median c=8 requests/s of our server on each folder, the load alternating ROUNDS times."""
    headers = {"Authorization": f"Bearer {servers.API_KEY}"}
    rps: dict[str, list[float]] = {mode: [] for mode in MODES}
    with ExitStack() as stack:
        ports = {}
        for mode in MODES:
            command, env = servers.ours(folders[mode])
            ports[mode] = stack.enter_context(servers.serving(command, "/health", env))
            check(mode, *servers.answer(ports[mode], "/score", bodies[mode], headers))
        for round_number in range(ROUNDS):
            for mode in MODES:
                print(
                    f"  http ours c=8 {mode} (round {round_number + 1}/{ROUNDS})",
                    file=sys.stderr,
                    flush=True,
                )
                result = run_load(
                    "127.0.0.1", ports[mode], "/score", bodies[mode], total=total, concurrency=8,
                    headers=headers,
                )  # fmt: skip
                if result.errors:
                    raise RuntimeError(f"{mode}: {result.errors} of {total} requests failed")
                rps[mode].append(result.rps)
    return {
        "rounds": ROUNDS,
        **{f"{mode}_rps": rps[mode] for mode in MODES},
        **{f"{mode}_median_rps": float(np.median(rps[mode])) for mode in MODES},
    }


def check_answer(name: str, status: int, answer: object, classes: list[Label]) -> None:
    """One row's answer: 200, one label in `predictions`; ours also one row of probabilities."""
    if status != 200 or not isinstance(answer, dict):
        raise RuntimeError(f"{name} answered {status}: {answer!r}")
    predictions = answer.get("predictions")
    if not isinstance(predictions, list) or len(predictions) != 1 or predictions[0] not in classes:
        raise RuntimeError(f"{name}: expected one label of {classes}, got {answer!r}")
    if name == "mlflow":
        return  # mlflow models serve answers the labels only
    probabilities = answer.get("probabilities")
    if answer.get("classes") != classes or not (
        isinstance(probabilities, list)
        and len(probabilities) == 1
        and len(probabilities[0]) == len(classes)
        and abs(sum(probabilities[0]) - 1) < 1e-6
    ):
        raise RuntimeError(f"{name}: expected one row of class probabilities, got {answer!r}")


def _classes(contract: Contract) -> list[Label]:
    return list(contract.target.classes)


def _body(contract: Contract, row: list[Any]) -> bytes:
    """One row of the contract's features as an Azure ML request body."""
    return orjson.dumps({"input_data": {"columns": list(contract.feature_names), "data": [row]}})


def main() -> int:
    """This section alone: build, measure, print the rows and the target."""
    from report import classification_target, print_classification

    from {{ cookiecutter.package_name }}.settings import load_settings

    settings = load_settings()
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory(prefix="bench-classification-") as folder:
        results = classification(Path(folder), settings.default_params, settings.seed, total)
    print_classification(results)
    name, measured, goal, met = classification_target(results)
    print(f"\n  {'MET ' if met else 'MISS'} {name:42} {measured:10.2f}  (goal {goal})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
