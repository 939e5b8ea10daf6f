"""Where `drift` finds its reference: the champion's model folder, a packaged folder or a file.

A reference is a baseline read with the contract of the model it belongs to: the `contract.yaml`
beside it in a model folder (what `package` writes), or for a bare baseline file the project's
contract ([data] contract in mlops.toml).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.contract.load import CONTRACT_FILE, load_contract
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.model import baseline as baselines
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.tasks.base import Prediction

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.model.folder import ServingModel


@dataclass(frozen=True)
class Reference:
    """A baseline, its contract and the model it belongs to (version unknown for a bare file).

    `model_dir` is the packaged folder the baseline came with, if any: its model scores current
    rows logged without predictions; otherwise the packaged champion does.
    """

    baseline: dict[str, Any]
    contract: Contract
    source: str
    model: str
    version: str | None
    model_dir: Path | None = None


def champion_reference(settings: Settings) -> Reference:
    """The baseline packaged with the champion (build/serving/<model>-v<N>/)."""
    from {{ cookiecutter.package_name }}.lifecycle.steps import packaged_model

    folder = packaged_model(settings, None)
    path = folder / baselines.BASELINE_FILE
    if not path.is_file():
        raise LifecycleError(
            f"the champion of {settings.registered_model!r} has no drift baseline (trained "
            "before baselines were logged); retrain: `make all` logs one with the new model"
        )
    reference = file_reference(path, settings)
    source = f"models:/{reference.model}@champion (version {reference.version})"
    return replace(reference, source=source)


def file_reference(path: Path, settings: Settings) -> Reference:
    """A baseline file, e.g. build/model/baseline.json; its folder's contract and model card."""
    from {{ cookiecutter.package_name }}.model.folder import CARD_FILE, read_card

    folder = path.parent
    contract_path = folder / CONTRACT_FILE
    if (folder / CARD_FILE).is_file() and not contract_path.is_file():
        raise LifecycleError(
            f"{folder}: a model folder without {CONTRACT_FILE}; package the model again "
            "(`package` writes the contract beside the model and its baseline)"
        )
    contract = load_contract(contract_path if contract_path.is_file() else settings.contract_path)
    baseline = baselines.read(path, contract)
    if (folder / CARD_FILE).is_file():
        card = read_card(folder)
        return Reference(baseline, contract, str(path), card.name, card.version, folder)
    return Reference(baseline, contract, str(path), settings.registered_model, None)


class FolderModel:
    """The reference's model (its packaged folder, else the packaged champion), loaded on use."""

    def __init__(self, settings: Settings, ref: Reference) -> None:
        self.settings, self.ref = settings, ref
        self._model: ServingModel | None = None

    def predict(self, features: Features) -> Prediction:
        """The model's prediction for the rows (the model is loaded by the first call)."""
        if self._model is None:
            from {{ cookiecutter.package_name }}.lifecycle.steps import packaged_model
            from {{ cookiecutter.package_name }}.model.folder import load_model_dir

            version = int(self.ref.version) if self.ref.version else None
            folder = self.ref.model_dir or packaged_model(self.settings, version)
            self._model = load_model_dir(folder)
        return self._model.predict(features)
