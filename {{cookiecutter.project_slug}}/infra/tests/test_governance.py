{% raw -%}
"""The governance stack under mocks: environments, reviewers, main's protection, DevOps checks."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops_infra import plan
from mlops_infra.config import INFRA_DIR, load_project, load_stack_config
from mlops_infra.governance.args import GovernanceArgsError
from mlops_infra.governance.program import build
from mlops_infra.governance.settings import load_governance_settings
from mlops_infra.mocks import Mocks, devops_lookup, team_id
from mlops_infra.naming import SLUG
from mlops_infra.settings import ConfigError
from support import Record, mock_stack, mocked, of_type

GOVERNANCE = "governance"
GOVERNANCE_DIR = INFRA_DIR / GOVERNANCE
PROJECT = load_project(GOVERNANCE_DIR)
TYPES = {"string": str, "boolean": bool, "integer": int, "array": list}
ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment"
PROTECTION = "github:index/branchProtection:BranchProtection"
DEVOPS_ENVIRONMENT = "azuredevops:index/environment:Environment"
APPROVAL = "azuredevops:index/checkApproval:CheckApproval"
BRANCH_CONTROL = "azuredevops:index/checkBranchControl:CheckBranchControl"
# Both sides on, whatever the bake chose, so every test below sees both.
BOTH = {"githubRepository": f"contoso/{SLUG}", "azureDevOpsProject": SLUG}


def governed(**overrides: str | None) -> Mocks:
    """The governance program run under fresh mocks, its config with ``overrides``."""
    mocks = mock_stack(GOVERNANCE, **{**BOTH, **overrides})

    @mocked
    def deploy() -> None:
        build(load_governance_settings(stack=GOVERNANCE))

    deploy()
    return mocks


def github_environment(mocks: Mocks, name: str) -> dict[str, Any]:
    """The inputs of the GitHub environment ``name``."""
    found = [r for r in of_type(mocks.resources, ENVIRONMENT) if r["inputs"]["environment"] == name]
    assert len(found) == 1, name
    inputs: dict[str, Any] = found[0]["inputs"]
    return inputs


def devops_record(mocks: Mocks, type_token: str, suffix: str) -> Record:
    """The one Azure DevOps resource of ``type_token`` whose name ends with ``suffix``."""
    found = [r for r in of_type(mocks.resources, type_token) if r["name"].endswith(suffix)]
    assert len(found) == 1, (type_token, suffix)
    return found[0]


@pytest.fixture(scope="module")
def both() -> Mocks:
    """The stack file's config with both sides managed."""
    return governed()


def test_prod_needs_reviewers_no_self_review_protected_branches_and_the_wait_timer() -> None:
    prod = github_environment(governed(githubProdWaitTimer="30"), "prod")
    assert prod["reviewers"] == [{"teams": [team_id("release-approvers")]}]
    assert prod["preventSelfReview"] is True
    assert prod["canAdminsBypass"] is False
    assert prod["deploymentBranchPolicy"] == {
        "protectedBranches": True,
        "customBranchPolicies": False,
    }
    assert prod["waitTimer"] == 30


def test_staging_deploys_from_protected_branches_and_takes_optional_reviewers(both: Mocks) -> None:
    staging = github_environment(both, "staging")
    assert staging["deploymentBranchPolicy"]["protectedBranches"] is True
    assert "reviewers" not in staging  # none configured by default
    reviewed = github_environment(governed(githubStagingReviewerTeams='["ml-leads"]'), "staging")
    assert reviewed["reviewers"] == [{"teams": [team_id("ml-leads")]}]
    assert reviewed["preventSelfReview"] is True


def test_the_drift_check_environment_is_unreviewed_but_only_for_protected_branches(
    both: Mocks,
) -> None:
    monitoring = github_environment(both, "monitoring")
    assert "reviewers" not in monitoring
    assert monitoring["waitTimer"] == 0
    assert monitoring["deploymentBranchPolicy"] == {
        "protectedBranches": True,
        "customBranchPolicies": False,
    }


