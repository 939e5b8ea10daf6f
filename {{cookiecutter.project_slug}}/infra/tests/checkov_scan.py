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

POLICY_DIR = INFRA_DIR.parent / "policies"
# The project's own checks (one per file); `make policy-checkov` runs the same directory.
EXTERNAL_CHECKS = POLICY_DIR / "checkov"
Container = dict[str, Any]
Pod = dict[str, Any]


def expected_findings() -> dict[str, tuple[str, ...]]:
    """Built-in checks the manifests fail on purpose: id -> stacks (policies/checkov-skips.yaml)."""
    skips = yaml.safe_load((POLICY_DIR / "checkov-skips.yaml").read_text(encoding="utf-8"))
    return {
        check: tuple(spec["stacks"])
        for check, spec in skips.items()
        if spec["part"] == "kubernetes"
    }


# Broken copies of a staging Deployment: checkov must flag each with exactly these checks among
# the project's own (CKV_MLOPS_*), and the built-in ones listed.
MUTANTS: dict[str, Callable[[Container, Pod], object]] = {
    "no-limits": lambda c, p: c["resources"].pop("limits"),
    "privilege-escalation": lambda c, p: c["securityContext"].update(allowPrivilegeEscalation=True),
    "tagged-image": lambda c, p: c.update(image=c["image"].split("@")[0] + ":1.0"),
    "writable-root": lambda c, p: c["securityContext"].update(readOnlyRootFilesystem=False),
    "root-user": lambda c, p: c["securityContext"].update(runAsUser=0),
    "no-liveness": lambda c, p: c.pop("livenessProbe"),
    "wrong-readiness": lambda c, p: c["readinessProbe"]["httpGet"].update(path="/health"),
    "caps-kept": lambda c, p: c["securityContext"].pop("capabilities"),
    "token-mounted": lambda c, p: p.update(automountServiceAccountToken=True),
    "tag-pull": lambda c, p: c.update(imagePullPolicy="IfNotPresent"),
    "writable-tmp": lambda c, p: c.pop("volumeMounts"),
}
Route = dict[str, Any]
# Broken copies of a staging HTTPRoute (no built-in check or schema covers this CRD).
ROUTE_MUTANTS: dict[str, Callable[[Route], object]] = {
    "route-parent-without-name": lambda r: r["spec"]["parentRefs"][0].pop("name"),
    "route-negative-weight": lambda r: r["spec"]["rules"][0]["backendRefs"][0].update(weight=-1),
}
MUTANT_FINDINGS = {
    "route-parent-without-name": {"CKV_MLOPS_19"},
    "route-negative-weight": {"CKV_MLOPS_19"},
    "no-limits": {"CKV_K8S_11", "CKV_K8S_13", "CKV_MLOPS_17"},
    "privilege-escalation": {"CKV_K8S_20", "CKV_MLOPS_14"},
    "tagged-image": {"CKV_K8S_43", "CKV_MLOPS_18"},
    "writable-root": {"CKV_K8S_22", "CKV_MLOPS_13"},
    "root-user": {"CKV_K8S_40", "CKV_MLOPS_12"},
    "no-liveness": {"CKV_K8S_8", "CKV_MLOPS_10"},
    "wrong-readiness": {"CKV_MLOPS_10"},
    "caps-kept": {"CKV_K8S_28", "CKV_K8S_37", "CKV_MLOPS_15"},
    "token-mounted": {"CKV_K8S_38", "CKV_MLOPS_11"},
    "tag-pull": {"CKV_MLOPS_18"},  # a digest pulled IfNotPresent: only the project check
    "writable-tmp": {"CKV_MLOPS_13"},
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
        pod = mutant["spec"]["template"]["spec"]
        mutate(pod["containers"][0], pod)
        (root / "mutants" / f"{label}.yaml").write_text(yaml.safe_dump(mutant))
    (route_file,) = staging_deployment.parent.glob("*httproute*")
    route = yaml.safe_load(route_file.read_text())
    for label, mutate_route in ROUTE_MUTANTS.items():
        broken = copy.deepcopy(route)
        broken["metadata"]["name"] = f"mutant-{label}"
        mutate_route(broken)
        (root / "mutants" / f"{label}.yaml").write_text(yaml.safe_dump(broken))
    return root


def start(root: Path, work: Path) -> CheckovJob:
    """Start one checkov run over ``root`` (every Kubernetes check and the project's, no skips)."""
    stdout, stderr = work / "checkov.json", work / "checkov.err"
    if not CHECKOV.is_file():
        return CheckovJob(None, stdout, stderr, f"checkov is not installed at {CHECKOV}")
    command = [str(CHECKOV), "-d", str(root), "--framework", "kubernetes", "--skip-download"]
    command += ["--external-checks-dir", str(EXTERNAL_CHECKS)]
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
