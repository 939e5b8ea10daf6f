"""Safe blue/green rollout of a registered model version to the online endpoint with `az ml`.

Deploy the candidate at 0 % traffic, smoke-test it directly, mirror live traffic to it while
probing its error rate, give it a canary share and probe again, then all traffic. A failed gate
or command puts all traffic back on the live deployment and exits non-zero. A completed rollout
emits a `model_deployed` lifecycle event and, given its environment, tags the model version with
where it now serves (registry_record); a refused or rolled-back one does neither.
"""

from __future__ import annotations

import json
import math
import shlex
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from {{ cookiecutter.package_name }}.deploy import registry_record
from {{ cookiecutter.package_name }}.deploy.plan import (
    PROBE,
    SMOKE,
    Config,
    Step,
    plan,
    preflight_commands,
    rollback_plan,
)
from {{ cookiecutter.package_name }}.events.sink import Emitter

Runner = Callable[[Sequence[str]], str]
Log = Callable[[str], None]
AZ_TIMEOUT_SECONDS = 3600
EXIT_OK, EXIT_ROLLED_BACK, EXIT_REFUSED, EXIT_ROLLBACK_INCOMPLETE = 0, 1, 2, 3
OUTCOMES = {
    EXIT_OK: "done",
    EXIT_ROLLED_BACK: "rolled-back",
    EXIT_REFUSED: "refused",
    EXIT_ROLLBACK_INCOMPLETE: "rollback-incomplete",
}


class AzError(RuntimeError):
    """An az command failed."""


class GateError(RuntimeError):
    """A rollout check failed: refused up front, a bad smoke test or too many probe errors."""


def request_rows(path: Path) -> int:
    """How many rows the sample request sends (`input_data.data`)."""
    rows = json.loads(path.read_text(encoding="utf-8"))["input_data"]["data"]
    if not rows:
        raise ValueError(f"{path} sends no rows")
    return len(rows)


def check_predictions(output: str, rows: int, classes: Sequence[str | int] = ()) -> None:
    """Insist on one prediction per request row: one of `classes` for a classifier, else a finite
    number (az may print the body as a JSON string)."""
    try:
        body = json.loads(output)
        body = json.loads(body) if isinstance(body, str) else body
    except ValueError:
        raise GateError(f"the response is not JSON: {output[:200]!r}") from None
    found = body.get("predictions") if isinstance(body, dict) else None
    if not isinstance(found, list) or len(found) != rows:
        raise GateError(f"expected {rows} predictions, got {str(found)[:200]}")
    if classes:
        keys = {json.dumps(label) for label in classes}
        if not all(json.dumps(value) in keys for value in found):
            listed = ", ".join(json.dumps(label) for label in classes)
            raise GateError(f"predictions must be classes of the contract ({listed}), got {found}")
        return
    numbers = [v for v in found if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) != rows or not all(math.isfinite(v) for v in numbers):
        raise GateError(f"predictions must be finite numbers, got {found}")


def check_error_rate(step: Step, cfg: Config, runner: Runner, rows: int) -> None:
    """Send cfg.probes requests to the candidate; fail above cfg.max_error_rate."""
    failures = 0
    for _ in range(cfg.probes):
        try:
            check_predictions(runner(step.args), rows, cfg.classes)
        except (AzError, GateError):
            failures += 1
    rate = failures / cfg.probes
    if rate > cfg.max_error_rate:
        raise GateError(
            f"{failures}/{cfg.probes} probes failed: error rate {rate:.1%} is above "
            f"{cfg.max_error_rate:.1%}"
        )


def preflight(cfg: Config, runner: Runner) -> tuple[bool, int]:
    """Refuse unless the candidate has no live traffic; return (candidate exists, request rows)."""
    rows = request_rows(cfg.request_file)
    show, listing = preflight_commands(cfg)
    traffic = json.loads(runner(show) or "{}") or {}
    if int(traffic.get(cfg.candidate, 0)) > 0 or int(traffic.get(cfg.live, 0)) == 0:
        raise GateError(
            f"traffic is {traffic}: {cfg.live} must be live and {cfg.candidate} idle "
            f"(after a completed rollout, swap them: --live {cfg.candidate} --candidate {cfg.live})"
        )
    return cfg.candidate in (json.loads(runner(listing) or "[]") or []), rows


def rollback(cfg: Config, runner: Runner, log: Log) -> list[str]:
    """Run every rollback step, even after one fails; return what failed."""
    failed = []
    for step in rollback_plan(cfg):
        log(f"rollout: {step.stage}")
        try:
            runner(step.args)
        except Exception as exc:
            failed.append(f"{step.stage}: {exc}")
    return failed


def run_rollout(cfg: Config, runner: Runner, log: Log, events: Emitter) -> int:
    """Preflight, walk the plan, roll back on any failure; return the exit code."""
    try:
        exists, rows = preflight(cfg, runner)
    except (AzError, GateError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log(f"rollout: refused, nothing changed: {exc}")
        return EXIT_REFUSED
    steps = plan(cfg, exists)
    for number, step in enumerate(steps, 1):
        log(f"rollout [{number}/{len(steps)}] {step.stage}")
        try:
            if step.gate == PROBE:
                check_error_rate(step, cfg, runner, rows)
            elif step.gate == SMOKE:
                check_predictions(runner(step.args), rows, cfg.classes)
            else:
                runner(step.args)
        except Exception as exc:
            log(f"rollout: FAILED at '{step.stage}': {exc}")
            failed = rollback(cfg, runner, log)
            if failed:
                log("rollout: ROLLBACK INCOMPLETE, fix by hand: " + "; ".join(failed))
                return EXIT_ROLLBACK_INCOMPLETE
            log(f"rollout: rolled back: {cfg.live}=100 {cfg.candidate}=0, mirroring off")
            return EXIT_ROLLED_BACK
    log(f"rollout: done: {cfg.candidate} serves model version {cfg.model_version} at 100 %")
    for problem in registry_record.record(cfg, runner):
        log(f"rollout: the registry does not record this deployment, tag it by hand: {problem}")
    events.emit("model_deployed", deployed_event(cfg))
    return EXIT_OK


def deployed_event(cfg: Config) -> dict[str, object]:
    """A `model_deployed` event's data: where the version now takes all traffic."""
    return {
        "endpoint": cfg.endpoint,
        "deployment": cfg.candidate,
        "model": cfg.model_name,
        "model_version": cfg.model_version,
        "traffic": {cfg.candidate: 100, cfg.live: 0},
        "resource_group": cfg.resource_group,
        "workspace": cfg.workspace,
    }


def az_runner(args: Sequence[str]) -> str:
    """Run a command without a shell; return its stdout or raise AzError with its last error."""
    executable = shutil.which(args[0])
    if executable is None:
        raise AzError(f"{args[0]} is not on PATH: install the Azure CLI and its ml extension")
    try:
        done = subprocess.run(  # noqa: S603 - argument list, no shell
            [executable, *args[1:]], capture_output=True, text=True, timeout=AZ_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        raise AzError(f"timed out after {AZ_TIMEOUT_SECONDS} s: {shlex.join(args)}") from None
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["no error output"])[-1]
        raise AzError(f"`{shlex.join(args)}` exited {done.returncode}: {detail}")
    return done.stdout
