{% raw -%}
"""The Azure Pipelines: schema-valid, gated deployments, no stored credentials; every rule bites.

The vendored schema accepts the top-level pipelines as written, but not every template on its
own: it rejects expression ids (`job: preview_${{ parameters.stack }}`) and list insertions
(`- ${{ parameters.postDeploySteps }}`). So each pipeline is validated twice, as written and
expanded (parameters at their defaults, every template inlined with the arguments it is really
given), which checks every template in every place it is used; no template may go unused.
"""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from . import azure_pipelines as ap
from .ci_installs import unpinned_installs
from .ci_release import (
    CLI_STEPS,
    PULUMI_UP_SCRIPT,
    captured,
    cli_steps,
    inline_pulumi_up,
    inline_release_logic,
    invocations,
    option,
    shell_variable,
    uv_pinned_inline,
)

PIPELINE_PATHS = [ap.PIPELINES_DIR / name for name in ap.PIPELINES]
ALL_FILES = PIPELINE_PATHS + ap.template_files()
Mutation = Callable[[dict[str, Any]], None]


def _name(path: Path) -> str:
    return path.relative_to(ap.PIPELINES_DIR).as_posix()


def _write(data: dict[str, Any], folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _cd() -> dict[str, Any]:
    return ap.expand(ap.PIPELINES_DIR / "cd.yml")


def _stage(pipeline: dict[str, Any], name: str) -> dict[str, Any]:
    (stage,) = [stage for stage in pipeline["stages"] if stage["stage"] == name]
    return stage


def test_check_jsonschema_is_installed() -> None:
    assert ap.CHECK_JSONSCHEMA.is_file(), f"{ap.CHECK_JSONSCHEMA} is missing: run `make ci-tools`"


@pytest.mark.parametrize("path", PIPELINE_PATHS, ids=_name)
def test_pipeline_as_written_passes_the_schema(path: Path) -> None:
    result = ap.validate(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", PIPELINE_PATHS, ids=_name)
def test_expanded_pipeline_passes_the_schema(tmp_path: Path, path: Path) -> None:
    result = ap.validate(_write(ap.expand(path), tmp_path, path.name))
    assert result.returncode == 0, result.stdout + result.stderr


def _steps_as_string(pipeline: dict[str, Any]) -> None:
    _stage(pipeline, "Prod")["jobs"][0]["strategy"]["runOnce"]["deploy"] = {"steps": "make"}


def _environment_as_list(pipeline: dict[str, Any]) -> None:
    _stage(pipeline, "Prod")["jobs"][0]["environment"] = ["prod"]


@pytest.mark.parametrize("mutate", [_steps_as_string, _environment_as_list])
def test_schema_rejects_a_broken_expanded_pipeline(tmp_path: Path, mutate: Mutation) -> None:
    pipeline = _cd()
    mutate(pipeline)
    assert ap.validate(_write(pipeline, tmp_path, "cd.yml")).returncode != 0


def test_every_template_reference_exists_and_every_template_is_used() -> None:
    assert ap.missing_templates() == []
    assert ap.unused_templates() == []


def _copy_pipelines(tmp_path: Path) -> Path:
    root = tmp_path / ".azure-pipelines"
    shutil.copytree(ap.PIPELINES_DIR, root)
    return root


def test_a_reference_to_a_missing_template_is_caught(tmp_path: Path) -> None:
    root = _copy_pipelines(tmp_path)
    (root / "templates" / "setup-steps.yml").rename(root / "templates" / "setup.yml")
    assert any("setup-steps.yml" in problem for problem in ap.missing_templates(root))
    with pytest.raises(ap.ExpansionError, match="does not exist"):
        ap.expand(root / "ci.yml")


def test_an_unused_template_is_caught(tmp_path: Path) -> None:
    root = _copy_pipelines(tmp_path)
    shutil.copy(root / "templates" / "setup-steps.yml", root / "templates" / "spare.yml")
    assert ap.unused_templates(root) == ["spare.yml"]


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("stack: prod\n", "stack: production\n", "is not one of"),
        ("      stack: prod\n", "", "is required"),
        ("      stack: prod\n", "      stack: prod\n      region: west\n", "unexpected"),
    ],
    ids=["value-not-allowed", "required-missing", "unknown-parameter"],
)
def test_expansion_refuses_what_azure_devops_refuses(
    tmp_path: Path, old: str, new: str, error: str
) -> None:
    root = _copy_pipelines(tmp_path)
    cd = root / "cd.yml"
    text = cd.read_text(encoding="utf-8")
    assert old in text
    cd.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(ap.ExpansionError, match=error):
        ap.expand(cd)


