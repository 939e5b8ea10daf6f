"""The drift report: drift.json (the result) and drift.html (a table and one plot per column)."""

from __future__ import annotations

import base64
import io
import itertools
import json
from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }}.monitoring.drift import ColumnDrift

JSON_FILE = "drift.json"
HTML_FILE = "drift.html"
# The page, autoescaped Jinja with [[ ]] and [% %] as delimiters: the project is itself generated
# from Jinja templates, which would render double braces.
TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drift report: [[ result.model ]]</title>
<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:right}
.drifted{color:#b00020;font-weight:bold}img{max-width:46%;margin:.5em}</style></head><body>
<h1>[% if result.drifted %]Drift detected[% else %]No drift[% endif %]</h1>
<p>Model [[ result.model ]] version [[ result.model_version or "unknown" ]]; reference
[[ result.reference ]]; current: [[ result.current.rows ]] rows from
[[ result.current.files|length ]] file(s). A column drifts when its PSI &gt;
[[ result.thresholds.psi ]] and its KS p-value &lt; [[ result.thresholds.p_value ]].</p>
<table><tr><th>column</th><th>PSI</th><th>KS p-value</th><th>mean (reference)</th>
<th>mean (current)</th><th>drifted</th></tr>
[% for column in columns %]<tr[% if column.drifted %] class="drifted"[% endif %]>
<td>[[ column.name ]]</td><td>[[ "%.3f"|format(column.psi) ]]</td>
<td>[[ "%.3g"|format(column.p_value) ]]</td><td>[[ "%.4g"|format(column.reference_mean) ]]</td>
<td>[[ "%.4g"|format(column.current_mean) ]]</td><td>[[ "yes" if column.drifted else "no" ]]</td>
</tr>
[% endfor %]</table>
[% for column in columns %]<img alt="[[ column.name ]]: reference vs current"
 src="data:image/png;base64,[[ plots[column.name] ]]">
[% endfor %]</body></html>
"""


def write_report(result: dict[str, Any], columns: list[ColumnDrift], folder: Path) -> None:
    """Write drift.json and drift.html into `folder`."""
    import jinja2

    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / JSON_FILE, "html": folder / HTML_FILE}
    paths["json"].write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    environment = jinja2.Environment(
        autoescape=True,
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
    )
    template = environment.from_string(TEMPLATE)
    plots = {column.name: plot(column) for column in columns}
    html = template.render(result=result, columns=columns, plots=plots)
    paths["html"].write_text(html, encoding="utf-8")


def plot(column: ColumnDrift) -> str:
    """Reference vs current shares per baseline bin, as a base64 PNG."""
    import numpy as np
    from matplotlib.figure import Figure

    positions = np.arange(len(column.reference_counts))
    figure = Figure(figsize=(6, 3.2), layout="constrained")
    axes = figure.subplots()
    for offset, label, counts in (
        (-0.2, "reference (training)", column.reference_counts),
        (0.2, "current", column.current_counts),
    ):
        axes.bar(positions + offset, np.asarray(counts) / max(sum(counts), 1), 0.4, label=label)
    axes.set_xticks(positions, _bin_labels(column.edges), rotation=45, fontsize=7)
    title = f"{column.name}: PSI {column.psi:.2f}, KS p={column.p_value:.2g}"
    axes.set(ylabel="share of rows", title=title + (" (DRIFT)" if column.drifted else ""))
    axes.legend(fontsize=7)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _bin_labels(edges: list[float]) -> list[str]:
    bounds = ["-inf", *(f"{edge:.3g}" for edge in edges), "inf"]
    return [f"({low}, {high}]" for low, high in itertools.pairwise(bounds)]
