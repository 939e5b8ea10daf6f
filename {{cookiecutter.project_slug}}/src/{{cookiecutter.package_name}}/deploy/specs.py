"""`azureml-specs`: the Azure ML specs that follow the data contract, regenerated from it.

Two files under pipelines/ depend on the contract: the online sample request (the first rows of
the prepared test split) and the drift monitor's task and target column. The command writes them
(only those that differ, after computing both), or with `--check` writes nothing and exits 1
naming every stale file and its first differing lines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import click

from {{ cookiecutter.package_name }}.console import emit
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.options import FindingCommand, json_option
from {{ cookiecutter.package_name }}.settings import Settings, load_settings

SAMPLE_REQUEST = "pipelines/online/sample-request.json"
MONITOR = "pipelines/monitoring/monitor.yml"
SHOWN_LINES = 3
SHOWN_WIDTH = 70
FIX = "run `make azureml-specs` (after `make prep`)"


@dataclass(frozen=True)
class SpecFile:
    """One generated file: where, whether it was up to date, and what differed."""

    path: str
    status: str  # "up to date", "written" or "stale"
    differences: list[str] = field(default_factory=list)


def expected_specs(settings: Settings) -> dict[str, str]:
    """Each contract-dependent spec (path relative to the project root) and its content."""
    from {{ cookiecutter.package_name }}.deploy.monitor_spec import monitor_text
    from {{ cookiecutter.package_name }}.deploy.sample_request import (
        render_request,
        sample_rows,
    )
    from {{ cookiecutter.package_name }}.lifecycle.data import read_split_table

    contract = settings.contract
    index, rows = sample_rows(contract, read_split_table(settings, "test"))
    return {
        SAMPLE_REQUEST: render_request(contract, index, rows),
        MONITOR: monitor_text(contract, _monitor(settings.root / MONITOR), MONITOR),
    }


def differences(current: str | None, expected: str) -> list[str]:
    """The first differing lines, `line N: has ..., expected ...`, or that the file is missing."""
    if current is None:
        return ["the file is missing"]
    have, want = current.splitlines(), expected.splitlines()
    found = [
        f"line {number}: has {_shown(old)}, expected {_shown(new)}"
        for number, (old, new) in enumerate(_padded(have, want), start=1)
        if old != new
    ]
    if not found and current != expected:
        found = ["the final newline differs"]
    more = len(found) - SHOWN_LINES
    return found[:SHOWN_LINES] + ([f"and {more} more line(s)"] if more > 0 else [])


def sync_specs(settings: Settings, check: bool) -> list[SpecFile]:
    """Compare every spec with what the contract gives; write the stale ones unless `check`."""
    results, stale = [], {}
    for relative, text in expected_specs(settings).items():
        path = settings.root / relative
        current = _text(path)
        if current == text:
            results.append(SpecFile(relative, "up to date"))
            continue
        status = "stale" if check else "written"
        results.append(SpecFile(relative, status, differences(current, text)))
        stale[path] = text
    if not check:
        for path, text in stale.items():
            _write(path, text)
    return results


@click.command(name="azureml-specs", cls=FindingCommand)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if a spec is stale.")
@json_option
@click.pass_context
def azureml_specs(ctx: click.Context, check: bool, as_json: bool) -> None:
    """Regenerate the Azure ML specs that follow the contract (sample request, monitor task).

    Reads data/contract.yaml and the test split `prep` wrote. Exit 0 written or up to date,
    1 stale (--check), 2 on errors.
    """
    results = sync_specs(load_settings(), check)
    stale = [result for result in results if result.status == "stale"]
    lines = []
    for result in results:
        lines.append(f"{result.path}: {result.status}")
        if result.status == "stale":
            lines += [f"  {difference}" for difference in result.differences]
    if stale:
        lines.append(f"{len(stale)} spec(s) do not follow the contract: {FIX}")
    emit({"ok": not stale, "files": results}, lines, as_json)
    if stale:
        ctx.exit(1)


def _text(path: Path) -> str | None:
    """A spec's text as compared (UTF-8, \\n line ends), or None when there is no such file."""
    if not path.is_file():
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LifecycleError(f"{path}: cannot read it ({exc.strerror})") from None
    return data.decode("utf-8", errors="replace").replace("\r\n", "\n")


def _monitor(path: Path) -> str:
    text = _text(path)
    if text is None:
        raise LifecycleError(f"{MONITOR} is missing: restore it from the template")
    return text


def _write(path: Path, text: str) -> None:
    """Replace the file in one step (a temporary file beside it, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        staging.write_text(text, encoding="utf-8")
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)


def _padded(have: list[str], want: list[str]) -> list[tuple[str | None, str | None]]:
    size = max(len(have), len(want))
    return [
        (have[i] if i < len(have) else None, want[i] if i < len(want) else None)
        for i in range(size)
    ]


def _shown(line: str | None) -> str:
    if line is None:
        return "no line"
    text = line.strip()
    return f"`{text}`" if len(text) <= SHOWN_WIDTH else f"`{text[: SHOWN_WIDTH - 3]}...`"