@pytest.mark.parametrize("path", PIPELINE_PATHS, ids=_name)
def test_every_deploying_job_is_a_deployment_job_with_an_environment(path: Path) -> None:
    assert ap.deploying_jobs_without_environment(ap.expand(path)) == []


def _deployment_to_plain_job(pipeline: dict[str, Any]) -> None:
    jobs = _stage(pipeline, "Prod")["jobs"]
    jobs[0] = {"job": "Deploy", "steps": ap.job_steps(jobs[0])}


def _no_environment(pipeline: dict[str, Any]) -> None:
    del _stage(pipeline, "Staging")["jobs"][0]["environment"]


@pytest.mark.parametrize("mutate", [_deployment_to_plain_job, _no_environment])
def test_a_deploy_outside_a_deployment_job_is_caught(mutate: Mutation) -> None:
    pipeline = _cd()
    mutate(pipeline)
    assert ap.deploying_jobs_without_environment(pipeline)


@pytest.mark.parametrize("path", PIPELINE_PATHS, ids=_name)
def test_every_deployment_job_touching_prod_targets_the_prod_environment(path: Path) -> None:
    assert ap.prod_jobs_not_on_prod(ap.expand(path)) == []


def test_deploy_stages_target_their_own_environment() -> None:
    targets = {
        stage["stage"]: ap.environment_name(stage["jobs"][0]) for stage in _cd()["stages"][1:]
    }
    assert targets == {"Dev": "dev", "Staging": "staging", "Prod": "prod"}


@pytest.mark.parametrize("environment", ["staging", {"name": "dev"}])
def test_a_prod_deployment_on_another_environment_is_caught(environment: object) -> None:
    pipeline = _cd()
    _stage(pipeline, "Prod")["jobs"][0]["environment"] = environment
    assert ap.prod_jobs_not_on_prod(pipeline)


@pytest.mark.parametrize("path", ALL_FILES, ids=_name)
def test_no_stored_credentials(path: Path) -> None:
    assert ap.stored_credentials(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "line",
    [
        "  addSpnToEnvironment: true",
        "  AZURE_CLIENT_SECRET: $(clientSecret)",
        "  ARM_CLIENT_SECRET: $(armSecret)",
        "  servicePrincipalKey: $(key)",
        "  az login --service-principal -u $(id) -p $(pw) --tenant $(t)",
        "  AZURE_STORAGE_KEY: $(stateKey)",
        "  PULUMI_CONFIG_PASSPHRASE: $(passphrase)",
    ],
)
def test_a_stored_credential_is_caught(line: str) -> None:
    text = (ap.PIPELINES_DIR / "cd.yml").read_text(encoding="utf-8") + line + "\n"
    assert ap.stored_credentials(text) == [line.strip()]


@pytest.mark.parametrize("path", PIPELINE_PATHS, ids=_name)
def test_the_job_token_never_appears_in_a_script(path: Path) -> None:
    assert ap.token_in_scripts(ap.expand(path)) == []


def test_a_job_token_echoed_by_a_script_is_caught() -> None:
    pipeline = ap.expand(ap.PIPELINES_DIR / "drift.yml")
    pipeline["jobs"][0]["steps"].append({"bash": "echo $(System.AccessToken)", "displayName": "x"})
    assert ap.token_in_scripts(pipeline) == ["x"]


@pytest.mark.parametrize("path", PIPELINE_PATHS, ids=_name)
def test_azure_is_reached_only_through_azure_cli_tasks(path: Path) -> None:
    assert ap.azure_access_outside_azure_cli(ap.expand(path)) == []


