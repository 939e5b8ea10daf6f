"""checkov over the planned manifests, run once in the background by the pinned binary.

checkov pins packages that conflict with pulumi's, so it lives in its own environment that
``make checkov-setup`` creates (``make infra-test`` depends on it). Without it the checkov tests
FAIL, naming that target: the only checkov gates never turn green by being skipped.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mlops_infra.config import INFRA_DIR

CHECKOV = INFRA_DIR.parent / ".tools" / "checkov" / "bin" / "checkov"
SETUP_HINT = "run `make checkov-setup` in the project (`make infra-test` runs it first)"

# Findings expected on purpose: check -> (stacks it fires in, reason). Every other finding fails.
EXPECTED_FINDINGS: dict[str, tuple[tuple[str, ...], str]] = {
    # The scoring server's contract reads the key from env SCORING_API_KEY (the package's
    # asgi.py). The value comes from a secretKeyRef (never in the manifest or Pulumi state), the
    # server does not log its environment, and Kubernetes has no file-to-env shim that would be
    # safer than secretKeyRef itself.
    "CKV_K8S_35": (("dev", "staging", "prod"), "secret as env var: the server reads env"),
    # Only dev may run a tag (settings.DIGEST_REQUIRED_IN); staging and prod pass the check
    # because KubernetesServingArgs(require_digest=True) refuses an image without a digest.
    "CKV_K8S_43": (("dev",), "image digest: dev deploys the CI tag"),
}
Container = dict[str, Any]
# Broken copies of a staging Deployment's container: checkov must flag each for its reason.
MUTANTS: dict[str, Callable[[Container], object]] = {
    "no-limits": lambda c: c["resources"].pop("limits"),
    "privilege-escalation": lambda c: c["securityContext"].update(allowPrivilegeEscalation=True),
    "tagged-image": lambda c: c.update(image=c["image"].split("@")[0] + ":1.0"),
}
MUTANT_FINDINGS = {
    "no-limits": {"CKV_K8S_11", "CKV_K8S_13"},  # CPU and memory limits
    "privilege-escalation": {"CKV_K8S_20"},
    "tagged-image": {"CKV_K8S_43"},  # digest required outside dev
}


@dataclass(frozen=True)
class CheckovJob:
    """A checkov run in the background, or why it could not start."""

    process: subprocess.Popen[bytes] | None
    stdout: Path
    stderr: Path
    problem: str | None = None


def write_inputs(root: Path, stacks: Mapping[str, Path], staging_deployment: Path) -> Path:
    """``root/<stack>/`` per planned stack, and ``root/mutants/`` from one staging Deployment."""
    for stack, directory in stacks.items():
        shutil.copytree(directory / "manifests", root / stack)
    base = yaml.safe_load(staging_deployment.read_text())
    (root / "mutants").mkdir()
    for label, mutate in MUTANTS.items():
        mutant = copy.deepcopy(base)
        mutant["metadata"]["name"] = f"mutant-{label}"
        mutate(mutant["spec"]["template"]["spec"]["containers"][0])
        (root / "mutants" / f"{label}.yaml").write_text(yaml.safe_dump(mutant))
    return root


def start(root: Path, work: Path) -> CheckovJob:
    """Start one checkov run over ``root`` (every Kubernetes check, nothing skipped)."""
    stdout, stderr = work / "checkov.json", work / "checkov.err"
    if not CHECKOV.is_file():
        return CheckovJob(None, stdout, stderr, f"checkov is not installed at {CHECKOV}")
    command = [str(CHECKOV), "-d", str(root), "--framework", "kubernetes", "--skip-download"]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen([*command, "-o", "json"], stdout=out, stderr=err)
    return CheckovJob(process, stdout, stderr)


def finish(job: CheckovJob, timeout: float = 600) -> dict[str, Any]:
    """Wait for the run; its JSON report, or an AssertionError that names the fix."""
    assert job.process is not None, f"{job.problem}: {SETUP_HINT}"
    code = job.process.wait(timeout=timeout)
    report = job.stdout.read_text().strip()
    problem = f"checkov could not run (exit {code}): {job.stderr.read_text()[-500:]}"
    assert code in (0, 1), f"{problem}: {SETUP_HINT}"
    assert report, f"{problem}: {SETUP_HINT}"
    loaded: dict[str, Any] = json.loads(report)
    return loaded


def stop(job: CheckovJob) -> None:
    """End the run if nobody waited for it."""
    if job.process is not None and job.process.poll() is None:
        job.process.kill()
        job.process.wait()


def findings(report: Mapping[str, Any], outcome: str) -> set[tuple[str, str, str]]:
    """(check id, top folder, file name) of every ``passed`` or ``failed`` check."""
    found = set()
    for check in report["results"][f"{outcome}_checks"]:
        parts = Path(check["file_path"]).parts  # ("/", "<stack>" or "mutants", ..., "<file>")
        found.add((check["check_id"], parts[1], parts[-1]))
    return found
