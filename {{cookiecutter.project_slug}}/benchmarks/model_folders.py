"""Packaged model folders for the classification benchmark, built aside from the registry.

`fit` trains the project's pipeline (`fit_pipeline`, the given params and seed) as `train`
does, on the table as `prep` keeps it; `write_folder` writes what `package` writes:
model.skops, model.onnx, contract.yaml and the sealed model_card.json. With `mlflow_files` the
folder is also the MLflow model `train` logs (mlflow.sklearn, skops with the project's trusted
types, signature, input example, pinned requirements), so `mlflow models serve` loads the same
model the way it loads a packaged champion. The decision threshold is left at the default 0.5: the
benchmark measures speed, not decisions. Nothing is logged, registered or tracked.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.contract.infer import draft_contract
from {{ cookiecutter.package_name }}.contract.load import CONTRACT_FILE
from {{ cookiecutter.package_name }}.contract.render import render_contract
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.lifecycle.bundled import load_bundled
from {{ cookiecutter.package_name }}.lifecycle.data import model_frame, validate_frame
from {{ cookiecutter.package_name }}.lifecycle.pipeline import fit_pipeline
from {{ cookiecutter.package_name }}.model.folder import ONNX_FILE, ModelCard, write_card
from {{ cookiecutter.package_name }}.model.model_io import SKOPS_FILE, TRUSTED_TYPES
from {{ cookiecutter.package_name }}.model.onnx_convert import convert

BREAST_CANCER = "sklearn:breast_cancer"


def fit(
    contract: Contract, table: pd.DataFrame, params: Mapping[str, int], seed: int
) -> tuple[Pipeline, pd.DataFrame]:
    """The project's pipeline fitted on the table as `prep` keeps it; that table's features."""
    prepared = validate_frame(contract, table, "the benchmark's data")
    features = model_frame(contract, prepared)
    pipeline = fit_pipeline(contract, params, seed, features, prepared[contract.target.column])
    return pipeline, features


def write_folder(
    folder: Path,
    contract: Contract,
    pipeline: Pipeline,
    features: pd.DataFrame,
    mlflow_files: bool = False,
) -> Path:
    """Package a fitted pipeline into a new `folder` as `package` does (`features`: its data)."""
    if mlflow_files:
        _save_mlflow_model(folder, pipeline, features.head(3))
    else:
        import skops.io

        folder.mkdir(parents=True)
        skops.io.dump(pipeline, folder / SKOPS_FILE)
    (folder / CONTRACT_FILE).write_text(render_contract(contract), encoding="utf-8")
    (folder / ONNX_FILE).write_bytes(convert(pipeline, contract))
    card = ModelCard(
        f"bench-{folder.name}",
        "1",
        "onnx",
        contract.feature_names,
        task=contract.task,
        classes=contract.target.classes,
    )
    write_card(folder, card)
    return folder


def breast_cancer(folder: Path, params: Mapping[str, int], seed: int) -> tuple[Path, Pipeline]:
    """scikit-learn's breast-cancer data under a drafted contract, packaged with MLflow's files."""
    table = load_bundled(BREAST_CANCER)
    contract = draft_contract(table, target="target", task="binary").contract
    pipeline, features = fit(contract, table, params, seed)
    return write_folder(folder, contract, pipeline, features, mlflow_files=True), pipeline


def tree_nodes(pipeline: Pipeline) -> int:
    """Decision nodes and leaves over every tree of the pipeline's forest."""
    return sum(tree.tree_.node_count for tree in pipeline[-1].estimators_)


def _save_mlflow_model(folder: Path, pipeline: Pipeline, example: pd.DataFrame) -> None:
    """The MLflow model files, as `train` logs them (lifecycle/training.py)."""
    import mlflow.sklearn
    from mlflow.models import infer_signature

    from {{ cookiecutter.package_name }}.lifecycle.training import _pinned_requirements

    signature = infer_signature(example, pd.Series(pipeline.predict(example)))
    mlflow.sklearn.save_model(
        pipeline,
        str(folder),
        signature=signature,
        input_example=example,
        serialization_format="skops",
        skops_trusted_types=list(TRUSTED_TYPES),
        pip_requirements=_pinned_requirements(),
    )