@pytest.mark.parametrize(
    "step",
    [
        {"task": "AzurePowerShell@5", "inputs": {"azureSubscription": "prod", "Inline": "x"}},
        {"bash": "az ml model create --name m --path build/model", "displayName": "register"},
        {"script": "az account show", "displayName": "who"},
    ],
    ids=["other-task", "az-in-bash", "az-in-script"],
)
def test_azure_access_outside_azure_cli_is_caught(step: dict[str, Any]) -> None:
    pipeline = _cd()
    _stage(pipeline, "Train")["jobs"][0]["steps"].append(step)
    assert ap.azure_access_outside_azure_cli(pipeline)


@pytest.mark.parametrize("path", ALL_FILES, ids=_name)
def test_service_connections_are_named_by_parameters(path: Path) -> None:
    assert ap.literal_service_connections(ap.load(path)) == []


def test_a_literal_service_connection_is_caught() -> None:
    raw = ap.load(ap.PIPELINES_DIR / "cd.yml")
    raw["stages"][3]["parameters"]["serviceConnection"] = "contoso-prod"
    assert ap.literal_service_connections(raw) == ["serviceConnection: 'contoso-prod'"]


def test_cd_stages_run_train_dev_staging_prod_in_a_chain() -> None:
    assert ap.stage_chain(_cd()) == ap.STAGE_CHAIN


def _prod_after_dev(pipeline: dict[str, Any]) -> None:
    _stage(pipeline, "Prod")["dependsOn"] = "Dev"


def _prod_first(pipeline: dict[str, Any]) -> None:
    pipeline["stages"].insert(0, pipeline["stages"].pop())


@pytest.mark.parametrize("mutate", [_prod_after_dev, _prod_first])
def test_a_broken_stage_chain_is_caught(mutate: Mutation) -> None:
    pipeline = _cd()
    mutate(pipeline)
    assert ap.stage_chain(pipeline) != ap.STAGE_CHAIN


def test_ci_gates_plans_and_previews_every_stack() -> None:
    ci = ap.expand(ap.PIPELINES_DIR / "ci.yml")
    jobs = {job.get("job"): job for job in ci["jobs"]}
    scripts = {name: "\n".join(map(ap.script, ap.job_steps(job))) for name, job in jobs.items()}
    stacks = ["dev", "staging", "prod"]
    assert "make policy" in scripts["policy"].splitlines()
    (sarif,) = [s for s in ap.job_steps(jobs["policy"]) if s.get("task", "").startswith("Publish")]
    assert sarif["condition"] == "always()"
    assert sarif["inputs"]["artifact"] == "CodeAnalysisLogs"
    assert sarif["inputs"]["targetPath"] == "build/policy"
    assert [m["stack"] for m in jobs["plan"]["strategy"]["matrix"].values()] == stacks
    assert "##vso[task.uploadsummary]" in scripts["plan"]
    published = [s["inputs"].get("targetPath") for s in ap.job_steps(jobs["plan"]) if "inputs" in s]
    assert "build/plan/$(stack)/resources.json" in published
    for stack in stacks:
        assert jobs[f"preview_{stack}"]["dependsOn"] == ["test", "policy", "plan"]
        assert "pulumi preview --diff" in scripts[f"preview_{stack}"]


# --- pull requests run with nothing that deploys ------------------------------------------------

# The one connection a pull-request run may use: the read-only preview connection of dev.
PULL_REQUEST_CONNECTION = "devPreviewServiceConnection"


def pull_request_exposure(root: Path) -> list[str]:
    """Every pipeline pull requests can start, compiled as a pull-request run, holds no service
    connection but dev's read-only preview one, no job access token and no private agent."""
    connections = ap.connection_defaults(ap.load(root / "ci.yml"))
    allowed = (
        {connections[PULL_REQUEST_CONNECTION]} if PULL_REQUEST_CONNECTION in connections else set()
    )
    cd = {p["name"]: p.get("default") for p in ap.load(root / "cd.yml")["parameters"]}
    problems = []
    for name in ap.PIPELINES:
        if ap.load(root / name).get("pr") == "none":
            continue
        pipeline = ap.expand(root / name, ap.PULL_REQUEST)
        found = ap.pull_request_credentials(pipeline, allowed, str(cd["privatePool"]))
        problems += [f"{name}: {problem}" for problem in found]
    return problems


