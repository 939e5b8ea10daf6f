"""Safe blue/green rollout of a registered model version to the online endpoint with `az ml`.

Deploy the candidate at 0 % traffic, smoke-test it directly, mirror live traffic to it while
probing its error rate, give it a canary share and probe again, then all traffic. A failed gate
or command puts all traffic back on the live deployment and exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from {{ cookiecutter.package_name }}.rollout_plan import (
    PROBE,
    SMOKE,
    Config,
    Step,
    plan,
    preflight_commands,
    rollback_plan,
)

Runner = Callable[[Sequence[str]], str]
Log = Callable[[str], None]
AZ_TIMEOUT_SECONDS = 3600
PROG = "{{ cookiecutter.project_slug }} rollout"
DESCRIPTION = "Roll a registered model version out to the online endpoint's candidate deployment."
EXIT_OK, EXIT_ROLLED_BACK, EXIT_REFUSED, EXIT_ROLLBACK_INCOMPLETE = 0, 1, 2, 3


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


def check_predictions(output: str, rows: int) -> None:
    """Insist on one finite prediction per request row (az may print the body as a JSON string)."""
    try:
        body = json.loads(output)
        body = json.loads(body) if isinstance(body, str) else body
    except ValueError:
        raise GateError(f"the response is not JSON: {output[:200]!r}") from None
    found = body.get("predictions") if isinstance(body, dict) else None
    if not isinstance(found, list) or len(found) != rows:
        raise GateError(f"expected {rows} predictions, got {str(found)[:200]}")
    numbers = [v for v in found if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) != rows or not all(math.isfinite(v) for v in numbers):
        raise GateError(f"predictions must be finite numbers, got {found}")


def check_error_rate(step: Step, cfg: Config, runner: Runner, rows: int) -> None:
    """Send cfg.probes requests to the candidate; fail above cfg.max_error_rate."""
    failures = 0
    for _ in range(cfg.probes):
        try:
            check_predictions(runner(step.args), rows)
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


def run_rollout(cfg: Config, runner: Runner, log: Log) -> int:
    """Preflight, walk the plan, and roll back on any failure; return the exit code."""
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
                check_predictions(runner(step.args), rows)
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
    return EXIT_OK


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


def print_plan(cfg: Config) -> None:
    """--dry-run: print every command, in order, without running any."""
    print("# preflight (read-only)")
    for args in preflight_commands(cfg):
        print(shlex.join(args))
    for step in plan(cfg, candidate_exists=False):
        times = f" (x{cfg.probes})" if step.gate == PROBE else ""
        print(f"# {step.stage}{times}\n{shlex.join(step.args)}")
    print(f"# `create` becomes `update` when {cfg.candidate} exists; on any failure:")
    for step in rollback_plan(cfg):
        print(f"# {step.stage}\n{shlex.join(step.args)}")


def build_parser() -> argparse.ArgumentParser:
    """The rollout's command line."""
    p = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION)
    for flag, metavar in (
        ("--endpoint-name", "NAME"),
        ("--model-version", "N"),
        ("--resource-group", "RG"),
        ("--workspace-name", "WS"),
    ):
        p.add_argument(flag, metavar=metavar, required=True)
    p.add_argument("--model-name", metavar="NAME", default=Config.model_name)
    p.add_argument("--live", metavar="NAME", default=Config.live, help="serving now (blue)")
    p.add_argument("--candidate", metavar="NAME", default=Config.candidate, help="(green)")
    p.add_argument("--deployment-file", metavar="YAML", type=Path, help="(<candidate>.yml)")
    p.add_argument("--request-file", metavar="JSON", type=Path, default=Config.request_file)
    p.add_argument("--mirror-percent", metavar="PCT", type=int, default=Config.mirror_percent)
    p.add_argument("--canary-percent", metavar="PCT", type=int, default=Config.canary_percent)
    p.add_argument("--probes", metavar="N", type=int, default=Config.probes, help="per check")
    p.add_argument("--max-error-rate", metavar="RATE", type=float, default=Config.max_error_rate)
    p.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    return p


def parse_args(argv: list[str] | None) -> tuple[Config, bool]:
    """The command line as (Config, --dry-run), with every bound checked."""
    parser = build_parser()
    a = parser.parse_args(argv)
    for flag, value, low, high in (
        ("--mirror-percent", a.mirror_percent, 1, 50),  # the service mirrors at most 50 %
        ("--canary-percent", a.canary_percent, 1, 99),
        ("--probes", a.probes, 1, 1000),
        ("--max-error-rate", a.max_error_rate, 0, 0.99),
    ):
        if not low <= value <= high:
            parser.error(f"{flag} must be between {low} and {high}, got {value}")
    if a.live == a.candidate:
        parser.error("--live and --candidate must differ")
    cfg = Config(
        a.endpoint_name, a.model_version, a.resource_group, a.workspace_name, a.model_name,
        a.live, a.candidate, a.deployment_file, a.request_file,
        a.mirror_percent, a.canary_percent, a.probes, a.max_error_rate,
    )  # fmt: skip
    return cfg, a.dry_run


def main(argv: list[str] | None = None, runner: Runner | None = None) -> int:
    """Entry point: parse arguments, then print the plan (--dry-run) or run the rollout."""
    cfg, dry_run = parse_args(argv)
    if dry_run:
        print_plan(cfg)
        return EXIT_OK
    return run_rollout(cfg, runner or az_runner, lambda line: print(line, file=sys.stderr))


if __name__ == "__main__":
    sys.exit(main())