def test_dev_is_unreviewed_but_only_for_protected_branches(both: Mocks) -> None:
    # Its identity deploys dev: a pull request's workflow naming `environment: dev` is refused.
    dev = github_environment(both, "dev")
    assert "reviewers" not in dev
    assert dev["deploymentBranchPolicy"] == {
        "protectedBranches": True,
        "customBranchPolicies": False,
    }
    assert dev["waitTimer"] == 0


@pytest.mark.parametrize("name", ["staging-preview", "prod-preview"])
def test_the_post_merge_previews_run_unreviewed_from_protected_branches_only(
    both: Mocks, name: str
) -> None:
    preview = github_environment(both, name)
    assert "reviewers" not in preview
    assert preview["deploymentBranchPolicy"] == {
        "protectedBranches": True,
        "customBranchPolicies": False,
    }


def test_every_github_environment_admits_protected_branches_only(both: Mocks) -> None:
    environments = of_type(both.resources, ENVIRONMENT)
    assert len(environments) == 6
    open_to_any_branch = [
        r["inputs"]["environment"]
        for r in environments
        if (r["inputs"].get("deploymentBranchPolicy") or {}).get("protectedBranches") is not True
    ]
    assert open_to_any_branch == []


def test_main_needs_reviews_and_the_configured_checks_even_for_admins() -> None:
    checks = ["test", "plan (prod)"]
    mocks = governed(githubMainReviewCount="2", githubRequiredChecks=json.dumps(checks))
    protection = of_type(mocks.resources, PROTECTION)
    assert len(protection) == 1
    inputs = protection[0]["inputs"]
    assert (inputs["pattern"], inputs["repositoryId"]) == ("main", SLUG)
    assert inputs["enforceAdmins"] is True
    assert inputs["allowsForcePushes"] is False
    assert inputs["allowsDeletions"] is False
    assert inputs["requiredPullRequestReviews"] == [
        {
            "requiredApprovingReviewCount": 2,
            "dismissStaleReviews": True,
            "requireCodeOwnerReviews": False,
        }
    ]
    assert inputs["requiredStatusChecks"] == [{"strict": True, "contexts": checks}]


def test_github_resources_go_through_a_provider_of_the_repository_owner(both: Mocks) -> None:
    providers = of_type(both.resources, "pulumi:providers:github")
    assert [p["inputs"]["owner"] for p in providers] == ["contoso"]
    teams = [c["args"]["slug"] for c in both.calls if c["token"].startswith("github:")]
    assert teams == ["release-approvers"]


def devops_gaps(mocks: Mocks, connections: dict[str, str], pool: str) -> list[str]:
    """Each gated resource the DevOps side leaves usable from another branch or unapproved.

    ``connections`` maps each service connection that must be main-only to the environment whose
    approval it also needs ('' for none); ``pool`` is the private agent pool.
    """
    lookups = {}  # (lookup, name) -> the id the project answered
    for call in mocks.calls:
        function = call["token"].rpartition(":")[2]
        if function in ("getServiceEndpointAzureRM", "getAgentQueue"):
            name = call["args"].get("serviceEndpointName") or call["args"]["name"]
            lookups[(function, name)] = devops_lookup(function, call["args"])["id"]
    controls = {
        (r["inputs"]["targetResourceType"], r["inputs"]["targetResourceId"]): r["inputs"]
        for r in of_type(mocks.resources, BRANCH_CONTROL)
    }
    approvals = {
        (r["inputs"]["targetResourceType"], r["inputs"]["targetResourceId"]): r["inputs"]
        for r in of_type(mocks.resources, APPROVAL)
    }
    targets = {name: ("endpoint", ("getServiceEndpointAzureRM", name)) for name in connections}
    targets[pool] = ("queue", ("getAgentQueue", pool))
    gaps = []
    for name, (kind, lookup) in targets.items():
        control = controls.get((kind, lookups.get(lookup)), {})
        if (
            control.get("allowedBranches") != "refs/heads/main"
            or control.get("verifyBranchProtection") is not True
            or control.get("ignoreUnknownProtectionStatus") is not False
        ):
            gaps.append(f"{kind} {name}: not limited to a protected main")
        if connections.get(name):
            approval = approvals.get((kind, lookups.get(lookup)), {})
            if not approval.get("approvers") or approval.get("requesterCanApprove") is not False:
                gaps.append(f"{kind} {name}: no approval the requester cannot give")
    return gaps


