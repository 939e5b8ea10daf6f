"""The drift report: drift.json (the result) and drift.html (a table and one chart per column).

The page lists the drifted columns first; each chart shows the reference and current shares per
quantile bin (numeric columns) or per category (categorical ones).
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }}.model.columns import CATEGORICAL
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
<p>Model [[ result.model ]] version [[ result.model_version or "unknown" ]] ([[ result.task ]]);
reference [[ result.reference ]]; current: [[ result.current.rows ]] rows from
[[ result.current.files|length ]] file(s). A column drifts when its PSI &gt;
[[ result.thresholds.psi ]] and its test's p-value &lt; [[ result.thresholds.p_value ]]: the
two-sample KS test for numeric columns, the chi-square test of the category shares for
categorical ones.</p>
<table><tr><th>column</th><th>kind</th><th>PSI</th><th>test</th><th>p-value</th>
<th>what moved (reference -&gt; current)</th><th>drifted</th></tr>
[% for column in columns %]<tr[% if column.drifted %] class="drifted"[% endif %]>
<td>[[ column.name ]]</td><td>[[ column.kind ]]</td><td>[[ "%.3f"|format(column.psi) ]]</td>
<td>[[ column.test ]]</td><td>[[ "%.3g"|format(column.p_value) ]]</td>
<td>[[ column.shift() ]]</td><td>[[ "yes" if column.drifted else "no" ]]</td></tr>
[% endfor %]</table>
[% for column in columns %]<img alt="[[ column.name ]]: reference vs current shares"
 src="data:image/png;base64,[[ plots[loop.index0] ]]">
[% endfor %]</body></html>
"""


def write_report(result: dict[str, Any], columns: list[ColumnDrift], folder: Path) -> None:
    """Write drift.json and drift.html (drifted columns first) into `folder`."""
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
    ordered = sorted(columns, key=lambda column: not column.drifted)  # stable: contract order
    plots = [plot(column) for column in ordered]
    html = template.render(result=result, columns=ordered, plots=plots)
    paths["html"].write_text(html, encoding="utf-8")


def plot(column: ColumnDrift) -> str:
    """Reference vs current shares per bin or category, as a base64 PNG."""
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
    axes.set_xticks(positions, column.labels, rotation=45, ha="right", fontsize=7)
    categorical = column.kind == CATEGORICAL
    title = f"{column.name}: PSI {column.psi:.2f}, {column.test} p={column.p_value:.2g}"
    axes.set(
        xlabel="category" if categorical else "bin (training quantiles)",
        ylabel="share of rows",
        title=title + (" (DRIFT)" if column.drifted else ""),
    )
    axes.legend(fontsize=7)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
