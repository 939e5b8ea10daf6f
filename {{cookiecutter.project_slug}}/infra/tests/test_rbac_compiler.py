"""The compiler: each stack's matrix becomes exactly its role assignments, eligibilities,
Azure DevOps memberships and Kubernetes RoleBindings, on the right principals and scopes.

Expectations are read from the raw YAML in rbac/, not from the code under test.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pulumi
import pytest

from mlops_infra.mocks import Mocks
from mlops_infra.naming import SLUG
from mlops_infra.program import build
from mlops_infra.rbac.args import AccessArgsError
from mlops_infra.settings import load_settings
from support import ROLE_BINDING, STACKS, PlannedStack, Record, mock_stack, mocked, of_type
from test_rbac_data import raw

ASSIGNMENT = "azure-native:authorization:RoleAssignment"
ELIGIBILITY = "azure-native:authorization:PimRoleEligibilitySchedule"
MATRIX = {"dev": "pre-production", "staging": "production", "prod": "production"}
SCOPE_PATHS = {
    "ml-workspace": "/providers/Microsoft.MachineLearningServices/workspaces/",
    "key-vault": "/providers/Microsoft.KeyVault/vaults/",
    "container-registry": "/providers/Microsoft.ContainerRegistry/registries/",
    "storage-account": "/providers/Microsoft.Storage/storageAccounts/",
    "log-analytics": "/providers/Microsoft.OperationalInsights/workspaces/",
}
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
Cell = tuple[str, str, str]  # persona, resource, code


def cells(stack: str, kinds: tuple[str, ...]) -> list[Cell]:
    """The matrix cells of ``stack`` in columns of ``kinds``, from the raw YAML."""
    resources = raw("roles.yaml")["resources"]
    rows = raw("matrix.yaml")["environments"][MATRIX[stack]]
    return [
        (persona, resource, code)
        for persona, row in rows.items()
        for resource, codes in row.items()
        if resources[resource]["kind"] in kinds
        for code in codes
    ]


def granted(records: list[Record], component: str) -> Counter[str]:
    """Resource keys (``persona-resource-code``) under one access component, counted."""
    prefix = f"{SLUG}-{component}-"
    return Counter(r["name"].removeprefix(prefix) for r in records if r["name"].startswith(prefix))


def key(cell: Cell) -> str:
    return "-".join(cell).lower()


def test_each_stack_compiles_the_matrix_its_config_names(stack: PlannedStack) -> None:
    assert stack.settings.rbac_matrix == MATRIX[stack.name]


def test_every_azure_cell_becomes_exactly_one_assignment_or_eligibility(
    stack: PlannedStack,
) -> None:
    personas = raw("personas.yaml")["personas"]
    expected = cells(stack.name, ("azure",))
    assert expected, "the matrix grants Azure roles"
    records = of_type(stack.resources, ASSIGNMENT) + of_type(stack.resources, ELIGIBILITY)
    assert granted(records, "azure-access") == Counter(key(cell) for cell in expected)
    by_name = {r["name"]: r for r in records}
    for persona, resource, code in expected:
        record = by_name[f"{SLUG}-azure-access-{key((persona, resource, code))}"]
        jit = personas[persona]["access"] == "just-in-time"
        assert record["type"] == (ELIGIBILITY if jit else ASSIGNMENT), (persona, resource)


def test_assignments_carry_the_role_scope_and_principal_of_their_cell(
    stack: PlannedStack,
) -> None:
    roles = raw("roles.yaml")["codes"]["azure"]
    group = stack.settings.names.resource_group_name
    principals = stack.outputs["principals"]
    for persona, resource, code in cells(stack.name, ("azure",)):
        name = f"{SLUG}-azure-access-{key((persona, resource, code))}"
        (record,) = [r for r in stack.resources if r["name"] == name]
        inputs = record["inputs"]
        assert inputs["roleDefinitionId"].endswith(
            f"/providers/Microsoft.Authorization/roleDefinitions/{roles[code]['id']}"
        )
        assert inputs["principalId"] == principals[persona]
        if resource == "monitor":
            assert inputs["scope"].endswith(f"/resourceGroups/{group}")
        else:
            assert SCOPE_PATHS[resource] in inputs["scope"], (resource, inputs["scope"])
        if record["type"] == ASSIGNMENT:
            assert GUID.match(inputs["roleAssignmentName"])
            kind = raw("personas.yaml")["personas"][persona]["principal"]
            assert inputs["principalType"] == ("Group" if kind == "group" else "ServicePrincipal")
        else:
            assert inputs["scheduleInfo"]["expiration"] == {
                "type": "AfterDuration",
                "duration": "P365D",
            }


def test_prod_plan_has_the_role_assignments_and_pim_eligibilities(
    planned: dict[str, PlannedStack],
) -> None:
    records = planned["prod"].resources
    eligibilities = {
        r["name"].removeprefix(f"{SLUG}-azure-access-") for r in records if r["type"] == ELIGIBILITY
    }
    assert eligibilities == {
        "platform-support-ml-workspace-o",
        "platform-support-key-vault-o",
        "platform-support-key-vault-kva",
        "platform-support-log-analytics-o",
        "platform-support-monitor-o",
    }
    assert len(granted(of_type(records, ASSIGNMENT), "azure-access")) == 26
    text = (planned["prod"].directory / "resources.json").read_text()
    assert text.count(f'"type": "{ELIGIBILITY}"') == 5


def test_assignment_names_are_stable_and_differ_between_stacks(
    planned: dict[str, PlannedStack],
) -> None:
    def names(stack: str) -> dict[str, str]:
        return {
            r["name"]: r["inputs"]["roleAssignmentName"]
            for r in of_type(planned[stack].resources, ASSIGNMENT)
            if r["name"].startswith(f"{SLUG}-azure-access-")
        }

    staging, prod = names("staging"), names("prod")
    assert staging.keys() == prod.keys()
    assert set(staging.values()).isdisjoint(prod.values())
    assert len(set(prod.values())) == len(prod)
    mocks = mock_stack("prod")
    again: list[Any] = []

    @mocked
    def rerun() -> None:
        again.append(build(load_settings()))

    rerun()
    assert {
        r["name"]: r["inputs"]["roleAssignmentName"]
        for r in of_type(mocks.resources, ASSIGNMENT)
        if r["name"].startswith(f"{SLUG}-azure-access-")
    } == prod


@pytest.mark.parametrize("stack_name", STACKS)
def test_devops_and_artifacts_cells_become_memberships_and_feed_roles(stack_name: str) -> None:
    mocks = mock_stack(stack_name, azureDevOpsProject="ml-platform")
    run_stack(mocks)
    expected = cells(stack_name, ("devops", "artifacts"))
    memberships = of_type(mocks.resources, "azuredevops:index/groupMembership:GroupMembership")
    feed_roles = of_type(mocks.resources, "azuredevops:index/feedPermission:FeedPermission")
    assert granted(memberships + feed_roles, "devops-access") == Counter(map(key, expected))
    roles = raw("roles.yaml")["codes"]["artifacts"]
    for record in feed_roles:
        code = record["name"].rsplit("-", 1)[1].upper()
        assert record["inputs"]["role"] == roles[code]["name"]
    (project,) = {c["args"]["name"] for c in mocks.calls if c["token"].endswith("getProject")}
    assert project == "ml-platform"


def test_the_workspace_column_binds_cluster_roles_in_the_serving_namespace(
    stack: PlannedStack,
) -> None:
    mapping = raw("roles.yaml")["kubernetes"]["roles"]
    expected = {
        (persona, mapping[code])
        for persona, resource, code in cells(stack.name, ("azure",))
        if resource == "ml-workspace" and code in mapping
    }
    bindings = stack.manifests("RoleBinding")
    assert len(bindings) == len(of_type(stack.resources, ROLE_BINDING)) == len(expected)
    principals = stack.outputs["principals"]
    found = set()
    for binding in bindings:
        persona = binding["metadata"]["labels"]["persona"]
        (subject,) = binding["subjects"]
        assert subject["name"] == principals[persona]
        assert binding["metadata"]["namespace"] == stack.settings.namespace
        assert binding["roleRef"]["kind"] == "ClusterRole"
        found.add((persona, binding["roleRef"]["name"]))
    assert found == expected


def test_principals_are_created_per_persona_unless_configured(stack: PlannedStack) -> None:
    groups = of_type(stack.resources, "azuread:index/group:Group")
    identities = of_type(stack.resources, "azure-native:managedidentity:UserAssignedIdentity")
    personas = raw("personas.yaml")["personas"]
    kinds = Counter(spec["principal"] for spec in personas.values())
    assert (len(groups), len(identities)) == (kinds["group"], kinds["managed-identity"])
    prefix = stack.settings.names.resource_prefix
    assert {g["inputs"]["displayName"] for g in groups} == {
        f"grp-{prefix}-{pid}" for pid, spec in personas.items() if spec["principal"] == "group"
    }
    assert len(set(stack.outputs["principals"].values())) == len(personas)


EXISTING = "0f0e0d0c-0b0a-4909-8807-060504030201"


def run_stack(mocks: Mocks) -> dict[str, str]:
    principals: dict[str, str] = {}

    @mocked
    def deploy() -> pulumi.Output[None]:
        program = build(load_settings())
        return pulumi.Output.all(**program.access.principals.object_ids).apply(principals.update)

    deploy()
    return principals


def test_an_existing_group_replaces_the_created_one() -> None:
    mocks = mock_stack("prod", personaPrincipals=f'["platform-support={EXISTING}"]')
    principals = run_stack(mocks)
    assert principals["platform-support"] == EXISTING
    names = {g["name"] for g in of_type(mocks.resources, "azuread:index/group:Group")}
    assert f"{SLUG}-personas-platform-support" not in names
    assert len(names) == 7
    eligibilities = of_type(mocks.resources, ELIGIBILITY)
    assert {e["inputs"]["principalId"] for e in eligibilities} == {EXISTING}


def test_without_an_azure_devops_project_nothing_in_azure_devops_is_managed() -> None:
    mocks = mock_stack("prod", azureDevOpsProject="")
    run_stack(mocks)
    assert [r for r in mocks.resources if r["type"].startswith("azuredevops:")] == []
    assert [c for c in mocks.calls if c["token"].startswith("azuredevops:")] == []
    assert len(of_type(mocks.resources, ELIGIBILITY)) == 5


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"rbacMatrix": "staging"}, "rbacMatrix must be one of production, pre-production"),
        (
            {"personaPrincipals": f'["data-wizard={EXISTING}"]'},
            "personaPrincipals: unknown persona in 'data-wizard=",
        ),
        (
            {"personaPrincipals": '["cicd=not-a-guid"]'},
            "personaPrincipals: 'cicd=not-a-guid' must be persona=<object id>",
        ),
        (
            {"personaPrincipals": f'["ml-workspace={EXISTING}"]'},
            "personaPrincipals: ml-workspace is the workspace's own identity",
        ),
    ],
)
def test_bad_access_config_is_refused_before_anything_registers(
    overrides: dict[str, str], message: str
) -> None:
    mocks = mock_stack("staging", **overrides)
    with pytest.raises(AccessArgsError, match=re.escape(message)):
        run_stack(mocks)
    assert mocks.resources == []


@pytest.mark.parametrize("stack_name", STACKS)
def test_human_personas_hold_no_standing_write_role_in_staging_and_prod(
    planned: dict[str, PlannedStack], stack_name: str
) -> None:
    personas = raw("personas.yaml")["personas"]
    writes = {
        code for code, role in raw("roles.yaml")["codes"]["azure"].items() if role.get("write")
    }
    standing_human_writes = [
        (persona, resource, code)
        for persona, resource, code in cells(stack_name, ("azure",))
        if personas[persona]["type"] != "process"
        and personas[persona]["access"] == "standing"
        and code in writes
    ]
    if MATRIX[stack_name] == "production":
        assert standing_human_writes == []
    else:
        assert ("data-scientist", "ml-workspace", "ADS") in standing_human_writes
