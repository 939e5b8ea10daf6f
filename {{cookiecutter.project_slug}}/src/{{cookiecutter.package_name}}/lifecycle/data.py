"""`prep`: load the data, hold it to the contract, split it (stratified for classes), write Parquet.

The source is `--input FILE` (CSV or Parquet), else mlops.toml's `[data] source`: a path, or
`sklearn:<name>` for a data set bundled with scikit-learn. Every cell is checked against the
contract (min and max included) before anything is written; the splits hold the features as
the model reads them (booleans as true/false, as serving collects them), the id and sensitive
columns, and the target, and replace
data/processed in one atomic swap.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from {{ cookiecutter.package_name }}.contract.check import check_frame, target_column
from {{ cookiecutter.package_name }}.contract.files import read_table
from {{ cookiecutter.package_name }}.contract.inputs import converted_table, model_columns
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.contract.table import convert_column
from {{ cookiecutter.package_name }}.errors import InvalidInputError, LifecycleError
from {{ cookiecutter.package_name }}.lifecycle.bundled import load_bundled
from {{ cookiecutter.package_name }}.settings import Settings

SPLITS = ("train", "validation", "test")
MANIFEST = "manifest.json"
MIN_ROWS = 20
SHOWN_VIOLATIONS = 3


@dataclass(frozen=True)
class PreparedData:
    """What `prep` wrote: where, how many rows per split, and the content hash."""

    output_dir: Path
    source: str
    rows: dict[str, int]
    data_hash: str
    contract_sha256: str


def load_source(settings: Settings, input_path: Path | None) -> tuple[pd.DataFrame, str]:
    """The raw rows: --input, else mlops.toml's [data] source (a path or a bundled set)."""
    source = str(input_path) if input_path is not None else settings.data_source
    if not source:
        raise LifecycleError("no data: pass --input FILE or set [data] source in mlops.toml")
    if source.startswith("sklearn:"):
        return load_bundled(source), source
    path = input_path if input_path is not None else settings.root / source
    return read_table(path), source


def validate_frame(contract: Contract, frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """The rows as the splits hold them, or the contract's violations (nothing is written)."""
    if len(frame) < MIN_ROWS:
        raise InvalidInputError(f"{source}: {len(frame)} data rows; at least {MIN_ROWS} are needed")
    report = check_frame(contract, frame, source)
    if not report.ok:
        shown = "; ".join(v.line() for v in report.violations[:SHOWN_VIOLATIONS])
        raise InvalidInputError(
            f"{source} breaks the data contract in {len(report.violations)} way(s): {shown}; "
            f"`contract check {source}` lists them all"
        )
    columns = {str(name): frame[name] for name in frame.columns}
    table = pd.DataFrame(converted_table(contract, columns, bounds=True))
    for column in contract.features:  # stored as true/false, like the data collected in serving
        if column.type == "boolean":
            table[column.name] = table[column.name].astype("boolean" if column.nullable else bool)
    kept = [c.name for c in contract.columns if c.role == "id" or c.sensitive]
    for name in kept:
        if name in table.columns:  # a sensitive feature is there already
            continue
        table[name] = frame[name].to_numpy()
    target = target_column(contract)
    table[target.name] = target_values(contract, frame[target.name])
    return table


def target_values(contract: Contract, values: pd.Series) -> pd.Series:
    """The target as the model learns it: numbers, or the contract's class labels."""
    converted, _ = convert_column(target_column(contract), values, bounds=False)
    if not contract.is_classification:
        return pd.Series(converted, dtype="float64")
    labels = {str(label): label for label in contract.target.classes}
    return pd.Series([labels[key] for key in converted], dtype=object)


def split_frame(
    frame: pd.DataFrame, contract: Contract, settings: Settings
) -> dict[str, pd.DataFrame]:
    """The seeded train/validation/test split, stratified by class for classification."""
    target = frame[contract.target.column] if contract.is_classification else None
    share = settings.validation_fraction / (1 - settings.test_fraction)
    try:
        rest, test = train_test_split(
            frame, test_size=settings.test_fraction, random_state=settings.seed, stratify=target
        )
        inner = rest[contract.target.column] if contract.is_classification else None
        train, validation = train_test_split(
            rest, test_size=share, random_state=settings.seed, stratify=inner
        )
    except ValueError as exc:  # a class too rare to appear in every split
        raise LifecycleError(
            f"cannot split the data by class ({exc}): every class needs a few rows in each "
            "of train, validation and test; add rows or merge rare classes"
        ) from None
    return {"train": train, "validation": validation, "test": test}


def content_hash(splits: dict[str, pd.DataFrame]) -> str:
    """Hash of the split contents, independent of file format and library versions."""
    digest = hashlib.sha256()
    for name in SPLITS:
        digest.update(name.encode())
        digest.update(splits[name].to_csv(index=True, float_format="%.17g").encode())
    return digest.hexdigest()


def prepare(settings: Settings, input_path: Path | None = None) -> PreparedData:
    """Validate the source against the contract and replace data/processed in one atomic swap."""
    contract = settings.contract
    raw, source = load_source(settings, input_path)
    splits = split_frame(validate_frame(contract, raw, source), contract, settings)
    data_hash = content_hash(splits)
    rows = {name: len(splits[name]) for name in SPLITS}
    manifest = {
        "source": source,
        "seed": settings.seed,
        "rows": rows,
        "data_hash": data_hash,
        "contract_sha256": contract.sha256,
    }
    _write_atomically(settings.processed_dir, splits, manifest)
    return PreparedData(settings.processed_dir, source, rows, data_hash, contract.sha256)


def _write_atomically(target: Path, splits: dict[str, pd.DataFrame], manifest: dict) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".processed-", dir=target.parent))
    try:
        for name, frame in splits.items():
            frame.to_parquet(staging / f"{name}.parquet", index=True)
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        retired = target.with_name(f"{staging.name}-old")
        if target.exists():
            target.rename(retired)
        try:
            staging.rename(target)
        except OSError:
            if retired.exists():
                retired.rename(target)  # put the previous output back untouched
            raise
        shutil.rmtree(retired, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def read_split_table(settings: Settings, name: str) -> pd.DataFrame:
    """One prepared split: features, id and sensitive columns, and the target."""
    path = settings.processed_dir / f"{name}.parquet"
    if not path.is_file():
        raise LifecycleError(f"{path} is missing: run `prep` first")
    manifest = read_manifest(settings)
    if manifest.get("contract_sha256") != settings.contract.sha256:
        raise LifecycleError(
            f"{settings.processed_dir} was prepared under another data contract: run `prep` again"
        )
    return pd.read_parquet(path)


def read_split(settings: Settings, name: str) -> tuple[pd.DataFrame, pd.Series]:
    """One prepared split as (features as the model reads them, target)."""
    table = read_split_table(settings, name)
    contract = settings.contract
    return model_frame(contract, table), table[contract.target.column]


def model_frame(contract: Contract, table: pd.DataFrame) -> pd.DataFrame:
    """A split's features in `model_columns` order, booleans as 0/1 (NaN where missing)."""
    frame = table[model_columns(contract)].copy()
    for column in contract.features:
        if column.type == "boolean":
            frame[column.name] = frame[column.name].astype("Float64").astype(np.float64)
    return frame


def read_manifest(settings: Settings) -> dict:
    """Load the manifest `prep` wrote next to the splits."""
    path = settings.processed_dir / MANIFEST
    if not path.is_file():
        raise LifecycleError(f"{path} is missing: run `prep` first")
    return json.loads(path.read_text(encoding="utf-8"))
