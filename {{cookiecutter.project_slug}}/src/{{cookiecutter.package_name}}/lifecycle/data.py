"""`prep`: load, validate, split and write the data set as Parquet, atomically."""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.features import (
    COLUMNS,
    FEATURES,
    TARGET,
    InvalidInputError,
    check_columns,
    checked_values,
)
from {{ cookiecutter.package_name }}.settings import Settings

SPLITS = ("train", "validation", "test")
MANIFEST = "manifest.json"
DEFAULT_SOURCE = "sklearn:diabetes"
MIN_ROWS = 20


@dataclass(frozen=True)
class PreparedData:
    """What `prep` wrote: where, how many rows per split, and the content hash."""

    output_dir: Path
    source: str
    rows: dict[str, int]
    data_hash: str


def load_source(input_csv: Path | None) -> tuple[pd.DataFrame, str]:
    """Read the raw data: the CSV given, else scikit-learn's bundled diabetes set."""
    if input_csv is None:
        from sklearn.datasets import load_diabetes

        return load_diabetes(as_frame=True).frame, DEFAULT_SOURCE
    if not input_csv.is_file():
        raise LifecycleError(f"{input_csv}: no such file; pass an existing CSV with --input")
    try:
        return pd.read_csv(input_csv), str(input_csv)
    except pd.errors.EmptyDataError:
        raise LifecycleError(
            f"{input_csv}: the file is empty; provide a CSV with a header row"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        reason = str(exc).splitlines()[0]
        raise LifecycleError(f"{input_csv}: not a readable CSV ({reason})") from None


def validate_frame(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Features and target as float64 under the input contract; errors name source, row, column."""
    try:
        check_columns([*frame.columns], allow_extra=True)
        if TARGET not in frame.columns:
            raise InvalidInputError(f"missing column {TARGET!r}; the training data needs it")
        if len(frame) < MIN_ROWS:
            raise InvalidInputError(f"{len(frame)} data rows; at least {MIN_ROWS} are needed")
        return pd.DataFrame({name: checked_values(frame[name], name) for name in COLUMNS})
    except InvalidInputError as exc:
        raise InvalidInputError(f"{source}: {exc}") from None


def split_frame(frame: pd.DataFrame, settings: Settings) -> dict[str, pd.DataFrame]:
    """Make the seeded train/validation/test split."""
    rest, test = train_test_split(
        frame, test_size=settings.test_fraction, random_state=settings.seed
    )
    share = settings.validation_fraction / (1 - settings.test_fraction)
    train, validation = train_test_split(rest, test_size=share, random_state=settings.seed)
    return {"train": train, "validation": validation, "test": test}


def content_hash(splits: dict[str, pd.DataFrame]) -> str:
    """Hash of the split contents, independent of file format and library versions."""
    digest = hashlib.sha256()
    for name in SPLITS:
        digest.update(name.encode())
        digest.update(splits[name].to_csv(index=True, float_format="%.17g").encode())
    return digest.hexdigest()


def prepare(settings: Settings, input_csv: Path | None = None) -> PreparedData:
    """Validate the source and replace data/processed in one atomic swap."""
    raw, source = load_source(input_csv)
    splits = split_frame(validate_frame(raw, source), settings)
    data_hash = content_hash(splits)
    rows = {name: len(splits[name]) for name in SPLITS}
    manifest = {"source": source, "seed": settings.seed, "rows": rows, "data_hash": data_hash}
    _write_atomically(settings.processed_dir, splits, manifest)
    return PreparedData(settings.processed_dir, source, rows, data_hash)


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


def read_split(settings: Settings, name: str) -> tuple[pd.DataFrame, pd.Series]:
    """Load one prepared split as (features, target)."""
    path = settings.processed_dir / f"{name}.parquet"
    if not path.is_file():
        raise LifecycleError(f"{path} is missing: run `prep` first")
    frame = pd.read_parquet(path)
    return frame[list(FEATURES)], frame[TARGET]


def read_manifest(settings: Settings) -> dict:
    """Load the manifest `prep` wrote next to the splits."""
    path = settings.processed_dir / MANIFEST
    if not path.is_file():
        raise LifecycleError(f"{path} is missing: run `prep` first")
    return json.loads(path.read_text(encoding="utf-8"))