def test_pull_request_runs_hold_no_deploy_credential_token_or_private_agent() -> None:
    assert ap.load(ap.PIPELINES_DIR / "ci.yml")["pr"]["branches"]["include"] == ["main"]
    assert pull_request_exposure(ap.PIPELINES_DIR) == []


def test_pull_requests_preview_dev_only_and_main_previews_staging_and_prod() -> None:
    ci = ap.PIPELINES_DIR / "ci.yml"
    previews = {
        reason: {
            job["job"]: ap.job_connections(job)
            for job in ap.expand(ci, reason)["jobs"]
            if job["job"].startswith("preview_")
        }
        for reason in (ap.PULL_REQUEST, ap.PUSH)
    }
    connections = ap.connection_defaults(ap.load(ci))
    assert previews[ap.PULL_REQUEST] == {"preview_dev": {connections[PULL_REQUEST_CONNECTION]}}
    assert previews[ap.PUSH] == {
        "preview_dev": {connections[PULL_REQUEST_CONNECTION]},
        "preview_staging": {connections["stagingPreviewServiceConnection"]},
        "preview_prod": {connections["prodPreviewServiceConnection"]},
    }
    deploy = set(ap.connection_defaults(ap.load(ap.PIPELINES_DIR / "cd.yml")).values())
    assert not deploy & set(connections.values())  # CI never names a deploy connection


def _param(name: str) -> str:
    return "${{ parameters." + name + " }}"


def _ci_before(root: Path) -> None:
    """ci.yml's previews as they were: every stack on every pull request with its deploy
    connection, staging and prod on the private pool (the pipeline of the security review)."""
    cd = {p["name"]: p.get("default") for p in ap.load(root / "cd.yml")["parameters"]}
    names = ["devServiceConnection", "stagingServiceConnection", "prodServiceConnection"]

    def preview(stack: str, pool: dict[str, str]) -> dict[str, Any]:
        given = {"stack": stack, "serviceConnection": _param(f"{stack}ServiceConnection")}
        return {
            "template": "templates/preview-job.yml",
            "parameters": {**given, "pool": pool, "dependsOn": []},
        }

    private = {"name": _param("privatePool")}
    pipeline = {
        "trigger": {"branches": {"include": ["main"]}},
        "pr": {"branches": {"include": ["main"]}},
        "parameters": [
            {"name": name, "type": "string", "default": cd[name]}
            for name in [*names, "privatePool"]
        ],
        "pool": {"vmImage": "ubuntu-latest"},
        "jobs": [
            preview("dev", {"vmImage": "ubuntu-latest"}),
            preview("staging", private),
            preview("prod", private),
        ],
    }
    _write(pipeline, root, "ci.yml")


def _token_in_previews(root: Path) -> None:
    steps = root / "templates" / "pulumi-steps.yml"
    text = steps.read_text(encoding="utf-8")
    old = "AZDO_PERSONAL_ACCESS_TOKEN: ${{ parameters.azureDevOpsToken }}"
    assert old in text
    steps.write_text(text.replace(old, "AZDO_PERSONAL_ACCESS_TOKEN: $(System.AccessToken)"))


def _staging_preview_on_pull_requests(root: Path) -> None:
    ci = root / "ci.yml"
    text = ci.read_text(encoding="utf-8")
    condition = "  - ${{ if ne(variables['Build.Reason'], 'PullRequest') }}:\n"
    assert text.count(condition) == 1
    ci.write_text(
        text.replace(condition, "  - ${{ if ne(variables['Build.Reason'], 'Manual') }}:\n")
    )


def _cd_on_pull_requests(root: Path) -> None:
    cd = root / "cd.yml"
    text = cd.read_text(encoding="utf-8")
    assert "\npr: none\n" in text
    cd.write_text(text.replace("\npr: none\n", "\n"))