# What a baked project's pipelines name (their parameters' defaults) -> the approval it needs.
GATED_CONNECTIONS = {
    f"{SLUG}-dev": "",
    f"{SLUG}-staging": "staging",
    f"{SLUG}-prod": "prod",
    f"{SLUG}-staging-preview": "",
    f"{SLUG}-prod-preview": "",
    f"{SLUG}-monitoring": "",
}
PRIVATE_POOL = f"{SLUG}-private"


def test_deploy_and_read_connections_and_the_private_pool_are_main_only(both: Mocks) -> None:
    assert devops_gaps(both, GATED_CONNECTIONS, PRIVATE_POOL) == []
    # Looked up by name in the project, once each: this stack never holds their credentials.
    looked_up = [
        c["args"]["serviceEndpointName"] for c in both.calls if c["token"].endswith("AzureRM")
    ]
    assert sorted(looked_up) == sorted(GATED_CONNECTIONS)
    assert f"{SLUG}-dev-preview" not in looked_up  # pull requests preview dev with it


def _check_records(mocks: Mocks) -> list[Record]:
    return of_type(mocks.resources, BRANCH_CONTROL) + of_type(mocks.resources, APPROVAL)


@pytest.mark.parametrize("index", range(9))
def test_removing_any_connection_or_pool_check_is_caught(both: Mocks, index: int) -> None:
    checks = [
        r
        for r in _check_records(both)
        if r["inputs"]["targetResourceType"] in ("endpoint", "queue")
    ]
    assert len(checks) == 9  # 6 connections and the pool main-only, 2 approvals
    mutant = copy.copy(both)
    mutant.resources = [r for r in both.resources if r is not checks[index]]
    assert len(devops_gaps(mutant, GATED_CONNECTIONS, PRIVATE_POOL)) == 1


def test_an_approval_the_requester_can_give_is_caught(both: Mocks) -> None:
    mutant = copy.deepcopy(both)
    for record in of_type(mutant.resources, APPROVAL):
        record["inputs"]["requesterCanApprove"] = True
    assert devops_gaps(mutant, GATED_CONNECTIONS, PRIVATE_POOL) == [
        f"endpoint {SLUG}-staging: no approval the requester cannot give",
        f"endpoint {SLUG}-prod: no approval the requester cannot give",
    ]


def test_a_check_on_another_branch_is_caught(both: Mocks) -> None:
    mutant = copy.deepcopy(both)
    for record in of_type(mutant.resources, BRANCH_CONTROL):
        if record["inputs"]["targetResourceType"] == "queue":
            record["inputs"]["allowedBranches"] = "refs/heads/main, refs/pull/*"
    gaps = devops_gaps(mutant, GATED_CONNECTIONS, PRIVATE_POOL)
    assert gaps == [f"queue {PRIVATE_POOL}: not limited to a protected main"]


def test_devops_approvals_exclude_the_requester_and_name_the_looked_up_groups(
    both: Mocks,
) -> None:
    approval = devops_record(both, APPROVAL, "-prod-approval")["inputs"]
    assert approval["targetResourceType"] == "endpoint"
    assert approval["requesterCanApprove"] is False
    assert approval["minimumRequiredApprovers"] == 1
    assert approval["timeout"] == 1440
    lookups = [c["args"]["name"] for c in both.calls if c["token"].endswith(":getGroup")]
    assert lookups == ["Release Approvers"]  # looked up once, passed by origin id
    assert len(approval["approvers"]) == 1
    assert len(of_type(both.resources, APPROVAL)) == 2  # staging and prod, nothing else


