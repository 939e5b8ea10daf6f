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
# Azure ML specs (pipelines/), checkov's yaml framework
AZUREML_CHECKS = {"CKV_MLOPS_20", "CKV_MLOPS_21", "CKV_MLOPS_22"}
FIXTURE_CHECKS = CI_CHECKS | AZUREML_CHECKS
ONLINE = ROOT / "pipelines" / "online"
Results = dict[str, dict[str, set[str]]]  # folder -> {"passed"|"failed" -> our check ids}
Found = set[tuple[str, str]]  # (our check id, file path under the scanned root)
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


def by_file(reports: list[dict[str, Any]], root: Path, outcome: str) -> Found:
    """(check id, path under ``root``) of our checks with ``outcome`` (passed or failed)."""
    return {
        (c["check_id"], Path(c["file_abs_path"]).relative_to(root).as_posix())
        for report in reports
        for c in report["results"][f"{outcome}_checks"]
        if c["check_id"].startswith("CKV_MLOPS_")
    }


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


# The online deployments run only the scanned scoring image (CKV_MLOPS_21: the deployment,
# CKV_MLOPS_22: the environment it references). Broken copies of the shipped specs: each must
# fail exactly its check, in exactly its file; the variants must pass.
SLUG = "{{ cookiecutter.project_slug }}"
HEX = "4f53cda1" * 8
DIGEST = f"@sha256:{HEX}"
ACR = "contosomlopsprod.azurecr.io"
MCR_IMAGE = f"mcr.microsoft.com/azureml/openmpi5.0-ubuntu24.04{DIGEST}"
DEPLOYMENT, IMAGE_ENVIRONMENT = "blue.yml", "image-environment.yml"
SCHEMAS = "https://azuremlschemas.azureedge.net/latest"
KUBERNETES_DEPLOYMENT = f"{SCHEMAS}/kubernetesOnlineDeployment.schema.json"
TRAINING_ENVIRONMENT = f"azureml:{SLUG}-env:1"
Variant = tuple[str, str, Mutation]  # (the check, the shipped file it changes, how)


def changed(values: dict[str, Any], drop: tuple[str, ...] = ()) -> Mutation:
    """A mutation that removes the keys ``drop`` and sets ``values``."""

    def mutate(spec: dict[str, Any]) -> None:
        for key in drop:
            spec.pop(key)
        spec.update(values)

    return mutate


def _deployment(values: dict[str, Any], drop: tuple[str, ...] = ()) -> Variant:
    return ("CKV_MLOPS_21", DEPLOYMENT, changed(values, drop))


def _environment(values: dict[str, Any], drop: tuple[str, ...] = ()) -> Variant:
    return ("CKV_MLOPS_22", IMAGE_ENVIRONMENT, changed(values, drop))


SCANNED_IMAGE_MUTANTS: dict[str, Variant] = {
    "inline-conda-build": _deployment(
        {"environment": {"image": MCR_IMAGE, "conda_file": "../conda.yml"}}
    ),
    "inline-image": _deployment({"environment": {"image": f"{ACR}/{SLUG}{DIGEST}"}}),
    "inline-docker-build": _deployment({"environment": {"build": {"path": "../../"}}}),
    "training-environment": _deployment({"environment": TRAINING_ENVIRONMENT}),
    "moving-label": _deployment({"environment": f"azureml:{SLUG}-scoring-image@latest"}),
    "shared-registry": _deployment(
        {"environment": f"azureml://registries/shared/environments/{SLUG}-scoring-image/versions/1"}
    ),
    "no-environment": _deployment({}, drop=("environment",)),
    "uploaded-code": _deployment(
        {"code_configuration": {"code": "../../src", "scoring_script": "score.py"}}
    ),
    "kubernetes-training-environment": _deployment(
        {"$schema": KUBERNETES_DEPLOYMENT, "environment": TRAINING_ENVIRONMENT}
    ),
    "schemaless-training-environment": _deployment(
        {"environment": TRAINING_ENVIRONMENT}, drop=("$schema",)
    ),
    "tag": _environment({"image": f"{ACR}/{SLUG}:1.0"}),
    "latest": _environment({"image": f"{ACR}/{SLUG}:latest"}),
    "no-tag": _environment({"image": f"{ACR}/{SLUG}"}),
    "mcr": _environment({"image": MCR_IMAGE}),
    "docker-hub": _environment({"image": f"docker.io/library/python{DIGEST}"}),
    "docker-hub-short-name": _environment({"image": f"python{DIGEST}"}),
    "lookalike-registry": _environment({"image": f"{ACR}.example.com/{SLUG}{DIGEST}"}),
    "another-repository": _environment({"image": f"{ACR}/{SLUG}-debug{DIGEST}"}),
    "imported-base-image": _environment({"image": f"{ACR}/azureml/openmpi5.0-ubuntu24.04{DIGEST}"}),
    "uppercase-digest": _environment({"image": f"{ACR}/{SLUG}@sha256:{HEX.upper()}"}),
    "short-digest": _environment({"image": f"{ACR}/{SLUG}{DIGEST[:-1]}"}),
    "conda-file": _environment({"conda_file": "../conda.yml"}),
    "docker-build": _environment({"build": {"path": "."}}),
    "no-image": _environment({}, drop=("image",)),
    "named-without-routes": _environment({"image": MCR_IMAGE}, drop=("inference_config",)),
}
PASSING_VARIANTS: dict[str, Variant] = {
    "next-version": _deployment({"environment": f"azureml:{SLUG}-scoring-image:12"}),
    "kubernetes": _deployment({"$schema": KUBERNETES_DEPLOYMENT}),
    "stack-registry": _environment({"image": f"mlopsdevacr01.azurecr.io/{SLUG}{DIGEST}"}),
}