DEPLOY_JOBS = {
    f"{stage}.{job}" for stage in ("Dev", "Staging", "Prod") for job in ("Deploy", "Image")
}


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            _ci_before,
            {"__default.preview_dev", "__default.preview_staging", "__default.preview_prod"},
        ),
        (_token_in_previews, {"__default.preview_dev"}),
        (
            _staging_preview_on_pull_requests,
            {"__default.preview_staging", "__default.preview_prod"},
        ),
        (_cd_on_pull_requests, {"Train.Train", *DEPLOY_JOBS}),
    ],
    ids=["ci-before-the-fix", "token-in-previews", "condition-removed", "cd-on-pull-requests"],
)
def test_a_pull_request_run_with_deploy_credentials_is_caught(
    tmp_path: Path, mutate: Callable[[Path], None], expected: set[str]
) -> None:
    root = _copy_pipelines(tmp_path)
    assert pull_request_exposure(root) == [], "the unbroken copy must pass"
    mutate(root)
    problems = pull_request_exposure(root)
    assert {problem.split(": ")[1] for problem in problems} == expected, problems


def test_expansion_refuses_a_condition_it_cannot_evaluate(tmp_path: Path) -> None:
    root = _copy_pipelines(tmp_path)
    ci = root / "ci.yml"
    text = ci.read_text(encoding="utf-8")
    ci.write_text(
        text.replace("ne(variables['Build.Reason'], 'PullRequest')", "eq(parameters.x, 'y')")
    )
    with pytest.raises(ap.ExpansionError, match="cannot evaluate"):
        ap.expand(ci, ap.PULL_REQUEST)


def pipeline_installs(root: Path) -> list[str]:
    """Every step of every pipeline, expanded for main and for pull requests, installs only from
    the locks and downloads only through tools/install_release.sh (ci_installs)."""
    return sorted(
        {
            f"{name}: {step.get('displayName')}: {problem}"
            for name in ap.PIPELINES
            for reason in (ap.PUSH, ap.PULL_REQUEST)
            for _, job in ap.jobs_with_stage(ap.expand(root / name, reason))
            for step in ap.job_steps(job)
            for problem in unpinned_installs(ap.script(step))
        }
    )


def test_pipelines_install_only_from_locks_and_committed_pins() -> None:
    assert pipeline_installs(ap.PIPELINES_DIR) == []