def test_devops_environments_remain_and_prod_deploys_from_main_only(both: Mocks) -> None:
    environments = of_type(both.resources, DEVOPS_ENVIRONMENT)
    assert sorted(r["inputs"]["name"] for r in environments) == ["dev", "prod", "staging"]
    prod_id = f"{devops_record(both, DEVOPS_ENVIRONMENT, '-prod')['name']}-id"
    control = devops_record(both, BRANCH_CONTROL, f"{SLUG}-devops-prod-branch-control")["inputs"]
    assert (control["targetResourceType"], control["targetResourceId"]) == ("environment", prod_id)
    assert control["allowedBranches"] == "refs/heads/main"
    assert control["verifyBranchProtection"] is True


def test_approval_count_and_timeout_come_from_config() -> None:
    groups = json.dumps(["Release Approvers", "ML Leads"])
    mocks = governed(
        azureDevOpsProdApprovers=groups,
        azureDevOpsStagingApprovers=groups,
        azureDevOpsMinimumApprovers="2",
        azureDevOpsApprovalTimeout="60",
    )
    approval = devops_record(mocks, APPROVAL, "-prod-approval")["inputs"]
    assert (approval["minimumRequiredApprovers"], approval["timeout"]) == (2, 60)
    assert len(set(approval["approvers"])) == 2


