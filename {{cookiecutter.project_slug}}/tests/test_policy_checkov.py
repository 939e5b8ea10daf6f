"""``make policy-checkov``'s checks: each of ours passes its good fixture and fails its bad one.

checkov runs in subprocesses from its own environment (``make checkov-setup``): once over the
committed CI fixtures, once over Kubernetes mutants of one good workload and route, once over a
repository copy with a planted secret. checkov logs and skips a check file that does not load,
so every assertion is on the exact set of our check ids that passed and failed.
"""

from __future__ import annotations

import base64
import copy
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from policies import checkov_gate

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "policy" / "checkov"
CI_CHECKS = {f"CKV_MLOPS_{n}" for n in range(1, 8)}
K8S_CHECKS = {f"CKV_MLOPS_{n}" for n in range(10, 20)}
AZUREML_CHECKS = {"CKV_MLOPS_20"}  # Azure ML specs (pipelines/), checkov's yaml framework
FIXTURE_CHECKS = CI_CHECKS | AZUREML_CHECKS
ONLINE = ROOT / "pipelines" / "online"
Results = dict[str, dict[str, set[str]]]  # folder -> {"passed"|"failed" -> our check ids}
Mutation = Callable[[dict[str, Any]], object]


def _container(m: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = m["spec"]["template"]["spec"]["containers"][0]
    return container


def _context(m: dict[str, Any]) -> dict[str, Any]:
    context: dict[str, Any] = _container(m)["securityContext"]
    return context


# One broken copy of the good Deployment (or HTTPRoute) per Kubernetes check.
MUTANTS: dict[str, tuple[str, Mutation]] = {
    "CKV_MLOPS_10": (
        "deployment",
        lambda m: _container(m)["readinessProbe"]["httpGet"].update(path="/health"),
    ),
    "CKV_MLOPS_11": (
        "deployment",
        lambda m: m["spec"]["template"]["spec"].pop("automountServiceAccountToken"),
    ),
    "CKV_MLOPS_12": ("deployment", lambda m: _context(m).update(runAsUser=0)),
    "CKV_MLOPS_13": ("deployment", lambda m: _container(m).pop("volumeMounts")),
    "CKV_MLOPS_14": ("deployment", lambda m: _context(m).update(allowPrivilegeEscalation=True)),
    "CKV_MLOPS_15": ("deployment", lambda m: _context(m)["capabilities"].update(add=["NET_ADMIN"])),
    "CKV_MLOPS_16": (
        "deployment",
        lambda m: _context(m).update(seccompProfile={"type": "Unconfined"}),
    ),
    "CKV_MLOPS_17": ("deployment", lambda m: _container(m)["resources"].pop("limits")),
    "CKV_MLOPS_18": (
        "deployment",
        lambda m: _container(m).update(image="acr.example.azurecr.io/scoring:1.0"),
    ),
    "CKV_MLOPS_19": (
        "httproute",
        lambda m: m["spec"]["rules"][0]["backendRefs"][0].update(weight=-1),
    ),
}


def checkov(args: list[str]) -> list[dict[str, Any]]:
    """checkov (the gate's command line) from the project root; its JSON reports."""
    python = ROOT / checkov_gate.CHECKOV_PYTHON
    assert python.is_file(), f"checkov is not installed at {python}: run `make checkov-setup`"
    done = subprocess.run(
        checkov_gate.command(args), cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr[-800:]
    return checkov_gate.reports(done.stdout)


def by_folder(reports: list[dict[str, Any]], root: Path, depth: int) -> Results:
    """Our check ids that passed and failed, per the first ``depth`` folders under ``root``."""
    found: Results = {}
    for report in reports:
        for outcome in ("passed", "failed"):
            for c in report["results"][f"{outcome}_checks"]:
                path = Path(c["file_abs_path"]).relative_to(root)
                folder = "/".join(path.parts[:depth])
                if c["check_id"].startswith("CKV_MLOPS_"):
                    found.setdefault(folder, {"passed": set(), "failed": set()})
                    found[folder][outcome].add(c["check_id"])
    return found


@pytest.fixture(scope="module")
def ci_results() -> Results:
    """One checkov run over every committed CI and Azure ML spec fixture."""
    args = ["-d", str(FIXTURES), "--framework", "github_actions", "azure_pipelines", "yaml"]
    return by_folder(checkov(args), FIXTURES, 2)


@pytest.fixture(scope="module")
def k8s_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """One checkov run over the good workload and route and one mutant per check."""
    root = tmp_path_factory.mktemp("k8s")
    good = {p.stem: yaml.safe_load(p.read_text()) for p in (FIXTURES / "kubernetes").glob("*.yaml")}
    for kind, manifest in good.items():
        (root / "good").mkdir(exist_ok=True)
        (root / "good" / f"{kind}.yaml").write_text(yaml.safe_dump(manifest))
    for check, (kind, mutate) in MUTANTS.items():
        mutant = copy.deepcopy(good[kind])
        mutate(mutant)
        (root / check).mkdir()
        (root / check / f"{kind}.yaml").write_text(yaml.safe_dump(mutant))
    dev = copy.deepcopy(good["deployment"])
    dev["spec"]["template"]["metadata"]["labels"]["environment"] = "dev"
    MUTANTS["CKV_MLOPS_18"][1](dev)
    (root / "dev-tag").mkdir()
    (root / "dev-tag" / "deployment.yaml").write_text(yaml.safe_dump(dev))
    return by_folder(checkov(["-d", str(root), "--framework", "kubernetes"]), root, 1)


@pytest.mark.parametrize("check", sorted(FIXTURE_CHECKS))
def test_ci_check_passes_its_good_fixture_and_fails_its_bad_one(
    ci_results: Results, check: str
) -> None:
    assert ci_results[f"{check}/fail"]["failed"] == {check}
    assert ci_results[f"{check}/pass"]["failed"] == set()
    assert check in ci_results[f"{check}/pass"]["passed"]


def test_every_ci_check_has_fixtures() -> None:
    assert {p.name for p in FIXTURES.glob("CKV_MLOPS_*")} == FIXTURE_CHECKS


def test_good_workload_and_route_pass_every_kubernetes_check(k8s_results: Results) -> None:
    assert k8s_results["good"] == {"passed": K8S_CHECKS, "failed": set()}


@pytest.mark.parametrize("check", sorted(MUTANTS))
def test_each_kubernetes_mutant_fails_exactly_its_check(k8s_results: Results, check: str) -> None:
    assert k8s_results[check]["failed"] == {check}


def test_dev_may_run_a_tag(k8s_results: Results) -> None:
    assert k8s_results["dev-tag"]["failed"] == set()
    assert "CKV_MLOPS_18" in k8s_results["dev-tag"]["passed"]


def test_every_kubernetes_check_has_a_mutant() -> None:
    assert set(MUTANTS) == K8S_CHECKS
    checks = "\n".join(p.read_text() for p in (ROOT / "policies" / "checkov").glob("*.py"))
    ids = {f"CKV_MLOPS_{n}" for n in range(1, 100) if f'id="CKV_MLOPS_{n}"' in checks}
    assert ids == CI_CHECKS | K8S_CHECKS | AZUREML_CHECKS


def test_a_secret_in_any_file_fails_the_secrets_scan(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "policies", repo / "policies")
    key = base64.b64encode(os.urandom(64)).decode()
    planted = repo / "notes" / "deploy.txt"
    planted.parent.mkdir()
    planted.write_text(
        f"DefaultEndpointsProtocol=https;AccountName=mlopsprod;AccountKey={key};"
        "EndpointSuffix=core.windows.net\n"
    )
    part = checkov_gate.secrets_part(str(repo))
    failed = checkov_gate.failures(checkov(list(part.args)))
    assert {(f.check_id, Path(f.path).name) for f in failed} == {("CKV_SECRET_3", "deploy.txt")}


# Broken copies of the shipped online endpoint specs: each must fail CKV_MLOPS_20.
ENDPOINT_MUTANTS: dict[str, tuple[str, Mutation]] = {
    "public": ("endpoint.yml", lambda s: s.update(public_network_access="enabled")),
    "keys": ("endpoint.yml", lambda s: s.update(auth_mode="key")),
    "untagged-dev": ("endpoint.dev.yml", lambda s: s.pop("tags")),
    "dev-spec-in-prod": ("endpoint.dev.yml", lambda s: s["tags"].update(environment="prod")),
}


@pytest.fixture(scope="module")
def endpoint_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """One checkov run over the shipped endpoint specs and one broken copy per mutant."""
    root = tmp_path_factory.mktemp("azureml")
    (root / "shipped").mkdir()
    for name in ("endpoint.yml", "endpoint.dev.yml"):
        shutil.copy(ONLINE / name, root / "shipped" / name)
    for mutant, (name, mutate) in ENDPOINT_MUTANTS.items():
        spec = yaml.safe_load((ONLINE / name).read_text(encoding="utf-8"))
        mutate(spec)
        (root / mutant).mkdir()
        (root / mutant / name).write_text(yaml.safe_dump(spec), encoding="utf-8")
    return by_folder(checkov(["-d", str(root), "--framework", "yaml"]), root, 1)


def test_the_shipped_endpoint_specs_pass_the_private_endpoint_check(
    endpoint_results: Results,
) -> None:
    assert endpoint_results["shipped"] == {"passed": {"CKV_MLOPS_20"}, "failed": set()}


@pytest.mark.parametrize("mutant", sorted(ENDPOINT_MUTANTS))
def test_a_public_or_keyed_endpoint_outside_dev_fails(
    endpoint_results: Results, mutant: str
) -> None:
    assert endpoint_results[mutant]["failed"] == {"CKV_MLOPS_20"}
