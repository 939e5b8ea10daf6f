"""What a usable baseline looks like for a contract: its format, task, columns and profiles."""

from __future__ import annotations

from typing import Any

from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.model.columns import (
    CATEGORICAL,
    Layout,
    feature_layouts,
    output_layouts,
)

FORMAT = 2
NUMERIC_KEYS = ("count", "missing", "mean", "std", "min", "max", "quantiles", "histogram", "sample")
CATEGORICAL_KEYS = ("count", "categories", "counts")


def baseline_problem(baseline: object, contract: Contract) -> str:
    """What makes `baseline` unusable with `contract`, or "" when nothing does."""
    if not isinstance(baseline, dict) or baseline.get("format") != FORMAT:
        return f"expected a JSON object with format {FORMAT}"
    if baseline.get("task") != contract.task:
        task = baseline.get("task")
        return f"it was taken for a {task} model; the contract's task is {contract.task}"
    sections = (("features", feature_layouts(contract)), ("outputs", output_layouts(contract)))
    for section, layouts in sections:
        profiles = baseline.get(section)
        if not isinstance(profiles, dict) or sorted(profiles) != sorted(layouts):
            names = ", ".join(profiles) if isinstance(profiles, dict) else "nothing"
            return f"its {section} are {names}; the contract's are {', '.join(layouts)}"
        for name, layout in layouts.items():
            problem = column_problem(name, profiles[name], layout)
            if problem:
                return problem
    return ""


def column_problem(name: str, profile: object, layout: Layout) -> str:
    """What is wrong with one column's profile, or ""."""
    if not isinstance(profile, dict) or profile.get("kind") != layout.kind:
        kind = profile.get("kind") if isinstance(profile, dict) else None
        return f"column {name!r} is profiled as {kind}; the contract makes it {layout.kind}"
    keys = CATEGORICAL_KEYS if layout.kind == CATEGORICAL else NUMERIC_KEYS
    if any(key not in profile for key in keys):
        return f"column {name!r} lacks one of {', '.join(keys)}"
    if layout.kind == CATEGORICAL:
        return _categories_problem(name, profile, layout)
    return _numbers_problem(name, profile)


def _categories_problem(name: str, profile: dict[str, Any], layout: Layout) -> str:
    if profile["categories"] != list(layout.categories):
        shown = ", ".join(map(repr, profile["categories"]))
        expected = ", ".join(map(repr, layout.categories))
        return f"column {name!r} has the categories {shown}; the contract's are {expected}"
    counts = profile["counts"]
    if not _counts(counts) or len(counts) != len(layout.categories) or not sum(counts):
        return f"column {name!r} needs one count per category, not all zero"
    return ""


def _numbers_problem(name: str, profile: dict[str, Any]) -> str:
    histogram = profile["histogram"]
    if not isinstance(histogram, dict) or not _counts(histogram.get("counts")):
        return f"column {name!r} has no histogram counts"
    edges, sample = histogram.get("edges"), profile["sample"]
    if not isinstance(edges, list) or len(histogram["counts"]) != len(edges) + 1:
        return f"column {name!r} has an inconsistent histogram"
    if not isinstance(sample, list) or not sample:
        return f"column {name!r} has an empty sample"
    return ""


def _counts(counts: object) -> bool:
    return isinstance(counts, list) and all(type(count) is int and count >= 0 for count in counts)
