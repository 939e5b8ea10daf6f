"""CI/CD's Owner is constrained: every standing role-administering assignment carries Azure's
delegation condition, and CI/CD's Azure DevOps level follows ``cicdDevOpsLevel``.

Expected roles come from the raw YAML in rbac/ and the role ids Azure documents, not from the code
under test; the planned conditions are read back with the CrossGuard pack's parser.
"""

from __future__ import annotations

import re

import pulumi
import pytest
from role_conditions import Delegation, delegation

from mlops_infra.naming import SLUG
from mlops_infra.program import build
from mlops_infra.rbac.args import AccessArgsError
from mlops_infra.rbac.delegation import delegation_condition
from mlops_infra.settings import load_settings
from support import PlannedStack, mock_stack, mocked, of_type
from test_rbac_compiler import ASSIGNMENT, cells, key
from test_rbac_data import raw

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
ROLE_ADMINISTRATORS = {
    OWNER,
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",  # User Access Administrator
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168",  # Role Based Access Control Administrator
}
PROGRAM_ROLES = {
    "7f951dda-4ed3-4680-a7ca-43fe172d538d",  # AcrPull: the AKS kubelet
    "4d97b98b-1d4f-4787-a291-c67834d212e7",  # Network Contributor: AKS on its subnet
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe",  # Storage Blob Data Contributor: the training cluster
}
# Azure's "Example: Constrain roles and principal types" (delegate-role-assignments-examples),
# as its Azure PowerShell tab writes it: Backup Contributor and Backup Reader, to users or groups.
BACKUP_ROLES = ("5e467623-bb1f-42f4-a55d-6e525e11384b", "a795c7a0-d4a2-40c1-ae25-d81f01202912")
DOCUMENTED = (
    "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
    "(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] "
    "ForAnyOfAnyValues:GuidEquals {5e467623-bb1f-42f4-a55d-6e525e11384b, "
    "a795c7a0-d4a2-40c1-ae25-d81f01202912} AND "
    "@Request[Microsoft.Authorization/roleAssignments:PrincipalType] "
    "ForAnyOfAnyValues:StringEqualsIgnoreCase {'User', 'Group'})) AND "
    "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR "
    "(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] "
    "ForAnyOfAnyValues:GuidEquals {5e467623-bb1f-42f4-a55d-6e525e11384b, "
    "a795c7a0-d4a2-40c1-ae25-d81f01202912} AND "
    "@Resource[Microsoft.Authorization/roleAssignments:PrincipalType] "
    "ForAnyOfAnyValues:StringEqualsIgnoreCase {'User', 'Group'}))"
)
MEMBERSHIP = "azuredevops:index/groupMembership:GroupMembership"
GET_GROUP = "azuredevops:index/getGroup:getGroup"


def workload_roles(stack: str) -> set[str]:
    """The role ids the stack's matrix gives service principals, from the raw YAML."""
    personas = raw("personas.yaml")["personas"]
    codes = raw("roles.yaml")["codes"]["azure"]
    return {
        codes[code]["id"]
        for persona, _, code in cells(stack, ("azure",))
        if personas[persona]["principal"] != "group"
    } - ROLE_ADMINISTRATORS


def planned_delegation(record: dict[str, object]) -> Delegation:
    """The parsed condition of a planned role assignment (AssertionError if it has none)."""
    inputs = record["inputs"]
    assert isinstance(inputs, dict)
    assert inputs.get("conditionVersion") == "2.0", record["name"]
    parsed = delegation(inputs.get("condition"))
    assert parsed is not None, f"{record['name']}: no delegation condition"
    return parsed


def test_the_condition_has_azures_documented_form() -> None:
    assert delegation_condition(BACKUP_ROLES, ("User", "Group")) == DOCUMENTED
    parsed = delegation(DOCUMENTED)
    assert parsed is not None
    assert parsed.write_roles == parsed.delete_roles == set(BACKUP_ROLES)
    assert parsed.write_types == parsed.delete_types == {"User", "Group"}


def test_every_standing_owner_assignment_carries_the_delegation_condition(
    stack: PlannedStack,
) -> None:
    personas = raw("personas.yaml")["personas"]
    owners = {
        f"{SLUG}-azure-access-{key(cell)}"
        for cell in cells(stack.name, ("azure",))
        if cell[2] == "O" and personas[cell[0]]["access"] == "standing"
    }
    assert f"{SLUG}-azure-access-cicd-ml-workspace-o" in owners
    assignments = of_type(stack.resources, ASSIGNMENT)
    conditioned = {r["name"] for r in assignments if r["inputs"].get("condition")}
    assert conditioned == owners
    for record in assignments:
        if record["name"] in owners:
            assert record["inputs"]["roleDefinitionId"].endswith(f"/roleDefinitions/{OWNER}")
            assert record["inputs"]["principalType"] == "ServicePrincipal"


def test_cicd_may_assign_only_the_stacks_workload_roles_to_service_principals(
    stack: PlannedStack,
) -> None:
    name = f"{SLUG}-azure-access-cicd-monitor-o"  # Owner on the resource group
    (record,) = [r for r in of_type(stack.resources, ASSIGNMENT) if r["name"] == name]
    parsed = planned_delegation(record)
    expected = workload_roles(stack.name) | PROGRAM_ROLES
    assert parsed.write_roles == parsed.delete_roles == expected
    assert parsed.roles.isdisjoint(ROLE_ADMINISTRATORS)
    assert parsed.write_types == parsed.delete_types == {"ServicePrincipal"}


def devops_group_of(stack: str, persona: str, **overrides: str) -> tuple[str, bool]:
    """(group name, project-level) of ``persona``'s Azure DevOps membership in a mocked stack."""
    mocks = mock_stack(stack, azureDevOpsProject="ml-platform", **overrides)

    @mocked
    def deploy() -> None:
        build(load_settings())

    deploy()
    (membership,) = [
        r
        for r in of_type(mocks.resources, MEMBERSHIP)
        if r["name"].startswith(f"{SLUG}-devops-access-{persona}-devops-")
    ]
    for call in [c for c in mocks.calls if c["token"] == GET_GROUP]:
        answer, _ = mocks.call(pulumi.runtime.MockCallArgs(GET_GROUP, call["args"], ""))
        if answer["descriptor"] == membership["inputs"]["group"]:
            return str(call["args"]["name"]), bool(call["args"].get("projectId"))
    raise AssertionError(f"no group lookup answers {membership['name']}")


def test_cicd_administers_the_project_collection_in_azure_devops_by_default() -> None:
    assert devops_group_of("prod", "cicd") == ("Project Collection Administrators", False)


def test_cicd_devops_level_project_makes_cicd_a_project_administrator_only() -> None:
    assert devops_group_of("prod", "cicd", cicdDevOpsLevel="project") == (
        "Project Administrators",
        True,
    )
    # The switch is CI/CD's alone: platform support keeps the matrix's cell.
    assert devops_group_of("prod", "platform-support", cicdDevOpsLevel="project") == (
        "Project Collection Administrators",
        False,
    )


def test_an_unknown_cicd_devops_level_is_refused_before_anything_registers() -> None:
    mocks = mock_stack("prod", cicdDevOpsLevel="organization")
    message = "cicdDevOpsLevel must be one of collection, project, got 'organization': set it"

    @mocked
    def deploy() -> None:
        build(load_settings())

    with pytest.raises(AccessArgsError, match=re.escape(message)):
        deploy()
    assert mocks.resources == []
