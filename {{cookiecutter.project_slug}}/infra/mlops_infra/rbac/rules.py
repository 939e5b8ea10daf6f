"""Separation-of-duties rules over the matrices. Add your organization's rules to ``RULES``.

A rule is a function from the checked ``Rbac`` to the cells it refuses, each with the reason and
the fix; ``violations`` runs them all. The data checks (unknown personas, resources or codes, a
DevOps code in an Azure column) happen before, when ``mlops_infra.rbac.load`` reads the files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from mlops_infra.rbac.model import Cell, Rbac

MODEL_END_USER = "model-end-user"
DEVOPS_ADMIN_PROCESS = "cicd"


@dataclass(frozen=True)
class Violation:
    """A cell a rule refuses: which rule, which cell, why and how to fix it."""

    rule: str
    cell: Cell
    reason: str

    def line(self) -> str:
        """``production / data-scientist / ml-workspace: O ...`` as ``rbac-check`` prints it."""
        return f"{self.cell.where}: {self.cell.code}: {self.reason} [{self.rule}]"


Rule = Callable[[Rbac], Iterator[Violation]]


def no_standing_human_write_in_production(rbac: Rbac) -> Iterator[Violation]:
    """In production, people hold write roles only just in time (PIM), never standing."""
    for cell in rbac.cells("production"):
        persona = rbac.personas[cell.persona]
        if persona.is_human and not persona.just_in_time and rbac.role(cell).write:
            yield Violation(
                "no-standing-human-write-in-production",
                cell,
                f"{rbac.role(cell).name} is a write role held standing by a person in production; "
                "grant a read role, or make the persona just-in-time in rbac/personas.yaml",
            )


def model_end_user_holds_nothing(rbac: Rbac) -> Iterator[Violation]:
    """Model end users reach the model through its endpoint only, never the platform."""
    for environment in rbac.matrices:
        for cell in rbac.cells(environment):
            if cell.persona == MODEL_END_USER:
                yield Violation(
                    "model-end-user-holds-nothing",
                    cell,
                    "the model end user holds no role; give access to the scoring endpoint instead",
                )


def only_cicd_administers_devops(rbac: Rbac) -> Iterator[Violation]:
    """No process persona other than CI/CD holds an Azure DevOps administrator role."""
    for environment in rbac.matrices:
        for cell in rbac.cells(environment):
            persona = rbac.personas[cell.persona]
            role = rbac.role(cell)
            if (
                persona.type == "process"
                and role.administrator
                and cell.persona != DEVOPS_ADMIN_PROCESS
            ):
                yield Violation(
                    "only-cicd-administers-devops",
                    cell,
                    f"{role.name} administers Azure DevOps, which only the CI/CD process may; "
                    "grant R (Readers) instead",
                )


RULES: tuple[Rule, ...] = (
    no_standing_human_write_in_production,
    model_end_user_holds_nothing,
    only_cicd_administers_devops,
)


def violations(rbac: Rbac, rules: tuple[Rule, ...] = RULES) -> list[Violation]:
    """Every cell any rule refuses, rule by rule."""
    return [violation for rule in rules for violation in rule(rbac)]