def _edit(file: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


@pytest.mark.parametrize(
    "mutate",
    [
        _edit(
            "cd.yml",
            "                export MLFLOW_TRACKING_URI\n",
            "                export MLFLOW_TRACKING_URI\n"
            "                uv pip install --python .venv/bin/python azureml-mlflow==1.60.0\n",
        ),
        _edit(
            "templates/deploy-stage.yml",
            "tools/az_extension.sh ml",
            "az extension add --name ml --upgrade --only-show-errors",
        ),
        _edit(
            "templates/pulumi-steps.yml",
            'bin="$(tools/install_release.sh pulumi "$(Agent.TempDirectory)/pulumi-cli")"',
            'curl -fsSLO "$release/pulumi-$PULUMI_VERSION-checksums.txt"',
        ),
    ],
    ids=["uv-pip-install-after-login", "floating-az-extension", "checksums-from-the-release"],
)
def test_an_install_outside_the_locks_and_pins_is_caught(
    tmp_path: Path, mutate: Callable[[Path], None]
) -> None:
    root = _copy_pipelines(tmp_path)
    mutate(root)
    assert len({problem.split(": ", 2)[2] for problem in pipeline_installs(root)}) == 1


def test_drift_checks_prods_collected_inputs_and_queues_cd_on_drift() -> None:
    steps = ap.job_steps(ap.expand(ap.PIPELINES_DIR / "drift.yml")["jobs"][0])
    (check,) = [step for step in steps if step.get("name") == "check"]
    text = ap.script(check)
    fetch, run = text.index("tools/drift_inputs.sh"), text.index(" drift --current ")
    assert fetch < run  # the CLI's own exit code: make would turn 1 (drift) into 2
    assert "build/drift-inputs/model/baseline.json" in text
    parameters = ap.load(ap.PIPELINES_DIR / "drift.yml")["parameters"]
    (connection,) = [p["default"] for p in parameters if p["name"] == "driftServiceConnection"]
    # What production serves drifts: read with the monitoring connection, never prod's deploy
    # connection (whose approval check would hold every scheduled run).
    assert connection.endswith("-monitoring")
    assert connection not in ap.connection_defaults(ap.load(ap.PIPELINES_DIR / "cd.yml")).values()
    assert check["inputs"]["azureSubscription"] == connection
    (queue,) = [step for step in steps if "az pipelines run" in ap.script(step)]
    assert queue["condition"] == "and(succeeded(), eq(variables['check.drift'], 'detected'))"
    assert queue["env"]["AZURE_DEVOPS_EXT_PAT"] == "$(System.AccessToken)"


def test_expansion_keeps_the_written_pipelines_unchanged() -> None:
    before = copy.deepcopy(ap.load(ap.PIPELINES_DIR / "cd.yml"))
    ap.expand(ap.PIPELINES_DIR / "cd.yml")
    assert ap.load(ap.PIPELINES_DIR / "cd.yml") == before


def image_scan_not_gating(pipeline: dict[str, Any]) -> list[str]:
    """Each deploy stage's Deploy job depends on an Image job whose Trivy scan gates and deletes."""
    problems = []
    for stage in pipeline["stages"]:
        jobs = {job.get("job") or job.get("deployment"): job for job in stage.get("jobs", [])}
        if "Deploy" not in jobs:
            continue
        name = stage["stage"]
        scripts = "\n".join(ap.script(step) for step in ap.job_steps(jobs.get("Image", {})))
        if "trivy image --severity HIGH,CRITICAL --exit-code 1" not in scripts:
            problems.append(f"{name}: no Trivy scan failing on HIGH,CRITICAL")
        if "az acr repository delete" not in scripts:
            problems.append(f"{name}: a failed scan does not delete the image")
        if "tools/install_release.sh trivy" not in scripts:
            problems.append(f"{name}: Trivy is not installed through tools/install_release.sh")
        if "Image" not in str(jobs["Deploy"].get("dependsOn", "")):
            problems.append(f"{name}: Deploy does not depend on the Image job")
    return problems


def test_every_deploy_stage_scans_the_scoring_image_before_deploying() -> None:
    pipeline = _cd()
    scanned = [
        stage["stage"]
        for stage in pipeline["stages"]
        if any(job.get("job") == "Image" for job in stage.get("jobs", []))
    ]
    assert scanned == ["Dev", "Staging", "Prod"]
    assert image_scan_not_gating(pipeline) == []


def _deploy_without_scan(pipeline: dict[str, Any]) -> None:
    del _stage(pipeline, "Prod")["jobs"][0]["dependsOn"]


def _scan_never_fails(pipeline: dict[str, Any]) -> None:
    for job in _stage(pipeline, "Prod")["jobs"]:
        for step in ap.job_steps(job):
            if "trivy image" in ap.script(step):
                inline = step["inputs"]["inlineScript"]
                step["inputs"]["inlineScript"] = inline.replace("--exit-code 1", "--exit-code 0")


@pytest.mark.parametrize("mutate", [_deploy_without_scan, _scan_never_fails])
def test_a_deployment_the_scan_does_not_gate_is_caught(mutate: Mutation) -> None:
    pipeline = _cd()
    mutate(pipeline)
    assert len(image_scan_not_gating(pipeline)) == 1


def release_not_through_the_cli(pipeline: dict[str, Any], stage: str, monitor: bool) -> list[str]:
    """A deploy stage runs the CLI's release steps in order, and none of them inline."""
    scripts = [
        ap.script(step)
        for _, job in ap.jobs_with_stage(_stage(pipeline, stage))
        for step in ap.job_steps(job)
    ]
    expected = list(CLI_STEPS if monitor else CLI_STEPS[:-1])
    found = cli_steps(scripts)
    problems = [] if found == expected else [f"{stage}: runs {found}, not {expected}"]
    return problems + [f"{stage}: inline {line}" for line in inline_release_logic(scripts)]


@pytest.mark.parametrize("stage", ["Dev", "Staging", "Prod"])
def test_every_deploy_stage_runs_the_clis_release_steps_and_no_inline_copy(stage: str) -> None:
    assert release_not_through_the_cli(_cd(), stage, monitor=stage == "Prod") == []


def test_an_inline_slot_choice_in_a_deploy_stage_is_caught() -> None:
    pipeline = _cd()
    (job,) = [
        job for _, job in ap.jobs_with_stage(_stage(pipeline, "Staging")) if "deployment" in job
    ]
    choose = 'blue="$(az ml online-endpoint show --name e --query traffic.blue --output tsv)"'
    job["strategy"]["runOnce"]["deploy"]["steps"].append({"bash": choose, "displayName": "choose"})
    assert len(release_not_through_the_cli(pipeline, "Staging", monitor=False)) == 1


def test_uv_is_installed_only_at_the_version_of_the_pins_file() -> None:
    texts = [p.read_text(encoding="utf-8") for p in ap.PIPELINES_DIR.rglob("*.yml")]
    assert len(texts) > 1
    assert uv_pinned_inline(texts) == []
    assert uv_pinned_inline(["  - script: pipx install uv==0.13.8"]) != []


# --- the deployed image is the scanned image ---------------------------------------------------

IMAGE_OUTPUTS = {
    "servingImageDigest": "$[ dependencies.Image.outputs['build.digest'] ]",
    "servingImage": "$[ dependencies.Image.outputs['build.image'] ]",
}


def _deploy_job(pipeline: dict[str, Any], stage: str) -> dict[str, Any]:
    (job,) = [job for _, job in ap.jobs_with_stage(_stage(pipeline, stage)) if "deployment" in job]
    return job


def _running(job: dict[str, Any], command: str) -> list[tuple[dict[str, Any], str]]:
    """(step, command line) for each step of ``job`` that runs ``command``."""
    return [(s, line) for s in ap.job_steps(job) for line in invocations([ap.script(s)], command)]


def _reads(step: dict[str, Any], line: str, name: str, wanted: str) -> bool:
    """Whether option ``name`` on ``line`` is a shell variable the step's env sets to ``wanted``."""
    variable = shell_variable(option(line, name) if name else line.split()[-1].strip('"'))
    return step.get("env", {}).get(str(variable)) == wanted


def scanned_image_not_run(pipeline: dict[str, Any], stage: str) -> list[str]:
    """The Deploy job's `pulumi up` is tools/pulumi_up.sh with the Image job's digest; the
    Azure ML environment is registered from the Image job's image and `rollout` runs it."""
    job = _deploy_job(pipeline, stage)
    problems = [
        f"{stage}: variable {name} is not the Image job's output"
        for name, wanted in IMAGE_OUTPUTS.items()
        if job.get("variables", {}).get(name) != wanted
    ]
    scripts = [ap.script(step) for step in ap.job_steps(job)]
    problems += [f"{stage}: inline {line}" for line in inline_pulumi_up(scripts)]
    ups = _running(job, PULUMI_UP_SCRIPT)
    if not any(_reads(s, line, "", "$(servingImageDigest)") for s, line in ups):
        problems.append(f"{stage}: tools/pulumi_up.sh never gets the scanned digest")
    register = _running(job, "register-environment")
    if len(register) != 1 or not _reads(*register[0], "--image", "$(servingImage)"):
        return [*problems, f"{stage}: the Azure ML environment is not the scanned image's"]
    saved = captured([ap.script(register[0][0])], "register-environment")
    output = re.search(rf"task\.setvariable variable=(\w+)\]\${saved}\b", ap.script(register[0][0]))
    wanted = f"$({output[1] if output else None})"
    for _, line in _running(job, "rollout"):
        if option(line, "--image-environment") != wanted:
            problems.append(f"{stage}: rollout --image-environment is not {wanted}")
    return problems


@pytest.mark.parametrize("stage", ["Dev", "Staging", "Prod"])
def test_every_target_runs_the_scanned_digest(stage: str) -> None:
    assert scanned_image_not_run(_cd(), stage) == []


def _replace_in_scripts(old: str, new: str) -> Mutation:
    """A mutation replacing ``old`` (which must be there) in the Prod Deploy job's scripts."""

    def mutate(pipeline: dict[str, Any]) -> None:
        steps = [s for s in ap.job_steps(_deploy_job(pipeline, "Prod")) if old in ap.script(s)]
        assert steps, old
        for step in steps:
            step["inputs"]["inlineScript"] = step["inputs"]["inlineScript"].replace(old, new)

    return mutate


def _digest_not_passed(pipeline: dict[str, Any]) -> None:
    for step in ap.job_steps(_deploy_job(pipeline, "Prod")):
        if "SERVING_IMAGE_DIGEST" in step.get("env", {}):
            step["env"]["SERVING_IMAGE_DIGEST"] = ""


def _environment_from_another_image(pipeline: dict[str, Any]) -> None:
    _deploy_job(pipeline, "Prod")["variables"]["servingImage"] = "$(scoringImage)"


@pytest.mark.parametrize(
    "mutate",
    [
        _replace_in_scripts(' \\\n  --image-environment "$(imageEnvironment)"', ""),
        _replace_in_scripts('--image-environment "$(imageEnvironment)"', "--image-environment x"),
        _replace_in_scripts('"$STACK" "$SERVING_IMAGE_DIGEST"', '"$STACK"'),
        _replace_in_scripts('../tools/pulumi_up.sh "$STACK"\n', 'pulumi up --yes -s "$STACK"\n'),
        _digest_not_passed,
        _environment_from_another_image,
    ],
    ids=[
        "rollout-without-image-environment",
        "rollout-with-another-environment",
        "up-ignores-the-digest",
        "inline-pulumi-up",
        "digest-not-passed",
        "environment-from-another-image",
    ],
)
def test_a_target_not_running_the_scanned_digest_is_caught(mutate: Mutation) -> None:
    pipeline = _cd()
    mutate(pipeline)
    assert len(scanned_image_not_run(pipeline, "Prod")) == 1, scanned_image_not_run(
        pipeline, "Prod"
    )
    assert scanned_image_not_run(pipeline, "Staging") == []


PROMOTED_FROM = {"Dev": None, "Staging": "Dev", "Prod": "Staging"}


def _image_job(pipeline: dict[str, Any], stage: str) -> dict[str, Any]:
    (job,) = [
        job for _, job in ap.jobs_with_stage(_stage(pipeline, stage)) if job.get("job") == "Image"
    ]
    return job


def image_not_promoted(pipeline: dict[str, Any], stage: str) -> list[str]:
    """Dev's Image job builds; Staging's and Prod's import the image the stage before them
    scanned (tools/release_image.sh with sourceImage and sourceRegistryId)."""
    job, earlier = _image_job(pipeline, stage), PROMOTED_FROM[stage]
    problems = []
    for name, output in (("sourceImage", "image"), ("sourceRegistryId", "registry_id")):
        wanted = (
            f"$[ stageDependencies.{earlier}.Image.outputs['build.{output}'] ]" if earlier else ""
        )
        if job.get("variables", {}).get(name) != wanted:
            problems.append(f"{stage}: {name} is not {wanted or 'empty (build)'}")
    made = [s for s in ap.job_steps(job) if invocations([ap.script(s)], "tools/release_image.sh")]
    if len(made) != 1 or made[0].get("env", {}).get("SOURCE_IMAGE") != "$(sourceImage)":
        problems.append(f"{stage}: tools/release_image.sh never gets $(sourceImage)")
    return problems


@pytest.mark.parametrize("stage", PROMOTED_FROM)
def test_staging_and_prod_run_the_digest_dev_built_and_scanned(stage: str) -> None:
    assert image_not_promoted(_cd(), stage) == []


def _prod_from_dev(pipeline: dict[str, Any]) -> None:
    _image_job(pipeline, "Prod")["variables"]["sourceImage"] = (
        "$[ stageDependencies.Dev.Image.outputs['build.image'] ]"
    )


def _prod_rebuilds(pipeline: dict[str, Any]) -> None:
    _image_job(pipeline, "Prod")["variables"]["sourceRegistryId"] = ""


def _prod_build_step_ignores_the_source(pipeline: dict[str, Any]) -> None:
    for step in ap.job_steps(_image_job(pipeline, "Prod")):
        if "SOURCE_IMAGE" in step.get("env", {}):
            step["env"]["SOURCE_IMAGE"] = ""


@pytest.mark.parametrize(
    "mutate", [_prod_from_dev, _prod_rebuilds, _prod_build_step_ignores_the_source]
)
def test_a_stage_that_rebuilds_or_skips_one_is_caught(mutate: Mutation) -> None:
    pipeline = _cd()
    mutate(pipeline)
    assert len(image_not_promoted(pipeline, "Prod")) == 1, image_not_promoted(pipeline, "Prod")
    assert image_not_promoted(pipeline, "Staging") == []
{%- endraw %}
