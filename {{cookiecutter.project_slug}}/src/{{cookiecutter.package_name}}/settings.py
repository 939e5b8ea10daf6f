"""Project settings: mlops.toml read once into one typed, validated object."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from {{ cookiecutter.package_name }}.config_values import fraction, positive
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.monitoring.config import (
    MonitoringSettings,
    parse_monitoring,
)

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.contract.schema import Contract

CONFIG_FILE = "mlops.toml"
DEFAULT_CONTRACT = "data/contract.yaml"


@dataclass(frozen=True)
class PromotionSettings:
    """mlops.toml's [promotion] as written: unset metrics default per task (lifecycle/policy)."""

    primary_metric: str | None
    min_improvement: float
    guardrails: dict[str, float] | None
    max_group_gap: float | None
    threshold_cost_ratio: float | None


@dataclass(frozen=True)
class Settings:
    """Everything the lifecycle commands need to know about the project."""

    root: Path
    experiment: str
    registered_model: str
    seed: int
    validation_fraction: float
    test_fraction: float
    default_params: dict[str, int]
    promotion: PromotionSettings
    onnx_max_abs_diff: float
    monitoring: MonitoringSettings
    contract_path: Path
    data_source: str

    @cached_property
    def contract(self) -> Contract:
        """The data contract ([data] contract), read and checked once."""
        from {{ cookiecutter.package_name }}.contract.load import load_contract

        return load_contract(self.contract_path)

    @property
    def processed_dir(self) -> Path:
        """Folder holding the Parquet splits written by `prep`."""
        return self.root / "data" / "processed"

    @property
    def tracking_uri(self) -> str:
        """MLFLOW_TRACKING_URI if set, else the embedded SQLite store in the project."""
        return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{self.root / 'mlflow.db'}"


def find_root(start: Path | None = None) -> Path:
    """Return the nearest folder at or above `start` that holds mlops.toml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise LifecycleError(
        f"no {CONFIG_FILE} in {here} or its parents: run this command inside the project"
    )


def load_settings(root: Path | None = None) -> Settings:
    """Read and validate mlops.toml from the project root."""
    root = root or find_root()
    path = root / CONFIG_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return _parse(root, raw)
    except tomllib.TOMLDecodeError as exc:
        raise LifecycleError(f"{path}: invalid TOML ({exc}); fix the syntax") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise LifecycleError(f"{path}: {_describe(exc)}") from None


def _parse(root: Path, raw: dict) -> Settings:
    data, promotion = raw["data"], raw["promotion"]
    guardrails = promotion.get("guardrails")
    gap, cost = promotion.get("max_group_gap"), promotion.get("threshold_cost_ratio")
    policy = PromotionSettings(
        primary_metric=str(promotion["primary_metric"]) if "primary_metric" in promotion else None,
        min_improvement=fraction("promotion.min_improvement", promotion["min_improvement"]),
        guardrails=None
        if guardrails is None
        else {
            str(name): fraction(f"promotion.guardrails.{name}", value)
            for name, value in guardrails.items()
        },
        max_group_gap=None if gap is None else fraction("promotion.max_group_gap", gap),
        threshold_cost_ratio=None
        if cost is None
        else positive("promotion.threshold_cost_ratio", cost),
    )
    settings = Settings(
        root=root,
        experiment=str(raw["tracking"]["experiment"]),
        registered_model=str(raw["tracking"]["registered_model"]),
        seed=int(data["seed"]),
        validation_fraction=fraction("data.validation_fraction", data["validation_fraction"]),
        test_fraction=fraction("data.test_fraction", data["test_fraction"]),
        default_params={name: int(value) for name, value in raw["train"].items()},
        promotion=policy,
        onnx_max_abs_diff=positive("onnx.max_abs_diff", raw["onnx"]["max_abs_diff"]),
        monitoring=parse_monitoring(root, raw),
        contract_path=root / str(data.get("contract", DEFAULT_CONTRACT)),
        data_source=str(data.get("source", "")),
    )
    if settings.validation_fraction + settings.test_fraction >= 0.9:
        raise ValueError("data.validation_fraction + data.test_fraction must stay below 0.9")
    return settings


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing setting {exc.args[0]!r}; restore it from the project template"
    return str(exc)
