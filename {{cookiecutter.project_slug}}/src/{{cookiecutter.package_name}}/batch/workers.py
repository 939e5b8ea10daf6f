"""How a batch's files get scored: in this process, or in parallel worker processes."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from {{ cookiecutter.package_name }}.batch.writer import FileFailure, Scored, score_file
from {{ cookiecutter.package_name }}.errors import InvalidInputError
from {{ cookiecutter.package_name }}.model.folder import ServingModel, load_model_dir

Outcome = Scored | FileFailure
_WORKER: dict[str, ServingModel] = {}


def run_files(
    model: ServingModel | Path,
    todo: list[Path],
    output_dir: Path,
    workers: int,
    chunk_rows: int,
    record: Callable[[Outcome], None],
    bar: tqdm,
) -> None:
    """Score `todo`, handing each outcome to `record` in this (the parent) process."""
    if workers > 1 and isinstance(model, Path):
        _run_parallel(model, todo, output_dir, workers, chunk_rows, record, bar)
        return
    loaded = load_model_dir(model) if isinstance(model, Path) else model
    for path in todo:
        record(_score_one(loaded, path, output_dir, chunk_rows, bar.update))


def _score_one(
    model: ServingModel, path: Path, output_dir: Path, chunk_rows: int, on_rows: Callable
) -> Outcome:
    try:
        return score_file(model, path, output_dir, chunk_rows, on_rows)
    except InvalidInputError as exc:
        return FileFailure(path.name, str(exc))


def _run_parallel(
    model_dir: Path,
    todo: list[Path],
    output_dir: Path,
    workers: int,
    chunk_rows: int,
    record: Callable[[Outcome], None],
    bar: tqdm,
) -> None:
    """Score files in worker processes; journal lines are written here, in the parent, only."""
    context = multiprocessing.get_context("spawn")
    setup = (str(model_dir), os.getpid())
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=setup
    ) as pool:
        futures = [pool.submit(_worker_score, path, output_dir, chunk_rows) for path in todo]
        try:
            for future in as_completed(futures):
                outcome = future.result()
                record(outcome)
                bar.update(outcome.rows if isinstance(outcome, Scored) else 0)
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def _init_worker(model_dir: str, parent: int) -> None:
    """Load the model once per worker; on Linux the kernel kills it if the batch process dies."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
    _WORKER["model"] = load_model_dir(Path(model_dir))


def _worker_score(path: Path, output_dir: Path, chunk_rows: int) -> Outcome:
    return _score_one(_WORKER["model"], path, output_dir, chunk_rows, _ignore)


def _ignore(rows: int) -> None:
    """Workers cannot reach the parent's progress bar; it advances per finished file."""
