"""Crash-safe bookkeeping for `score_batch`: the append-only journal and atomic file publishing."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.private_io import open_private, private_dir

JOURNAL_FILE = "_journal.jsonl"
LOCK_FILE = ".batch.lock"
STAGING_DIR = ".staging"
OUTPUT_SUFFIX = ".predictions.parquet"


@dataclass(frozen=True)
class JournalEntry:
    """One finished input: what was read, what was written, by which model, and when."""

    input: str
    sha256: str
    rows: int
    output: str
    model_name: str
    model_version: str
    finished_at: str

    def to_line(self) -> bytes:
        """The entry as one JSON line."""
        return (json.dumps(asdict(self), sort_keys=True) + "\n").encode("utf-8")


def read_journal(path: Path) -> list[JournalEntry]:
    """Entries in order; a torn or unparseable last line is cut off, earlier corruption refused."""
    if not path.is_file():
        return []
    data = path.read_bytes()
    *complete, _torn = data.split(b"\n")
    entries: list[JournalEntry] = []
    kept = 0
    for number, line in enumerate(complete, start=1):
        entry = _parse(line)
        if entry is None and number < len(complete):
            raise LifecycleError(
                f"{path}: line {number} is corrupt; fix the journal or rerun with --restart"
            )
        if entry is not None:
            entries.append(entry)
            kept += len(line) + 1
    if kept < len(data):
        _truncate(path, kept)
    return entries


def _parse(line: bytes) -> JournalEntry | None:
    try:
        return JournalEntry(**json.loads(line))
    except (ValueError, TypeError):
        return None


def _truncate(path: Path, size: int) -> None:
    with path.open("r+b") as handle:
        handle.truncate(size)
        os.fsync(handle.fileno())


def append_entry(path: Path, entry: JournalEntry) -> None:
    """Append one line and make it durable before returning."""
    created = not path.exists()
    with open_private(path) as handle:
        handle.write(entry.to_line())
        os.fsync(handle.fileno())
    if created:
        fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make renames and new names in `folder` durable (a no-op where folders cannot be opened)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def publish(staged: Path, final: Path) -> None:
    """fsync a finished staging file, move it into place atomically, and fsync the folder."""
    with staged.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(staged, final)
    fsync_dir(final.parent)


@contextmanager
def exclusive_lock(output_dir: Path) -> Iterator[None]:
    """Hold an advisory lock on output_dir so two runs never write the same outputs."""
    if os.name != "posix":
        yield
        return
    import fcntl

    with open_private(output_dir / LOCK_FILE) as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LifecycleError(
                f"another batch run is writing to {output_dir}; wait for it or use another folder"
            ) from None
        yield


def reset_output(output_dir: Path) -> None:
    """For --restart: delete the outputs, the staging folder and then the journal."""
    for path in output_dir.glob(f"*{OUTPUT_SUFFIX}"):
        path.unlink()
    clean_staging(output_dir)
    (output_dir / JOURNAL_FILE).unlink(missing_ok=True)
    fsync_dir(output_dir)


def clean_staging(output_dir: Path) -> Path:
    """Empty (or create) the staging folder left by an interrupted run and return it."""
    staging = output_dir / STAGING_DIR
    if staging.exists():
        shutil.rmtree(staging)
    return private_dir(staging)