@pytest.mark.parametrize(
    ("key", "provider", "component"),
    [
        ("githubRepository", "github", "GitHubGovernance"),
        ("azureDevOpsProject", "azuredevops", "DevOpsGovernance"),
    ],
)
def test_an_empty_side_creates_nothing_and_calls_nothing(
    key: str, provider: str, component: str
) -> None:
    mocks = governed(**{key: ""})
    assert mocks.resources, "the other side still creates its resources"
    types = {record["type"] for record in mocks.resources}
    assert not [t for t in types if t.startswith(f"{provider}:") or t.endswith(f":{provider}")]
    assert f"{SLUG}:governance:{component}" not in types
    assert not [c for c in mocks.calls if c["token"].startswith(f"{provider}:")]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"githubMainReviewCount": "0"}, "githubMainReviewCount must be 1..6, got 0"),
        ({"githubRepository": SLUG}, "githubRepository must be owner/name"),
        ({"githubRepository": "a/b/c"}, "githubRepository must be owner/name"),
        ({"githubProdWaitTimer": "43201"}, "githubProdWaitTimer must be 0..43200, got 43201"),
        ({"githubProdWaitTimer": "-1"}, "githubProdWaitTimer must be 0..43200, got -1"),
        ({"githubProdReviewerTeams": "[]"}, "githubProdReviewerTeams must list 1 to 6"),
        ({"githubProdReviewerTeams": '["Release Team"]'}, "'Release Team' is not a team slug"),
        ({"githubStagingReviewerTeams": json.dumps(list("abcdefg"))}, "0 to 6 team slugs, got 7"),
        ({"githubRequiredChecks": "[]"}, "githubRequiredChecks must list the CI job names"),
        ({"azureDevOpsProdApprovers": "[]"}, "azureDevOpsProdApprovers must name at least one"),
        ({"azureDevOpsStagingApprovers": '[" "]'}, "azureDevOpsStagingApprovers must name"),
        ({"azureDevOpsMinimumApprovers": "2"}, "azureDevOpsMinimumApprovers must be 1..1, got 2"),
        ({"azureDevOpsApprovalTimeout": "0"}, "azureDevOpsApprovalTimeout must be 1..43200"),
        ({"azureDevOpsProdConnection": " "}, "azureDevOpsProdConnection must name a service"),
        ({"azureDevOpsMainOnlyConnections": '[""]'}, "azureDevOpsMainOnlyConnections has an empty"),
        ({"azureDevOpsMainOnlyConnections": json.dumps([f"{SLUG}-prod"])}, "named twice"),
        ({"azureDevOpsPrivatePool": ""}, "azureDevOpsPrivatePool must name the private agent pool"),
    ],
)
def test_invalid_config_is_refused_before_anything_registers(
    overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(GovernanceArgsError) as caught:
        governed(**overrides)
    text = str(caught.value)
    assert message in text
    assert "pulumi config set" in text
    assert "\n" not in text


def test_a_refused_config_registers_nothing() -> None:
    mocks = mock_stack(GOVERNANCE, **BOTH, azureDevOpsApprovalTimeout="0")
    settings = load_governance_settings(stack=GOVERNANCE)
    with pytest.raises(GovernanceArgsError):
        build(settings)  # raises before the first component, outside any engine run
    assert mocks.resources == []
    assert mocks.calls == []


def test_a_mistyped_key_is_one_config_error_line() -> None:
    mock_stack(GOVERNANCE, githubMainReviewCount="many")
    with pytest.raises(ConfigError, match="githubMainReviewCount must be an integer, got 'many'"):
        load_governance_settings(stack=GOVERNANCE)


# --- make plan STACK=governance ---------------------------------------------------------------


def test_plan_governance_writes_resources_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert plan.main(["--stack", GOVERNANCE, "--out", str(tmp_path)]) == 0
    records = json.loads((tmp_path / GOVERNANCE / "resources.json").read_text())
    types = {record["type"] for record in records}
    config = load_stack_config(GOVERNANCE).values
    github = bool(config[PROJECT.key("githubRepository")])
    devops = bool(config[PROJECT.key("azureDevOpsProject")])
    assert (ENVIRONMENT in types, PROTECTION in types) == (github, github)
    assert (APPROVAL in types, BRANCH_CONTROL in types) == (devops, devops)
    assert capsys.readouterr().out.splitlines()[-1].split() == ["total", str(len(records))]


def test_plan_refuses_a_bad_governance_stack_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    infra = tmp_path / "infra"
    (infra / GOVERNANCE).mkdir(parents=True)
    (infra / "Pulumi.yaml").write_text((INFRA_DIR / "Pulumi.yaml").read_text())
    (infra / GOVERNANCE / "Pulumi.yaml").write_text((GOVERNANCE_DIR / "Pulumi.yaml").read_text())
    stack = yaml.safe_load((GOVERNANCE_DIR / "Pulumi.governance.yaml").read_text())
    stack["config"][PROJECT.key("githubRepository")] = "no-owner"
    stack["config"][PROJECT.key("azureDevOpsProject")] = ""
    (infra / GOVERNANCE / "Pulumi.governance.yaml").write_text(yaml.safe_dump(stack))
    argv = ["--stack", GOVERNANCE, "--infra-dir", str(infra), "--out", str(tmp_path / "out")]
    assert plan.main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("Error: Pulumi.governance.yaml: githubRepository must be owner/name")
    assert not (tmp_path / "out" / GOVERNANCE).exists()


def test_entry_point_imports_the_shared_package_from_its_own_folder() -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", "import runpy; runpy.run_path('__main__.py', run_name='__main__')"],
        cwd=GOVERNANCE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    # Outside the engine it has no config: it got as far as reading it, through mlops_infra.
    assert "mlops_infra.settings.ConfigError: githubRepository is required" in done.stderr
    assert "ModuleNotFoundError" not in done.stderr


# --- the project files ---------------------------------------------------------------------------


def test_project_file_names_the_project_and_shares_infra_venv() -> None:
    raw = yaml.safe_load((GOVERNANCE_DIR / "Pulumi.yaml").read_text())
    assert PROJECT.name == f"{SLUG}-governance"
    assert raw["runtime"] == {
        "name": "python",
        "options": {"toolchain": "uv", "virtualenv": "../.venv"},
    }
    for key, declaration in PROJECT.config.items():
        assert declaration["type"] in TYPES, key
        assert declaration["description"].strip(), key
        if "default" in declaration:
            assert type(declaration["default"]) is TYPES[declaration["type"]], key


def test_stack_file_sets_only_declared_keys_with_declared_types() -> None:
    config = yaml.safe_load((GOVERNANCE_DIR / "Pulumi.governance.yaml").read_text())["config"]
    for full_key, value in config.items():
        bare = full_key.removeprefix(f"{PROJECT.name}:")
        assert full_key == PROJECT.key(bare), full_key
        assert type(value) is TYPES[PROJECT.config[bare]["type"]], full_key


def test_the_managed_sides_follow_the_baked_ci_provider() -> None:
    config = load_stack_config(GOVERNANCE)
    assert config.program == GOVERNANCE
    root = INFRA_DIR.parent
    github = config.values[PROJECT.key("githubRepository")]
    devops = config.values[PROJECT.key("azureDevOpsProject")]
    assert bool(github) == (root / ".github").is_dir()
    assert bool(devops) == (root / ".azure-pipelines").is_dir()


def pipeline_parameters(name: str) -> dict[str, str]:
    """The parameter defaults of one of the project's Azure Pipelines."""
    raw = yaml.safe_load((INFRA_DIR.parent / ".azure-pipelines" / name).read_text(encoding="utf-8"))
    return {p["name"]: p["default"] for p in raw["parameters"] if "default" in p}


def test_the_gated_names_are_the_names_the_pipelines_use() -> None:
    config = load_stack_config(GOVERNANCE).values
    if not (INFRA_DIR.parent / ".azure-pipelines").is_dir():  # the DevOps side is off (above)
        assert not config[PROJECT.key("azureDevOpsProject")]
        return
    mock_stack(GOVERNANCE)  # the stack file's config, as `pulumi up -s governance` reads it
    settings = load_governance_settings(stack=GOVERNANCE)
    cd, ci = pipeline_parameters("cd.yml"), pipeline_parameters("ci.yml")
    drift = pipeline_parameters("drift.yml")
    deploy = [cd[f"{env}ServiceConnection"] for env in ("dev", "staging", "prod")]
    assert deploy == [
        settings.azure_devops_dev_connection,
        settings.azure_devops_staging_connection,
        settings.azure_devops_prod_connection,
    ]
    reads = [ci["stagingPreviewServiceConnection"], ci["prodPreviewServiceConnection"]]
    assert settings.azure_devops_main_only_connections == (*reads, drift["driftServiceConnection"])
    assert cd["privatePool"] == ci["privatePool"] == settings.azure_devops_private_pool
    assert set(deploy + reads) == set(GATED_CONNECTIONS) - {drift["driftServiceConnection"]}
    # The one connection pull requests may use is gated by nothing but its read-only roles.
    assert ci["devPreviewServiceConnection"] not in settings.azure_devops_main_only_connections


def ci_check_names(workflow: dict[str, Any]) -> set[str]:
    """The check names GitHub shows for a workflow's jobs: ``name``, matrix values expanded."""
    names: set[str] = set()
    for job_id, job in workflow["jobs"].items():
        name = str(job.get("name", job_id))
        for key, values in (job.get("strategy", {}).get("matrix") or {}).items():
            placeholder = "${{ matrix." + key + " }}"
            names.update(name.replace(placeholder, str(value)) for value in values)
        if "${{ matrix." not in name:
            names.add(name)
    return names


def test_the_required_checks_are_jobs_of_the_ci_workflow() -> None:
    workflow_file = INFRA_DIR.parent / ".github" / "workflows" / "ci.yml"
    required = json.loads(load_stack_config(GOVERNANCE).values[PROJECT.key("githubRequiredChecks")])
    if not workflow_file.is_file():  # no GitHub workflows: the GitHub side is off (test above)
        assert not load_stack_config(GOVERNANCE).values[PROJECT.key("githubRepository")]
        return
    names = ci_check_names(yaml.safe_load(workflow_file.read_text(encoding="utf-8")))
    assert set(required) <= names, (
        f"never reported, would block every merge: {set(required) - names}"
    )
    assert {"test and lifecycle smoke", "policy gate", "offline plan (prod)"} <= set(required)


def test_a_renamed_ci_job_is_caught() -> None:
    workflow = {
        "jobs": {
            "plan": {
                "name": "offline plan (${{ matrix.stack }})",
                "strategy": {"matrix": {"stack": ["dev"]}},
            },
            "test": {"name": "unit tests"},
        }
    }
    assert ci_check_names(workflow) == {"offline plan (dev)", "unit tests"}
    assert "test and lifecycle smoke" not in ci_check_names(workflow)
{%- endraw %}
