"""The persona RBAC reference as matrix.yaml's JSON shape.

``fixtures/rbac-matrices.md`` is a verbatim copy of the project's gathered reference (the MLOps v2
guide's tables with every cell in its column), kept here so that the kit tests need nothing
outside the kit.
"""

from __future__ import annotations

from conftest import KIT_ROOT

REFERENCE = KIT_ROOT / "tests" / "fixtures" / "rbac-matrices.md"
SECTIONS = {"production": "## Production environment", "pre-production": "## Pre-production"}
PERSONAS = {
    "Data Scientist": "data-scientist",
    "Data Analyst": "data-analyst",
    "Model Tester": "model-tester",
    "Business Stakeholders": "business-stakeholders",
    "Project Lead": "project-lead",
    "Project Owner": "project-owner",
    "Platform Technical Support": "platform-support",
    "Model End User": "model-end-user",
    "CI/CD processes": "cicd",
    "ML Workspace": "ml-workspace",
    "Monitoring Processes": "monitoring",
    "Data Governance Processes": "data-governance",
}
RESOURCES = (
    "ml-workspace", "key-vault", "container-registry", "storage-account", "devops", "artifacts",
    "log-analytics", "monitor",
)  # fmt: skip
SPELLING = {"AcrPush": "ACRPush"}  # the reference's heading spells the code both ways


def _table(section: str) -> Matrix:
    rows = [line for line in section.splitlines() if line.startswith("|")][2:]
    matrix: Matrix = {}
    for line in rows[: len(PERSONAS)]:
        persona, *cells = (cell.strip() for cell in line.strip().strip("|").split("|"))
        assert len(cells) == len(RESOURCES), line
        matrix[PERSONAS[persona]] = {
            resource: [
                SPELLING.get(code.strip(), code.strip()) for code in cell.split(",") if code.strip()
            ]
            for resource, cell in zip(RESOURCES, cells, strict=True)
        }
    return matrix


Matrix = dict[str, dict[str, list[str]]]


def reference_matrices() -> dict[str, dict[str, Matrix]]:
    """``{"environments": {env: {persona: {resource: [codes]}}}}`` from the reference tables."""
    text = REFERENCE.read_text(encoding="utf-8")
    return {
        "environments": {
            env: _table(text.split(heading, 1)[1]) for env, heading in SECTIONS.items()
        }
    }
