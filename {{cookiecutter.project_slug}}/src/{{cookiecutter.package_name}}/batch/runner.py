"""`score-batch`: score a folder of CSV/Parquet files exactly once, resuming after a crash."""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from {{ cookiecutter.package_name }}.batch.journal import (
    JOURNAL_FILE,
    JournalEntry,
    append_entry,
    clean_staging,
    exclusive_lock,
    fsync_dir,
    read_journal,
    reset_output,
)
from {{ cookiecutter.package_name }}.batch.reader import has_input_suffix
from {{ cookiecutter.package_name }}.batch.workers import run_files
from {{ cookiecutter.package_name }}.batch.writer import FileFailure, Scored, output_name
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle import lineage
from {{ cookiecutter.package_name }}.model.digests import file_sha256
from {{ cookiecutter.package_name }}.model.folder import (
    ModelCard,
    ServingModel,
    read_card,
)
from {{ cookiecutter.package_name }}.private_io import is_regular_file, private_dir


@dataclass(frozen=True)
class FileResult:
    """One input scored in this run."""

    file: str
    rows: int
    output: Path
    seconds: float


@dataclass
class BatchReport:
    """What one run scored, skipped (already done) and failed, with totals for scored rows."""

    scored: list[FileResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    rows: int = 0
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        """Scored rows per wall-clock second of the whole run."""
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict:
        """A JSON-ready summary."""
        summary = asdict(self) | {"rows_per_second": round(self.rows_per_second, 1)}
        summary["scored"] = [item | {"output": str(item["output"])} for item in summary["scored"]]
        return summary


def score_batch(
    model: ServingModel | Path,
    input_dir: Path,
    output_dir: Path,
    workers: int = 1,
    chunk_rows: int = 10_000,
    progress: bool = True,
    restart: bool = False,
) -> BatchReport:
    """Score every *.csv and *.parquet in input_dir into output_dir; rerun to resume a crash."""
    started = time.perf_counter()
    input_dir, output_dir = Path(input_dir), Path(output_dir)
    card = _check(model, input_dir, output_dir, workers, chunk_rows)
    private_dir(output_dir)
    report = BatchReport()
    with exclusive_lock(output_dir):
        if restart:
            reset_output(output_dir)
        entries = _journal_for(output_dir, card)
        staging = clean_staging(output_dir)
        todo = _plan(input_files(input_dir), entries, output_dir, report)
        bar = tqdm(
            unit="rows", unit_scale=True, desc="batch", file=sys.stderr, disable=not progress
        )
        with bar:
            record = _Recorder(output_dir, card, report, bar, len(todo))
            run_files(model, todo, output_dir, workers, chunk_rows, record, bar)
        staging.rmdir()
    report.scored.sort(key=lambda result: result.file)
    report.failed.sort(key=lambda failure: failure.file)
    report.seconds = time.perf_counter() - started
    return report


def input_files(input_dir: Path) -> list[Path]:
    """The *.csv and *.parquet entries directly in input_dir, sorted by name.

    Symlinks and other non-regular entries are listed too: reading them is refused (read_regular),
    so each is reported as a failed file instead of being followed or silently left out.
    """
    return sorted(path for path in input_dir.iterdir() if has_input_suffix(path))


def _check(
    model: ServingModel | Path, input_dir: Path, output_dir: Path, workers: int, chunk_rows: int
) -> ModelCard:
    """Refuse unusable arguments with a fix; return the model's card."""
    if workers < 1 or chunk_rows < 1:
        raise LifecycleError("workers and chunk_rows must be at least 1")
    if not input_dir.is_dir():
        raise LifecycleError(f"input folder {input_dir} does not exist")
    if output_dir.resolve() == input_dir.resolve():
        raise LifecycleError("the output folder must differ from the input folder")
    if workers > 1 and not isinstance(model, Path):
        raise LifecycleError("workers > 1 needs the packaged model folder, not a loaded model")
    return read_card(model) if isinstance(model, Path) else model.card


def _journal_for(output_dir: Path, card: ModelCard) -> list[JournalEntry]:
    """The journal's entries, refused when another model version wrote them."""
    entries = read_journal(output_dir / JOURNAL_FILE)
    for entry in entries:
        if (entry.model_name, entry.model_version) != (card.name, card.version):
            raise LifecycleError(
                f"{output_dir} holds predictions of {entry.model_name} version "
                f"{entry.model_version}, not {card.name} version {card.version}; "
                "use a new output folder or rerun with --restart"
            )
    return entries


def _plan(
    inputs: list[Path], entries: list[JournalEntry], output_dir: Path, report: BatchReport
) -> list[Path]:
    """Inputs still to score; those journaled with the same content and an output are skipped."""
    latest = {entry.input: entry for entry in entries}
    todo = []
    for path in inputs:
        entry = latest.get(path.name)
        if entry and (output_dir / entry.output).is_file() and entry.sha256 == _sha256(path):
            report.skipped.append(path.name)
        else:
            todo.append(path)
    return todo


def _sha256(path: Path) -> str | None:
    if not is_regular_file(path):  # never hash through a symlink or block on a FIFO
        return None
    try:
        return file_sha256(path)
    except OSError:
        return None


@dataclass
class _Recorder:
    """Parent-side bookkeeping: journal lines, the report and the progress bar's file count."""

    output_dir: Path
    card: ModelCard
    report: BatchReport
    bar: tqdm
    total: int

    def __call__(self, outcome: Scored | FileFailure) -> None:
        """Journal a scored file (its output is already in place) or report a failure."""
        if isinstance(outcome, FileFailure):
            self._failed(outcome)
        else:
            self._scored(outcome)
        done = len(self.report.scored) + len(self.report.failed)
        self.bar.set_postfix_str(f"{done}/{self.total} files", refresh=False)

    def _scored(self, scored: Scored) -> None:
        """Append the journal line (flushed and fsynced) and count the rows."""
        entry = JournalEntry(
            input=scored.file,
            sha256=scored.sha256,
            rows=scored.rows,
            output=scored.output,
            model_name=self.card.name,
            model_version=self.card.version,
            finished_at=lineage.now(),
        )
        append_entry(self.output_dir / JOURNAL_FILE, entry)
        output = self.output_dir / scored.output
        self.report.scored.append(FileResult(scored.file, scored.rows, output, scored.seconds))
        self.report.rows += scored.rows

    def _failed(self, failure: FileFailure) -> None:
        """Report it and drop predictions of the file's previous content: they no longer apply."""
        self.report.failed.append(failure)
        stale = self.output_dir / output_name(Path(failure.file))
        if stale.exists():
            stale.unlink()
            fsync_dir(self.output_dir)


__all__ = ["BatchReport", "FileFailure", "FileResult", "input_files", "score_batch"]