@pytest.fixture(scope="module")
def scanned_image_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Found, Found]:
    """The gate's Azure ML run over the shipped pipelines/, other YAML and every copy above."""
    root = tmp_path_factory.mktemp("scanned-image")
    shutil.copytree(ROOT / "pipelines", root / "shipped")
    (root / "others").mkdir()
    shutil.copy(FIXTURES / "kubernetes" / "deployment.yaml", root / "others")
    workflow = FIXTURES / "CKV_MLOPS_3" / "pass" / ".github" / "workflows" / "ci.yml"
    shutil.copy(workflow, root / "others")
    for name, (_, spec_file, mutate) in {**SCANNED_IMAGE_MUTANTS, **PASSING_VARIANTS}.items():
        spec = yaml.safe_load((ONLINE / spec_file).read_text(encoding="utf-8"))
        mutate(spec)
        (root / name).mkdir()
        (root / name / spec_file).write_text(yaml.safe_dump(spec), encoding="utf-8")
    reports = checkov(list(checkov_gate.azureml_part(str(root)).args))
    return by_file(reports, root, "passed"), by_file(reports, root, "failed")


def test_the_shipped_specs_pass_and_other_yaml_is_not_judged(
    scanned_image_results: tuple[Found, Found],
) -> None:
    passed, failed = scanned_image_results
    ours = {(check, path) for check, path in passed if path.startswith(("shipped/", "others/"))}
    assert ours == {
        ("CKV_MLOPS_20", "shipped/online/endpoint.yml"),
        ("CKV_MLOPS_20", "shipped/online/endpoint.dev.yml"),
        ("CKV_MLOPS_21", "shipped/online/blue.yml"),
        ("CKV_MLOPS_21", "shipped/online/green.yml"),
        ("CKV_MLOPS_22", "shipped/online/image-environment.yml"),
    }
    assert {path for _, path in failed if path.startswith(("shipped/", "others/"))} == set()


def test_exactly_the_broken_copies_fail_each_its_check(
    scanned_image_results: tuple[Found, Found],
) -> None:
    _, failed = scanned_image_results
    expected = {(c, f"{name}/{spec}") for name, (c, spec, _) in SCANNED_IMAGE_MUTANTS.items()}
    assert failed == expected


@pytest.mark.parametrize("mutant", sorted(SCANNED_IMAGE_MUTANTS))
def test_an_online_deployment_off_the_scanned_image_fails(
    scanned_image_results: tuple[Found, Found], mutant: str
) -> None:
    check, spec, _ = SCANNED_IMAGE_MUTANTS[mutant]
    _, failed = scanned_image_results
    assert {found for found in failed if found[1].startswith(f"{mutant}/")} == {
        (check, f"{mutant}/{spec}")
    }


@pytest.mark.parametrize("variant", sorted(PASSING_VARIANTS))
def test_another_version_registry_or_kubernetes_deployment_passes(
    scanned_image_results: tuple[Found, Found], variant: str
) -> None:
    check, spec, _ = PASSING_VARIANTS[variant]
    passed, _ = scanned_image_results
    assert (check, f"{variant}/{spec}") in passed


def test_the_gate_names_a_deployment_that_runs_the_training_environment(tmp_path: Path) -> None:
    specs = tmp_path / "repo" / "pipelines"
    shutil.copytree(ROOT / "pipelines", specs)
    blue = specs / "online" / DEPLOYMENT
    text = blue.read_text(encoding="utf-8")
    scanned = f"environment: azureml:{SLUG}-scoring-image:1\n"
    assert scanned in text
    blue.write_text(text.replace(scanned, f"environment: {TRAINING_ENVIRONMENT}\n"))
    failed = checkov_gate.failures(checkov(list(checkov_gate.azureml_part(str(specs)).args)))
    assert [(f.check_id, "/".join(Path(f.path).parts[-3:])) for f in failed] == [
        ("CKV_MLOPS_21", "pipelines/online/blue.yml")
    ]
    assert "[CKV_MLOPS_21]" in failed[0].line_text()


def test_make_policy_runs_the_azureml_checks_over_pipelines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(checkov_gate, "PLANS", tmp_path)
    (tmp_path / "dev" / "manifests").mkdir(parents=True)
    assert checkov_gate.azureml_part() in checkov_gate.parts()
    assert checkov_gate.azureml_part().args == ("-d", "pipelines", "--framework", "yaml")
